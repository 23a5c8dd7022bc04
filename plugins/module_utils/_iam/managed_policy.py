# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure the customer-managed SP-API policy (step 3 of the onboarding).

A changed document becomes a new default version, within IAM's limit of five
versions per policy; a converged run reads the policy and its default version only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import adopt_existing, call, read
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import (
    Changes,
    default_document,
    paginated,
    run_removal,
    sync_tags,
    tags_to_dict,
    tags_to_list,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policy_analysis import allow_pairs, pair_within
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import (
    decode_document,
    parse_document,
    same_policy,
    sp_api_policy,
    to_json,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import (
    ValidationError,
    check_account_arn,
    check_name,
    check_path,
    check_tags,
)

ACCOUNT_ID = re.compile(r"\d{12}")
MAX_VERSIONS = 5
MAX_DESCRIPTION = 1000
MAX_DOCUMENT = 6144


def validate_policy_params(params):
    check_name(params["name"], "name", "policy")
    check_path(params["path"])
    params["tags"] = check_tags(params.get("tags"))
    description = params.get("description")
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise ValidationError("description", "IAM policy descriptions are at most %d characters, got %d"
                              % (MAX_DESCRIPTION, len(description)))
    if params.get("document") in (None, "", {}):
        document = sp_api_policy()
    else:
        document = parse_document(params["document"], "document")
    if len(to_json(document)) > MAX_DOCUMENT:
        raise ValidationError("document", "a managed policy document is at most %d characters" % MAX_DOCUMENT)
    params["document"] = document
    account = params.get("account_id")
    if account and not ACCOUNT_ID.fullmatch(account):
        check_account_arn(account, "account_id")
    return document


def wider_grants(document, reference):
    """In words, what `document` allows beyond `reference` (empty when nothing): the least-privilege check."""
    have, notes = allow_pairs(document)
    allowed, dummy = allow_pairs(reference)
    extra = sorted(pair for pair in have if not any(pair_within(pair, grant) for grant in allowed))
    widening = [note for note in notes if "NotAction" in note]
    return (["%s on %s" % pair for pair in extra]) + widening


def warn_if_wider(task, name, document):
    wider = wider_grants(document, sp_api_policy())
    if wider:
        task.warn("policy %s allows more than the SP-API policy needs (execute-api:Invoke on "
                  "arn:aws:execute-api:*:*:*): %s. Whoever holds a role with it attached gets all of that"
                  % (name, "; ".join(wider)))


def policy_view(policy, document, tags):
    return {
        "arn": policy["Arn"],
        "policy_name": policy["PolicyName"],
        "policy_id": policy.get("PolicyId"),
        "default_version_id": policy.get("DefaultVersionId"),
        "document": document,
        "path": policy.get("Path", "/"),
        "description": policy.get("Description") or "",
        "tags": tags,
    }


def _state(view):
    return {"document": view["document"], "tags": view["tags"]}


def ensure_policy(task, leaving=()):
    params = task.params
    validate_policy_params(params)
    iam = task.aws.iam
    task.aws.learn_account(params.get("account_id"))
    arn = task.aws.arn("policy", params["path"], params["name"])
    found = read("read IAM policy '%s'" % arn, iam.get_policy, PolicyArn=arn)
    current = found["Policy"] if found else None
    if params["state"] == "absent":
        return remove_policy(task, current, leaving)
    warn_if_wider(task, params["name"], params["document"])
    if current is None:
        return create_policy(task, arn)
    return update_policy(task, current)


def create_policy(task, arn):
    params, iam, changes = task.params, task.aws.iam, Changes()
    name, path, document = params["name"], params["path"], params["document"]
    changes.add("create policy %s" % name)
    request = dict(PolicyName=name, Path=path, PolicyDocument=to_json(document))
    if params.get("description"):
        request["Description"] = params["description"]
    if params.get("tags"):
        request["Tags"] = tags_to_list(params["tags"])
    if task.check_mode:
        predicted = {"Arn": arn, "PolicyName": name, "Path": path, "DefaultVersionId": "v1",
                     "Description": params.get("description")}
        view = policy_view(predicted, document, params.get("tags") or {})
    else:
        reply, fresh = adopt_existing(
            lambda: call("create IAM policy '%s'" % name, iam.create_policy, **request),
            lambda: read("read IAM policy '%s'" % arn, iam.get_policy, PolicyArn=arn))
        if not fresh:
            return update_policy(task, reply["Policy"], changes)
        created = reply["Policy"]
        created.setdefault("Description", params.get("description"))
        view = policy_view(created, document, params.get("tags") or {})
    changes.after = _state(view)
    return changes.result(task, policy=view, created=True)


def _age(version):
    number = version["VersionId"].lstrip("v")
    return (int(number) if number.isdigit() else 0, str(version.get("CreateDate", "")))


def _oldest_non_default(versions):
    candidates = [v for v in versions if not v.get("IsDefaultVersion")]
    return sorted(candidates, key=_age)[0] if candidates else None


def _version_holding(iam, arn, versions, document):
    """The newest non-default version whose document is `document`, or None."""
    for version in sorted((v for v in versions if not v.get("IsDefaultVersion")), key=_age, reverse=True):
        held = call("read version %s of IAM policy '%s'" % (version["VersionId"], arn), iam.get_policy_version,
                    PolicyArn=arn, VersionId=version["VersionId"])["PolicyVersion"]
        if same_policy(decode_document(held["Document"]), document):
            return version["VersionId"]
    return None


def update_policy(task, current, changes=None):
    params, iam = task.params, task.aws.iam
    changes = changes or Changes()
    arn, name = current["Arn"], current["PolicyName"]
    view = policy_view(current, default_document(iam, current), tags_to_dict(current.get("Tags")))
    changes.before = _state(view)

    wanted = params["document"]
    versions = None
    if not same_policy(view["document"], wanted):
        versions = call("list the versions of IAM policy '%s'" % arn, iam.list_policy_versions,
                        PolicyArn=arn)["Versions"]
        kept = _version_holding(iam, arn, versions, wanted)
        if kept:
            # Drift back to a document IAM still holds: make that version the default again, so
            # repeated drift never walks into the five-version limit.
            changes.add("make version %s, which holds the wanted document, the default of policy %s" % (kept, name))
            if not task.check_mode:
                call("make version %s the default of IAM policy '%s'" % (kept, arn), iam.set_default_policy_version,
                     PolicyArn=arn, VersionId=kept)
            view["default_version_id"], view["document"] = kept, wanted
    if not same_policy(view["document"], wanted):
        if len(versions) >= MAX_VERSIONS:
            oldest = _oldest_non_default(versions)
            changes.add("delete version %s of policy %s (IAM keeps at most %d versions)"
                        % (oldest["VersionId"], name, MAX_VERSIONS))
            if not task.check_mode:
                call("delete version %s of IAM policy '%s'" % (oldest["VersionId"], arn), iam.delete_policy_version,
                     PolicyArn=arn, VersionId=oldest["VersionId"])
        changes.add("create a new default version of policy %s" % name)
        if task.check_mode:
            view["default_version_id"] = None
        else:
            created = call("create a new version of IAM policy '%s'" % arn, iam.create_policy_version,
                           PolicyArn=arn, PolicyDocument=to_json(wanted), SetAsDefault=True)["PolicyVersion"]
            view["default_version_id"] = created["VersionId"]
        view["document"] = wanted

    description = params.get("description")
    if description is not None and description != view["description"]:
        task.warn("IAM cannot change the description of an existing policy: policy %s keeps %r; "
                  "delete and re-create the policy to change it" % (name, view["description"]))

    view["tags"] = sync_tags(task, changes, "policy", name, view["tags"], {"PolicyArn": arn}, iam.tag_policy, iam.untag_policy)

    changes.after = _state(view)
    return changes.result(task, policy=view, created=False)


def _entities(iam, arn):
    reply = paginated("list the entities IAM policy '%s' is attached to" % arn, iam, "list_entities_for_policy",
                      PolicyArn=arn)
    return dict((key, reply.get(key, [])) for key in ("PolicyUsers", "PolicyGroups", "PolicyRoles"))


def users_of(entities, leaving=()):
    """Who the policy is attached to, in words, leaving out the roles being removed with it."""
    names = ["user %s" % e["UserName"] for e in entities["PolicyUsers"]]
    names += ["group %s" % e["GroupName"] for e in entities["PolicyGroups"]]
    names += ["role %s" % e["RoleName"] for e in entities["PolicyRoles"] if e["RoleName"] not in leaving]
    return names


def remove_policy(task, current, leaving=()):
    """Delete the policy (its old versions first) unless someone else still uses it.

    A policy attached to other users, groups or roles than those in `leaving` (roles
    removed in the same run) is kept and reported, unless on_conflict=replace: then
    it is detached everywhere first.
    """
    iam, changes = task.aws.iam, Changes()
    if current is None:
        return changes.result(task, policy={})
    arn, name = current["Arn"], current["PolicyName"]
    view = policy_view(current, default_document(iam, current), tags_to_dict(current.get("Tags")))
    changes.before = _state(view)
    changes.after = {}

    entities = _entities(iam, arn)
    users = users_of(entities, leaving)
    if users and task.params["on_conflict"] != "replace":
        task.warn("IAM policy %s is kept: it is still attached to %s. Set on_conflict=replace to detach and "
                  "delete it anyway" % (name, ", ".join(users)))
        changes.after = changes.before
        return changes.result(task, policy=view, kept=["it is still attached to %s" % ", ".join(users)])
    versions = call("list the versions of IAM policy '%s'" % arn, iam.list_policy_versions, PolicyArn=arn)["Versions"]
    steps = []
    for user in entities["PolicyUsers"]:
        steps.append(("detach from user %s" % user["UserName"], iam.detach_user_policy,
                      dict(UserName=user["UserName"], PolicyArn=arn)))
    for group in entities["PolicyGroups"]:
        steps.append(("detach from group %s" % group["GroupName"], iam.detach_group_policy,
                      dict(GroupName=group["GroupName"], PolicyArn=arn)))
    for role in entities["PolicyRoles"]:
        steps.append(("detach from role %s" % role["RoleName"], iam.detach_role_policy,
                      dict(RoleName=role["RoleName"], PolicyArn=arn)))
    for old in versions:
        if not old.get("IsDefaultVersion"):
            steps.append(("delete version %s" % old["VersionId"], iam.delete_policy_version,
                          dict(PolicyArn=arn, VersionId=old["VersionId"])))
    steps.append(("delete policy %s" % name, iam.delete_policy, dict(PolicyArn=arn)))

    run_removal(task, changes, steps, "IAM policy '%s'" % arn)
    return changes.result(task, policy=view)
