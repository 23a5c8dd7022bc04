# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure the IAM role of the SP-API chain (step 4 of the onboarding).

The role trusts exactly the SP-API user (never the account root) and carries the
SP-API managed policy; its ARN is what Seller Central's app client form asks for.
Right after the user was created, IAM refuses a trust policy naming it with
"MalformedPolicyDocument: Invalid principal in policy" for about 30 seconds: that
one case is waited out, within wait_timeout.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure, adopt_existing, call, read
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import (
    Changes,
    is_invalid_principal,
    list_all,
    retry_while,
    run_removal,
    sync_tags,
    tags_to_dict,
    tags_to_list,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import (
    allowed_principals,
    decode_document,
    same_policy,
    to_json,
    trust_policy,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.role_ownership import (
    owner_principals,
    reasons_to_keep,
    refuse_takeover,
    wider_than_needed,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import (
    ValidationError,
    check_arn,
    check_name,
    check_path,
    check_principal_arn,
    check_session_duration,
    check_tags,
    check_zero_or_more,
)

DEFAULT_SESSION_DURATION = 3600
MAX_DESCRIPTION = 1000
EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII)
# Pace of the "Invalid principal" retries: IAM needs up to ~30 s. Tests shorten these.
RETRY_FIRST_DELAY = 1.0
RETRY_MAX_DELAY = 5.0


def _sleep(seconds):
    time.sleep(seconds)


def validate_role_params(params):
    check_name(params["name"], "name", "role")
    if params.get("path") is not None:
        check_path(params["path"])
    params["tags"] = check_tags(params.get("tags"))
    check_zero_or_more(params["wait_timeout"], "wait_timeout")
    if params.get("max_session_duration") is not None:
        check_session_duration(params["max_session_duration"])
    description = params.get("description")
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise ValidationError("description", "IAM role descriptions are at most %d characters, got %d"
                              % (MAX_DESCRIPTION, len(description)))
    external_id = params.get("external_id")
    if external_id is not None and not EXTERNAL_ID.match(external_id):
        raise ValidationError("external_id", "must be 2-1224 characters among letters, digits and + = , . @ : / _ -")
    for arn in params.get("managed_policy_arns") or []:
        check_arn(arn, "managed_policy_arns", "policy")
    if params.get("trusted_user_arn"):
        check_arn(params["trusted_user_arn"], "trusted_user_arn", "user")
    for arn in params.get("trusted_principals") or []:
        check_principal_arn(arn, "trusted_principals")
    principals = owner_principals(params)
    return trust_policy(principals, external_id) if principals else None


def role_view(role, attached, tags):
    return {
        "arn": role["Arn"],
        "role_name": role["RoleName"],
        "role_id": role.get("RoleId"),
        "path": role.get("Path", "/"),
        "assume_role_policy_document": decode_document(role["AssumeRolePolicyDocument"]),
        "attached_policy_arns": sorted(attached),
        "max_session_duration": role.get("MaxSessionDuration", DEFAULT_SESSION_DURATION),
        "description": role.get("Description") or "",
        "tags": tags,
    }


def _state(view):
    return {
        "assume_role_policy_document": view["assume_role_policy_document"],
        "attached_policy_arns": view["attached_policy_arns"],
        "max_session_duration": view["max_session_duration"],
        "description": view["description"],
        "tags": view["tags"],
    }


def _attached(iam, name):
    policies = list_all("list policies attached to IAM role '%s'" % name, iam, "list_attached_role_policies",
                        "AttachedPolicies", RoleName=name)
    return [p["PolicyArn"] for p in policies]


def with_principal_wait(task, what, method, **request):
    """Call method, waiting out IAM's "Invalid principal" answer for at most wait_timeout seconds."""
    timeout = task.params["wait_timeout"]
    started = time.monotonic()
    attempts = []

    def attempt():
        attempts.append(1)
        return call(what, method, **request)

    try:
        return retry_while(is_invalid_principal, attempt, timeout, first_delay=RETRY_FIRST_DELAY,
                           max_delay=RETRY_MAX_DELAY, sleep=_sleep)
    except AwsFailure as exc:
        if not is_invalid_principal(exc):
            raise
        raise AwsFailure(
            "%s. Gave up after %d attempts over %.1f s (wait_timeout=%s): IAM still rejects a trusted principal. "
            "A user created moments ago can take about 30 s to be accepted in a trust policy; raise wait_timeout, "
            "or check that every trusted principal exists." % (exc, len(attempts), time.monotonic() - started, timeout),
            exc.code,
        )


def ensure_role(task):
    params = task.params
    trust = validate_role_params(params)
    iam = task.aws.iam
    name = params["name"]
    found = read("read IAM role '%s'" % name, iam.get_role, RoleName=name)
    current = found["Role"] if found else None
    if current:
        task.aws.learn_identity_from(current["Arn"])
    if params["state"] == "absent":
        return remove_role(task, current)
    result = create_role(task, trust) if current is None else update_role(task, current, trust)
    account = result["role"]["arn"].split(":")[4]
    for warning in wider_than_needed(allowed_principals(trust), params.get("managed_policy_arns") or [], account):
        task.warn("IAM role %s: %s" % (name, warning))
    return result


def _sync_attachments(task, changes, name, attached):
    params, iam = task.params, task.aws.iam
    wanted = params.get("managed_policy_arns")
    if wanted is None:
        return sorted(attached)
    to_attach = sorted(set(wanted) - set(attached))
    to_detach = sorted(set(attached) - set(wanted)) if params["purge_policies"] else []
    for arn in to_detach:
        changes.add("detach policy %s from role %s" % (arn, name))
        if not task.check_mode:
            call("detach policy %s from IAM role '%s'" % (arn, name), iam.detach_role_policy, RoleName=name, PolicyArn=arn)
    for arn in to_attach:
        changes.add("attach policy %s to role %s" % (arn, name))
        if not task.check_mode:
            call("attach policy %s to IAM role '%s'" % (arn, name), iam.attach_role_policy, RoleName=name, PolicyArn=arn)
    return sorted((set(attached) - set(to_detach)) | set(to_attach))


def create_role(task, trust):
    params, iam, changes = task.params, task.aws.iam, Changes()
    name, path = params["name"], params.get("path") or "/"
    changes.add("create role %s" % name)
    request = dict(RoleName=name, Path=path, AssumeRolePolicyDocument=to_json(trust))
    if params.get("description"):
        request["Description"] = params["description"]
    if params.get("max_session_duration") is not None:
        request["MaxSessionDuration"] = params["max_session_duration"]
    if params.get("tags"):
        request["Tags"] = tags_to_list(params["tags"])
    if task.check_mode:
        role = {"Arn": task.aws.arn("role", path, name), "RoleName": name, "Path": path,
                "AssumeRolePolicyDocument": trust}
    else:
        reply, fresh = adopt_existing(
            lambda: with_principal_wait(task, "create IAM role '%s'" % name, iam.create_role, **request),
            lambda: read("read IAM role '%s'" % name, iam.get_role, RoleName=name))
        if not fresh:
            return update_role(task, reply["Role"], trust, changes)
        role = reply["Role"]
    role = dict(role, AssumeRolePolicyDocument=trust, Description=params.get("description") or "",
                MaxSessionDuration=params.get("max_session_duration") or DEFAULT_SESSION_DURATION)
    attached = _sync_attachments(task, changes, name, [])
    view = role_view(role, attached, params.get("tags") or {})
    changes.after = _state(view)
    return changes.result(task, role=view, created=True)


def update_role(task, current, trust, changes=None):
    params, iam = task.params, task.aws.iam
    changes = changes or Changes()
    name = params["name"]
    view = role_view(current, _attached(iam, name), tags_to_dict(current.get("Tags")))
    changes.before = _state(view)

    if params.get("path") and params["path"] != view["path"]:
        task.warn("IAM cannot move an existing role: role %s stays at path %s (asked: %s); delete and re-create it "
                  "to change the path" % (name, view["path"], params["path"]))

    if not same_policy(view["assume_role_policy_document"], trust):
        refuse_takeover(task, name, view["assume_role_policy_document"], trust)
        changes.add("update the trust policy of role %s" % name)
        if not task.check_mode:
            with_principal_wait(task, "update the trust policy of IAM role '%s'" % name, iam.update_assume_role_policy,
                                RoleName=name, PolicyDocument=to_json(trust))
        view["assume_role_policy_document"] = trust

    update = {}
    if params.get("description") is not None and params["description"] != view["description"]:
        update["Description"] = params["description"]
    duration = params.get("max_session_duration")
    if duration is not None and duration != view["max_session_duration"]:
        update["MaxSessionDuration"] = duration
    if update:
        changes.add("update %s of role %s" % (" and ".join(sorted(update)), name))
        if not task.check_mode:
            call("update IAM role '%s'" % name, iam.update_role, RoleName=name, **update)
        view["description"] = update.get("Description", view["description"])
        view["max_session_duration"] = update.get("MaxSessionDuration", view["max_session_duration"])

    view["tags"] = sync_tags(task, changes, "role", name, view["tags"], {"RoleName": name}, iam.tag_role, iam.untag_role)

    view["attached_policy_arns"] = _sync_attachments(task, changes, name, view["attached_policy_arns"])
    changes.after = _state(view)
    return changes.result(task, role=view, created=False)


def remove_role(task, current):
    """Delete the role after what IAM requires to be gone first."""
    iam, changes = task.aws.iam, Changes()
    name = task.params["name"]
    if current is None:
        return changes.result(task, role={})
    attached = _attached(iam, name)
    view = role_view(current, attached, tags_to_dict(current.get("Tags")))
    changes.before = _state(view)
    changes.after = {}

    inline = call("list inline policies of IAM role '%s'" % name, iam.list_role_policies, RoleName=name)["PolicyNames"]
    owners = owner_principals(task.params)
    if owners and task.params["on_conflict"] != "replace":
        reasons = reasons_to_keep(view, inline, owners, task.params.get("managed_policy_arns"))
        if reasons:
            task.warn("IAM role %s is kept: %s. Set on_conflict=replace to remove it anyway" % (name, "; ".join(reasons)))
            changes.after = changes.before
            return changes.result(task, role=view, kept=reasons)
    profiles = call("list instance profiles of IAM role '%s'" % name, iam.list_instance_profiles_for_role,
                    RoleName=name)["InstanceProfiles"]
    steps = []
    for arn in attached:
        steps.append(("detach policy %s" % arn, iam.detach_role_policy, dict(RoleName=name, PolicyArn=arn)))
    for policy in inline:
        steps.append(("delete inline policy %s" % policy, iam.delete_role_policy, dict(RoleName=name, PolicyName=policy)))
    for profile in profiles:
        steps.append(("remove from instance profile %s" % profile["InstanceProfileName"],
                      iam.remove_role_from_instance_profile,
                      dict(RoleName=name, InstanceProfileName=profile["InstanceProfileName"])))
    steps.append(("delete role %s" % name, iam.delete_role, dict(RoleName=name)))

    run_removal(task, changes, steps, "IAM role '%s'" % name)
    return changes.result(task, role=view)
