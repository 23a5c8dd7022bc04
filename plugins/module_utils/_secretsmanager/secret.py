# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Secrets Manager secret the collection writes secrets into: whose it is, and who else can read it.

The collection writes only into a secret it created (tagged TAG_KEY) or one the user handed over
(adopt_secret: true, which tags it): a secret of the same name that belongs to someone else keeps
its value, and its resource policy could let another account read whatever is written into it.
The reads here never return a value into a message; the pure rules are unit-tested from tables.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure, call
from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue_policy import outside_principals

TAG_KEY = "spapi.onboarding:managed-by"
TAG_VALUE = "spapi.onboarding.lwa_export"
MISSING_SECRET = ("ResourceNotFoundException",)
SECRET_EXISTS = ("ResourceExistsException",)


class SecretRefused(SpapiError):
    """The secret is not this collection's to write, or others can read it; nothing was written."""

    def __init__(self, message, option=None):
        super(SecretRefused, self).__init__(message)
        self.option = option


def is_managed(described):
    """Whether the secret carries the collection's tag (it created or adopted it)."""
    return any(tag.get("Key") == TAG_KEY for tag in (described or {}).get("Tags") or [])


def open_grants(policy, own_account):
    """Who, outside own_account, a secret's resource policy allows anything: principals, in words."""
    if not policy:
        return []
    document = json.loads(policy) if isinstance(policy, str) else policy
    statements = document.get("Statement", [])
    found = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if "NotPrincipal" in statement:
            found.append("everyone but %s (NotPrincipal)" % json.dumps(statement["NotPrincipal"], sort_keys=True))
        elif "Principal" in statement:
            found.extend(outside_principals(statement, (own_account,), ()))
    return sorted(set(found))


def refuse_foreign(name, described, adopt):
    """Fail, before any write, on an existing secret that is not the collection's, unless adopt."""
    if described is None or is_managed(described) or adopt:
        return
    raise SecretRefused(
        "Secrets Manager secret '%s' already exists and lwa_export did not create it (it has no tag %s): it was "
        "left untouched. If it is meant to hold the exported LWA credentials, set adopt_secret: true once (the "
        "secret is then tagged; a secret that an older version of the collection created needs this too); "
        "otherwise name another secret in secret_name" % (name, TAG_KEY), "adopt_secret")


def refuse_open_policy(name, policy, own_account):
    """Fail, before any write, when the secret's resource policy lets another account (or anyone) in."""
    others = open_grants(policy, own_account)
    if others:
        raise SecretRefused(
            "the resource policy of Secrets Manager secret '%s' allows %s, outside this account (%s): they could "
            "read the LWA credentials, so nothing was written. Remove those statements (aws secretsmanager "
            "get-resource-policy --secret-id %s, then put-resource-policy without them, or delete-resource-policy)"
            % (name, ", ".join(others), own_account, name), "secret_name")


def describe(secretsmanager, name):
    """DescribeSecret's answer (tags, KMS key, ARN), or None when there is no such secret."""
    try:
        return call("describe Secrets Manager secret '%s'" % name, secretsmanager.describe_secret, SecretId=name)
    except AwsFailure as exc:
        if exc.code in MISSING_SECRET:
            return None
        raise


def resource_policy(secretsmanager, name):
    reply = call("read the resource policy of Secrets Manager secret '%s'" % name,
                 secretsmanager.get_resource_policy, SecretId=name)
    return reply.get("ResourcePolicy")


def read_value(secretsmanager, name):
    """(the secret's string, its ARN), or (None, None) when it has no current value."""
    try:
        reply = call("read Secrets Manager secret '%s'" % name, secretsmanager.get_secret_value, SecretId=name)
    except AwsFailure as exc:
        if exc.code in MISSING_SECRET:
            return None, None
        raise
    if reply.get("SecretString") is None:
        raise SecretRefused("Secrets Manager secret '%s' holds binary data, not a JSON object; it was left "
                            "untouched" % name, "secret_name")
    return reply["SecretString"], reply.get("ARN")


def create(secretsmanager, name, text, description, kms_key_id=None):
    """Create the secret, tagged as the collection's; returns its ARN, or None when it exists already."""
    request = dict(Name=name, SecretString=text, Description=description,
                   Tags=[{"Key": TAG_KEY, "Value": TAG_VALUE}])
    if kms_key_id:
        request["KmsKeyId"] = kms_key_id
    try:
        return call("create Secrets Manager secret '%s'" % name, secretsmanager.create_secret, **request)["ARN"]
    except AwsFailure as exc:
        if exc.code not in SECRET_EXISTS:  # a secret without a current value, or a concurrent run
            raise
        return None


def adopt(secretsmanager, name):
    call("tag Secrets Manager secret '%s' as lwa_export's" % name, secretsmanager.tag_resource, SecretId=name,
         Tags=[{"Key": TAG_KEY, "Value": TAG_VALUE}])
