# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What access_key does to a user's keys, and why: decided from what was read, with no I/O.

Inputs: the user's keys as ListAccessKeys lists them, the vaulted key id, the task's
options and the time. Output: a KeyPlan (which unknown keys to deactivate or delete,
whether and why a new key is needed, which old key makes room or is replaced) or a
refusal (AccessKeyRefused) when the run cannot go on without a decision of the user.
The executor (_access_key) carries the plan out; every rule here is table-tested.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure, parse_arn
from ansible_collections.spapi.onboarding.plugins.module_utils._common.dates import days_between
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import (
    ValidationError,
    check_arn,
    check_at_least_one,
    check_name,
    check_zero_or_more,
)

KEYS_PER_USER = 2
NEW_KEY = "(new key)"  # stands for the key a check-mode run would create


class AccessKeyError(SpapiError):
    """What access_key raises; `report` holds the key ids worth reporting (never a secret)."""

    code = None
    report = {}


class AccessKeyRefused(AccessKeyError, ValidationError):
    """Refused before any write: the vault file, the user's keys or the limit of two keys stand in the way.

    A ValidationError naming the option that decides, so that a plan (iam_plan) names the variable behind it."""

    def __init__(self, option, rule, code=None, **report):
        ValidationError.__init__(self, option, rule)
        self.code = code
        self.report = report


class AccessKeyFailed(AccessKeyError, AwsFailure):
    """An AWS call failed during the run; the message says what was already done to the keys."""

    def __init__(self, message, code=None, **report):
        AwsFailure.__init__(self, message, code)
        self.report = report


def validate_access_key_params(params):
    """Every rule that needs no AWS call and no vault file."""
    check_name(params["user_name"], "user_name", "user")
    if params.get("max_age_days") is not None:
        check_at_least_one(params["max_age_days"], "max_age_days", "day", "use rotate=true to rotate now")
    check_zero_or_more(params["wait_timeout"], "wait_timeout")
    if params.get("verify_role_arn"):
        check_arn(params["verify_role_arn"], "verify_role_arn", "role")


def user_name_of(arn):
    return (arn or "").rsplit("/", 1)[-1]


def check_vault_user(stored_arn, user_name, vault_path):
    """A vault file holding another user's key is never used for this one."""
    if stored_arn and user_name_of(stored_arn) != user_name:
        raise AccessKeyRefused(
            "vault_file", "%s holds the access key of %s, not of IAM user '%s'; use another vault_file "
                          "(nothing was changed)" % (vault_path, stored_arn, user_name))


def check_vault_account(stored_arn, here, vault_path):
    """A vaulted key of another account (or partition) is not this account's to drop or replace.

    here: the account's identity ({"partition", "account"}), as AWS reports it."""
    if not stored_arn or not stored_arn.startswith("arn:"):
        return
    old = parse_arn(stored_arn)
    if (old["partition"], old["account"]) != (here["partition"], here["account"]):
        raise AccessKeyRefused(
            "vault_file", "%s holds a key of %s, in another account than %s; use another vault_file "
                          "(nothing was changed)" % (vault_path, stored_arn, here["account"]))


def key_states(keys, vaulted_id):
    """The diff's view of the user's keys: ids and statuses, and which one the vault holds."""
    return {"vaulted_access_key_id": vaulted_id, "access_keys": dict((k["AccessKeyId"], k["Status"]) for k in keys)}


class KeyPlan:
    """What to do to the user's keys. The key lists hold ListAccessKeys entries."""

    def __init__(self, keys, stored_id):
        self.keys = keys
        self.stored_id = stored_id
        self.vaulted = next((k for k in keys if k["AccessKeyId"] == stored_id), None) if stored_id else None
        self.unknown_ids = sorted(k["AccessKeyId"] for k in keys if k is not self.vaulted)
        self.deactivate = []  # unknown active keys made inactive
        self.delete_unknown = []  # unknown keys deleted
        self.reason = None  # why a new key is created; None keeps the vaulted key
        self.delete_first = None  # the inactive vaulted key, deleted to make room for the new one
        self.replace = None  # the vaulted key, deleted once the new key is stored and verified
        self.removing = False  # state=absent: the vault gives up its key
        self.delete_vaulted = None  # state=absent: the vaulted key, when AWS still lists it

    def after(self, new_id=None):
        """The keys once the plan is carried out; new_id: the created key, or NEW_KEY in check mode."""
        gone = [self.delete_first, self.replace, self.delete_vaulted]
        kept = [dict(k, Status="Inactive") if k in self.deactivate else k for k in self.keys
                if k not in self.delete_unknown and not any(k is g for g in gone)]
        if new_id:
            return key_states(kept + [{"AccessKeyId": new_id, "Status": "Active"}], new_id)
        return key_states(kept, None if self.removing else self.stored_id)


