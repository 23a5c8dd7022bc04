# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure the SQS queue SP-API delivers notifications to (new LWA client secret, secret expiry).

The pure part (validation, the attribute plan; the queue policy in queue_policy.py) needs no AWS;
the executor below it reads the queue, then writes only what differs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure, call
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import Changes, merged_tags, tag_changes
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import PARTITIONS, ValidationError, check_tags
from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue_policy import (
    ACCOUNT,
    merge_policy,
    same_queue_policy,
    validate_keep_principals,
)

DEFAULT_RETENTION = 1209600  # 14 days, SQS's maximum: a missed rotation message survives two weeks
RETENTION_LIMITS = (60, 1209600)
QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}\Z")
QUEUE_ARN = re.compile(r"arn:(%s):sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}\Z" % PARTITIONS)
# Codes for "no such queue" under SQS's JSON and query protocols.
MISSING_QUEUE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
ALREADY_EXISTS = ("QueueAlreadyExists", "QueueNameExists")


# --- validation --------------------------------------------------------------------------------

def validate_queue_params(params):
    name = params["name"]
    if isinstance(name, str) and name.endswith(".fifo"):
        raise ValidationError("name", "%r is a FIFO queue name: SP-API delivers notifications only to standard "
                                      "queues. Drop the .fifo suffix" % name)
    if not isinstance(name, str) or not QUEUE_NAME.fullmatch(name):
        raise ValidationError("name", "%r is not a valid SQS queue name: 1-80 letters, digits, hyphens or "
                                      "underscores" % (name,))
    if not ACCOUNT.fullmatch(str(params["sender_account"])):
        raise ValidationError("sender_account", "%r is not a 12-digit AWS account id" % (params["sender_account"],))
    low, high = RETENTION_LIMITS
    if not low <= params["message_retention_seconds"] <= high:
        raise ValidationError("message_retention_seconds", "must be between %d and %d seconds, got %d"
                              % (low, high, params["message_retention_seconds"]))
    key = params.get("kms_master_key_id")
    if key is not None and (len(key) > 2048 or re.search(r"[\s*?]", key)):
        raise ValidationError("kms_master_key_id", "%r is not a KMS key id, alias or ARN (no spaces or wildcards)"
                              % (key,))
    dlq = params.get("dead_letter_queue")
    if dlq is not None:
        arn = dlq.get("arn")
        if arn and not QUEUE_ARN.fullmatch(arn):
            raise ValidationError("dead_letter_queue.arn", "%r is not an SQS queue ARN (arn:<partition>:sqs:"
                                                           "<region>:<account>:<name>) of a standard queue" % (arn,))
        if not 1 <= dlq.get("max_receive_count", 5) <= 1000:
            raise ValidationError("dead_letter_queue.max_receive_count", "must be between 1 and 1000")
    params["tags"] = check_tags(params.get("tags"))
    validate_keep_principals(params.get("keep_principals"))


# --- attributes ----------------------------------------------------------------------------------

def wanted_attributes(params):
    """The attributes the task asks for (as SQS spells them), without the policy."""
    wanted = {"MessageRetentionPeriod": str(params["message_retention_seconds"])}
    if params.get("kms_master_key_id") is not None:
        wanted["KmsMasterKeyId"] = params["kms_master_key_id"]
    dlq = params.get("dead_letter_queue")
    if dlq is not None:
        wanted["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq["arn"],
                                              "maxReceiveCount": dlq.get("max_receive_count", 5)}) if dlq["arn"] else ""
    return wanted


def _same_attribute(name, current, wanted):
    if name == "RedrivePolicy" and current and wanted:
        left, right = json.loads(current), json.loads(wanted)
        return (left.get("deadLetterTargetArn") == right["deadLetterTargetArn"]
                and int(left.get("maxReceiveCount", 0)) == right["maxReceiveCount"])
    return (current or "") == (wanted or "")


def attribute_changes(current, wanted):
    """The attributes (and policy) to set: those whose value differs."""
    changes = {}
    for name, value in wanted.items():
        if name == "Policy":
            before = json.loads(current["Policy"]) if current.get("Policy") else None
            if not same_queue_policy(before, json.loads(value)):
                changes[name] = value
        elif not _same_attribute(name, current.get(name), value):
            changes[name] = value
    return changes


def kms_warning(params, sender_account):
    key = params.get("kms_master_key_id")
    if not key:
        return None
    if key in ("alias/aws/sqs",) or key.endswith(":alias/aws/sqs"):
        return ("kms_master_key_id %s is the AWS managed key of SQS: its key policy cannot allow another account, so "
                "SP-API (account %s) cannot send to this queue. Use a customer managed key, or leave "
                "kms_master_key_id unset for SQS-managed encryption" % (key, sender_account))
    return ("kms_master_key_id %s: the key policy of this customer managed key must allow account %s "
            "kms:GenerateDataKey and kms:Decrypt, or SP-API's messages never arrive" % (key, sender_account))


