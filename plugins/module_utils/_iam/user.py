# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure the IAM user of the SP-API chain (step 1 of the onboarding)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import adopt_existing, call, read
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import (
    Changes,
    list_all,
    run_removal,
    sync_tags,
    tags_to_dict,
    tags_to_list,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import (
    check_arn,
    check_name,
    check_path,
    check_tags,
)


# What IAM refuses to delete a user with, in removal order:
# (what, listing, its result key, the id of an item, words for the step, the removal call).
USER_DEPENDANTS = (
    ("access keys", "list_access_keys", "AccessKeyMetadata", "AccessKeyId", "delete access key", "delete_access_key"),
    ("inline policies", "list_user_policies", "PolicyNames", "PolicyName", "delete inline policy", "delete_user_policy"),
    ("attached policies", "list_attached_user_policies", "AttachedPolicies", "PolicyArn", "detach policy",
     "detach_user_policy"),
    ("groups", "list_groups_for_user", "Groups", "GroupName", "remove from group", "remove_user_from_group"),
    ("MFA devices", "list_mfa_devices", "MFADevices", "SerialNumber", "deactivate MFA device", "deactivate_mfa_device"),
    ("SSH public keys", "list_ssh_public_keys", "SSHPublicKeys", "SSHPublicKeyId", "delete SSH public key",
     "delete_ssh_public_key"),
    ("signing certificates", "list_signing_certificates", "Certificates", "CertificateId", "delete signing certificate",
     "delete_signing_certificate"),
)


def validate_user_params(params):
    check_name(params["name"], "name", "user")
    if params.get("path") is not None:
        check_path(params["path"])
    params["tags"] = check_tags(params.get("tags"))
    if params.get("permissions_boundary"):
        check_arn(params["permissions_boundary"], "permissions_boundary", "policy")


def user_view(user, tags):
    return {
        "arn": user["Arn"],
        "user_name": user["UserName"],
        "user_id": user.get("UserId"),
        "path": user.get("Path", "/"),
        "tags": tags,
        "permissions_boundary": (user.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
    }


def _state(view):
    return {"path": view["path"], "tags": view["tags"], "permissions_boundary": view["permissions_boundary"]}


def ensure_user(task):
    params = task.params
    validate_user_params(params)
    iam = task.aws.iam
    name = params["name"]
    found = read("read IAM user '%s'" % name, iam.get_user, UserName=name)
    current = found["User"] if found else None
    if current:
        task.aws.learn_identity_from(current["Arn"])
    if params["state"] == "absent":
        return remove_user(task, current)
    if current is None:
        return create_user(task)
    return update_user(task, current)


def create_user(task):
    params, iam, changes = task.params, task.aws.iam, Changes()
    name, path = params["name"], params.get("path") or "/"
    changes.add("create user %s" % name)
    request = dict(UserName=name, Path=path)
    if params.get("tags"):
        request["Tags"] = tags_to_list(params["tags"])
    if params.get("permissions_boundary"):
        request["PermissionsBoundary"] = params["permissions_boundary"]
    if task.check_mode:
        view = {
            "arn": task.aws.arn("user", path, name),
            "user_name": name,
            "user_id": None,
            "path": path,
            "tags": params.get("tags") or {},
            "permissions_boundary": params.get("permissions_boundary") or None,
        }
    else:
        reply, created = adopt_existing(
            lambda: call("create IAM user '%s'" % name, iam.create_user, **request),
            lambda: read("read IAM user '%s'" % name, iam.get_user, UserName=name))
        if not created:
            return update_user(task, reply["User"], changes)
        view = user_view(reply["User"], params.get("tags") or {})
        view["permissions_boundary"] = params.get("permissions_boundary") or None
    changes.after = _state(view)
    return changes.result(task, user=view, created=True)


def update_user(task, current, changes=None):
    params, iam = task.params, task.aws.iam
    changes = changes or Changes()
    name = params["name"]
    view = user_view(current, tags_to_dict(current.get("Tags")))
    changes.before = _state(view)

    wanted_path = params.get("path")
    if wanted_path and wanted_path != view["path"]:
        changes.add("move user %s to path %s" % (name, wanted_path))
        if not task.check_mode:
            call("move IAM user '%s' to path %s" % (name, wanted_path), iam.update_user, UserName=name, NewPath=wanted_path)
        view["path"] = wanted_path
        view["arn"] = view["arn"].rsplit(":", 1)[0] + ":user" + wanted_path + name

    view["tags"] = sync_tags(task, changes, "user", name, view["tags"], {"UserName": name}, iam.tag_user, iam.untag_user)

    boundary = params.get("permissions_boundary")
    if boundary is not None and boundary != (view["permissions_boundary"] or ""):
        if boundary:
            changes.add("set permissions boundary of user %s" % name)
            if not task.check_mode:
                call("set the permissions boundary of IAM user '%s'" % name, iam.put_user_permissions_boundary,
                     UserName=name, PermissionsBoundary=boundary)
        else:
            changes.add("remove permissions boundary of user %s" % name)
            if not task.check_mode:
                call("remove the permissions boundary of IAM user '%s'" % name,
                     iam.delete_user_permissions_boundary, UserName=name)
        view["permissions_boundary"] = boundary or None

    changes.after = _state(view)
    return changes.result(task, user=view, created=False)


def remove_user(task, current):
    """Delete the user after what IAM requires to be gone first."""
    iam, changes = task.aws.iam, Changes()
    name = task.params["name"]
    if current is None:
        return changes.result(task, user={})
    view = user_view(current, tags_to_dict(current.get("Tags")))
    changes.before = _state(view)
    changes.after = {}

    found = {}
    steps = []
    for what, listing, result_key, id_key, words, removal in USER_DEPENDANTS:
        items = list_all("list %s of IAM user '%s'" % (what, name), iam, listing, result_key, UserName=name)
        found[what] = [item if isinstance(item, str) else item[id_key] for item in items]
        steps.extend(("%s %s" % (words, ident), getattr(iam, removal), {"UserName": name, id_key: ident})
                     for ident in found[what])
    if read("read the console login profile of IAM user '%s'" % name, iam.get_login_profile, UserName=name):
        steps.append(("delete console login profile", iam.delete_login_profile, dict(UserName=name)))
    steps.append(("delete user %s" % name, iam.delete_user, dict(UserName=name)))

    run_removal(task, changes, steps, "IAM user '%s'" % name)
    return changes.result(task, user=view, deleted_access_key_ids=found["access keys"])