def _plan_unknown(plan, user_name, on_unknown_keys, vault_path):
    """Keys the vault does not hold: on_unknown_keys decides, and "fail" refuses while any is active."""
    unknown = [k for k in plan.keys if k is not plan.vaulted]
    active = [k for k in unknown if k["Status"] == "Active"]
    if on_unknown_keys == "fail" and active:
        raise AccessKeyRefused(
            "on_unknown_keys", "IAM user '%s' has active access keys that %s does not hold: %s. Nothing was changed. "
            "First check that vault_file names the file that holds this user's key: a mistyped path looks just "
            "like this. Another operator's machine or an AWX job may hold such a key in a vault of its own, and "
            "deleting it would stop them: keep one shared vault per identity (vault_file: s3://BUCKET/KEY, see "
            "docs/awx.md) and run from it. Only if no vault anywhere holds those keys, delete or deactivate them, or "
            "set on_unknown_keys to deactivate or delete."
            % (user_name, vault_path, ", ".join(sorted(k["AccessKeyId"] for k in active))),
            "UnknownAccessKeys", unknown_key_ids=plan.unknown_ids)
    if on_unknown_keys == "delete":
        plan.delete_unknown = unknown
    elif on_unknown_keys == "deactivate":
        plan.deactivate = active


def key_age_days(key, now):
    """How old AWS says a key is (its CreateDate), in days."""
    return days_between(key.get("CreateDate"), now)


def replacement_reason(vaulted, stored_id, options, now):
    """Why the vaulted key must be replaced by a new one, or None when it serves."""
    if vaulted is None:
        if stored_id:
            return "the vaulted key %s no longer exists in AWS" % stored_id
        return "the vault file holds no key"
    if vaulted["Status"] != "Active":
        return "the vaulted key %s is inactive" % stored_id
    if options["rotate"]:
        return "rotation was requested"
    max_age = options.get("max_age_days")
    if max_age and key_age_days(vaulted, now) > max_age:
        return "the vaulted key %s is older than %d days" % (stored_id, max_age)
    return None


def plan_present(user_name, keys, stored_id, options, now, vault_path):
    """state=present: keep the vaulted key, or make a new one (with room for it) and say why."""
    plan = KeyPlan(keys, stored_id)
    _plan_unknown(plan, user_name, options["on_unknown_keys"], vault_path)
    plan.reason = replacement_reason(plan.vaulted, stored_id, options, now)
    if not plan.reason:
        return plan
    remaining = [k for k in keys if k not in plan.delete_unknown]
    if len(remaining) >= KEYS_PER_USER:
        if plan.vaulted is None or plan.vaulted["Status"] == "Active":
            raise AccessKeyRefused(
                "on_unknown_keys", "IAM user '%s' already has %d access keys (%s), the most AWS allows, so a new key "
                "cannot be created (%s). Nothing was changed. Delete one of them, or set on_unknown_keys=delete."
                % (user_name, len(remaining),
                   ", ".join("%s %s%s" % (k["AccessKeyId"], k["Status"].lower(),
                                          " (vaulted)" if k is plan.vaulted else "") for k in remaining),
                   plan.reason),
                "LimitExceeded", unknown_key_ids=plan.unknown_ids)
        plan.delete_first = plan.vaulted  # not a working key: nothing is lost by deleting it first
    else:
        plan.replace = plan.vaulted
    return plan


def plan_absent(user_name, keys, stored_id, options, vault_path):
    """state=absent: the vaulted key goes, the unknown ones as on_unknown_keys says."""
    plan = KeyPlan(keys, stored_id)
    _plan_unknown(plan, user_name, options["on_unknown_keys"], vault_path)
    plan.removing = True
    plan.delete_vaulted = plan.vaulted
    return plan