def diff_view(attributes, policy, tags):
    view = dict((k, v) for k, v in attributes.items() if k != "Policy")
    view.update(policy=policy)
    if tags is not None:
        view["tags"] = tags
    return view


# --- executor ------------------------------------------------------------------------------------

def find_queue(sqs, name):
    try:
        return call("find SQS queue '%s'" % name, sqs.get_queue_url, QueueName=name)["QueueUrl"]
    except AwsFailure as exc:
        if exc.code in MISSING_QUEUE:
            return None
        raise


def ensure_notification_queue(task):
    params = task.params
    validate_queue_params(params)
    sqs = task.aws.client("sqs")
    name = params["name"]
    url = find_queue(sqs, name)
    if params["state"] == "absent":
        changes = Changes()
        if url:
            changes.add("delete queue %s" % name)
            if not task.check_mode:
                call("delete SQS queue '%s'" % name, sqs.delete_queue, QueueUrl=url)
            changes.before = {"url": url}
        return changes.result(task, queue={})
    warning = kms_warning(params, params["sender_account"])
    if warning:
        task.warn(warning)
    if url is None:
        return create_queue(task, sqs)
    return update_queue(task, sqs, url)


def create_queue(task, sqs, changes=None):
    params, name = task.params, task.params["name"]
    identity = task.aws.identity()
    region = sqs.meta.region_name
    arn = "arn:%s:sqs:%s:%s:%s" % (identity["partition"], region, identity["account"], name)
    policy, dummy = merge_policy(None, arn, params["sender_account"])
    attributes = dict((k, v) for k, v in wanted_attributes(params).items() if v != "")
    attributes["Policy"] = json.dumps(policy, separators=(",", ":"))
    changes = changes or Changes()
    changes.add("create queue %s" % name)
    changes.after = diff_view(attributes, policy, params.get("tags"))
    url = "%s/%s/%s" % (sqs.meta.endpoint_url.rstrip("/"), identity["account"], name)  # SQS's own URL form
    if not task.check_mode:
        request = dict(QueueName=name, Attributes=attributes)
        if params.get("tags"):
            request["tags"] = params["tags"]
        try:
            url = call("create SQS queue '%s'" % name, sqs.create_queue, **request)["QueueUrl"]
        except AwsFailure as exc:
            if exc.code in ALREADY_EXISTS:  # a concurrent run, or a retried lost reply: converge it
                return update_queue(task, sqs, find_queue(sqs, name))
            raise
    return changes.result(task, queue=dict(url=url, arn=arn, name=name, policy=policy), created=True)


def update_queue(task, sqs, url):
    params, name, changes = task.params, task.params["name"], Changes()
    current = call("read the attributes of SQS queue '%s'" % name, sqs.get_queue_attributes,
                   QueueUrl=url, AttributeNames=["All"]).get("Attributes", {})
    arn = current["QueueArn"]
    before_policy = json.loads(current["Policy"]) if current.get("Policy") else None
    policy, removed = merge_policy(before_policy, arn, params["sender_account"], params.get("keep_principals"))
    wanted = wanted_attributes(params)
    wanted["Policy"] = json.dumps(policy, separators=(",", ":"))
    to_set = attribute_changes(current, wanted)
    for sid, why in removed:
        task.warn("removed statement %s from the policy of queue %s: %s" % (sid, name, why))
    if to_set:
        changes.add("set %s of queue %s" % (", ".join(sorted(to_set)), name))
        if not task.check_mode:
            call("set the attributes of SQS queue '%s'" % name, sqs.set_queue_attributes,
                 QueueUrl=url, Attributes=to_set)
    before_tags = tags = None  # tags are read only when the task manages them
    if params.get("tags") is not None:
        before_tags = call("read the tags of SQS queue '%s'" % name, sqs.list_queue_tags, QueueUrl=url).get("Tags") or {}
        to_tag, to_untag = tag_changes(before_tags, params["tags"], params["purge_tags"])
        if to_untag:
            changes.add("untag queue %s: %s" % (name, ", ".join(to_untag)))
            if not task.check_mode:
                call("remove tags from SQS queue '%s'" % name, sqs.untag_queue, QueueUrl=url, TagKeys=to_untag)
        if to_tag:
            changes.add("tag queue %s: %s" % (name, ", ".join(sorted(to_tag))))
            if not task.check_mode:
                call("tag SQS queue '%s'" % name, sqs.tag_queue, QueueUrl=url, Tags=to_tag)
        tags = merged_tags(before_tags, to_tag, to_untag)
    shown = dict((k, current.get(k, "")) for k in wanted)
    changes.before = diff_view(shown, before_policy, before_tags)
    changes.after = diff_view(dict(shown, **to_set), policy, tags)
    return changes.result(task, queue=dict(url=url, arn=arn, name=name, policy=policy), created=False)
