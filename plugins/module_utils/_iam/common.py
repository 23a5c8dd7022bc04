# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small IAM helpers shared by the resource modules: tags, waits, results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure, call, remove
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import decode_document


def tags_to_dict(tag_list):
    return dict((t["Key"], t.get("Value", "")) for t in tag_list or [])


def tags_to_list(tags):
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]


def tag_changes(current, wanted, purge):
    """Return (tags to set, keys to remove) to move current tags to wanted."""
    if wanted is None:
        return {}, []
    to_set = dict((k, v) for k, v in wanted.items() if current.get(k) != v)
    to_remove = sorted(k for k in current if k not in wanted) if purge else []
    return to_set, to_remove


def merged_tags(current, to_set, to_remove):
    tags = dict((k, v) for k, v in current.items() if k not in to_remove)
    tags.update(to_set)
    return tags


def sync_tags(task, changes, kind, name, current, identifier, tag_method, untag_method):
    """Converge the tags of one IAM entity to the task's tags/purge_tags; return the tags it ends with.

    identifier is the request key naming the entity, e.g. {"UserName": "alice"}.
    """
    to_set, to_remove = tag_changes(current, task.params.get("tags"), task.params["purge_tags"])
    if to_remove:
        changes.add("untag %s %s: %s" % (kind, name, ", ".join(to_remove)))
        if not task.check_mode:
            call("remove tags from IAM %s '%s'" % (kind, name), untag_method, TagKeys=to_remove, **identifier)
    if to_set:
        changes.add("tag %s %s: %s" % (kind, name, ", ".join(sorted(to_set))))
        if not task.check_mode:
            call("tag IAM %s '%s'" % (kind, name), tag_method, Tags=tags_to_list(to_set), **identifier)
    return merged_tags(current, to_set, to_remove)


def paginated(what, client, operation, **request):
    """The whole reply of a paginated IAM listing, every page merged by botocore's paginator."""
    def paginate(**kwargs):
        return client.get_paginator(operation).paginate(**kwargs).build_full_result()
    return call(what, paginate, **request)


def list_all(what, client, operation, result_key, **request):
    """Every item of a paginated IAM listing."""
    return paginated(what, client, operation, **request).get(result_key, [])


def default_document(iam, policy):
    """The document of a managed policy's default version (the one in force); policy is GetPolicy's "Policy"."""
    arn, version_id = policy["Arn"], policy["DefaultVersionId"]
    version = call("read the default version %s of IAM policy '%s'" % (version_id, arn), iam.get_policy_version,
                   PolicyArn=arn, VersionId=version_id)["PolicyVersion"]
    return decode_document(version["Document"])


def run_removal(task, changes, steps, owner):
    """Run (description, delete method, request) steps in order, as the task's changes.

    Something already gone counts as removed: a retried delete, or another run, got there first.
    """
    for description, method, request in steps:
        changes.add(description)
        if not task.check_mode:
            remove("%s of %s" % (description, owner), method, **request)


def retry_while(predicate, action, timeout, first_delay=1.0, max_delay=5.0, sleep=time.sleep, clock=time.monotonic):
    """Run action(); while it raises AwsFailure that predicate() accepts, retry until timeout.

    Used only for IAM's known eventual-consistency cases, never as a general retry.
    """
    deadline = clock() + timeout
    delay = first_delay
    while True:
        try:
            return action()
        except AwsFailure as exc:
            if not predicate(exc) or clock() + delay > deadline:
                raise
        sleep(delay)
        delay = min(delay * 2, max_delay)


def is_invalid_principal(exc):
    """IAM's answer to a trust policy naming a user created seconds ago."""
    return exc.code == "MalformedPolicyDocument" and "invalid principal" in str(exc).lower()


def is_no_such_entity(exc):
    return exc.code == "NoSuchEntity"


class Changes:
    """Collects what a run changed (or would change, in check mode) and the diff."""

    def __init__(self):
        self.actions = []
        self.before = {}
        self.after = {}

    def add(self, description):
        self.actions.append(description)

    @property
    def changed(self):
        return bool(self.actions)

    def result(self, task, **values):
        result = dict(values, changed=self.changed, actions=self.actions)
        if task.diff_mode:
            result["diff"] = {"before": self.before, "after": self.after}
        return result
