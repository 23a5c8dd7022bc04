# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure the user's inline "STS policy" (step 5 of the onboarding).

It allows sts:AssumeRole on exactly the SP-API role(s), nothing broader. A converged
run reads the inline policy once and writes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import call, read, remove
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import Changes
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import (
    allowed_resources,
    assume_role_policy,
    decode_document,
    same_policy,
    to_json,
    wildcard_match,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError, check_arn, check_name


def validate_sts_policy_params(params):
    check_name(params["user_name"], "user_name", "user")
    check_name(params["policy_name"], "policy_name", "policy")
    if params.get("role_arn"):
        check_arn(params["role_arn"], "role_arn", "role")
        roles = [params["role_arn"]]
    else:
        roles = sorted(set(check_arn(arn, "role_arns", "role").group(0) for arn in params.get("role_arns") or []))
    return assume_role_policy(roles) if roles else None


def refuse_retarget(task, current, wanted):
    """Fail before any write when the policy points at other roles only, unless on_conflict=replace.

    A policy that allows none of the wanted roles was written for another role; one that
    allows them among others is this chain's, and is narrowed back.
    """
    if current is None or task.params["on_conflict"] == "replace":
        return
    wanted_roles, current_roles = allowed_resources(wanted), allowed_resources(current)
    if current_roles and not any(wildcard_match(c, w) for c in current_roles for w in wanted_roles):
        raise ValidationError(
            "role_arn", "the inline policy %s of IAM user %s lets it assume %s, not %s: it is left as it is. "
                        "Give the policy another name, or set on_conflict=replace to point it at %s instead"
                        % (task.params["policy_name"], task.params["user_name"], ", ".join(current_roles),
                           ", ".join(wanted_roles), ", ".join(wanted_roles)))


def ensure_sts_policy(task):
    params = task.params
    wanted = validate_sts_policy_params(params)
    iam, changes = task.aws.iam, Changes()
    user, name = params["user_name"], params["policy_name"]
    found = read("read inline policy '%s' of IAM user '%s'" % (name, user), iam.get_user_policy,
                 UserName=user, PolicyName=name)
    current = decode_document(found["PolicyDocument"]) if found else None
    if current is not None:
        changes.before = {"document": current}

    if params["state"] == "absent":
        if current is not None:
            changes.add("delete inline policy %s of user %s" % (name, user))
            changes.after = {}
            if not task.check_mode:
                remove("delete inline policy '%s' of IAM user '%s'" % (name, user), iam.delete_user_policy,
                       UserName=user, PolicyName=name)
        return changes.result(task, policy_name=name, user_name=user, document=None)

    if not same_policy(current, wanted):
        refuse_retarget(task, current, wanted)
        changes.add("%s inline policy %s of user %s" % ("update" if current else "create", name, user))
        if not task.check_mode:
            call("put inline policy '%s' on IAM user '%s'" % (name, user), iam.put_user_policy,
                 UserName=user, PolicyName=name, PolicyDocument=to_json(wanted))
        current = wanted
    changes.after = {"document": current}
    return changes.result(task, policy_name=name, user_name=user, document=current)
