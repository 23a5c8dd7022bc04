# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure the IAM user has exactly one usable access key, kept in a vault file (step 2).

Three parts: the pure plan (_access_key_plan: the keys read, the vaulted key and the
options -> what to do and why, or a refusal), this executor (the reads, the deletions and
deactivations the plan asks for, the result), and the new key's own path
(_new_access_key: create -> store -> verify -> delete the old key).

The key store is passed in (see KeyStore), so this module never touches Vault itself;
the secret is never put in a result, a message or an exception.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.plan import (
    NEW_KEY,
    AccessKeyError,
    AccessKeyFailed,
    AccessKeyRefused,
    check_vault_account,
    check_vault_user,
    key_states,
    plan_absent,
    plan_present,
    validate_access_key_params,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import call, read
from ansible_collections.spapi.onboarding.plugins.module_utils._common.dates import utc_now
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import Changes
from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.new_key import (
    create_store_verify,
    delete_access_key,
)

# What the action plugin and iam_plan use; the errors are defined with the plan that raises most of them.
__all__ = ("AccessKeyError", "AccessKeyFailed", "AccessKeyRefused", "KeyStore", "ensure_access_key",
           "validate_access_key_params")


class KeyStore:
    """Where the key lives: the vault file, as the action plugin reads and writes it.

    data: the collection's keys in the file (a dict), or None when the file does not exist or
      holds none of them.
    write(data): stores these keys, atomically; raises with a message that holds no content.
    remove(): takes the collection's keys out: deletes the file, or rewrites it without them
      when it also holds other keys (keeps_other_keys).
    loose_mode: the file's permission bits when they are not 0600, else None;
      restrict() brings them back to 0600.
    """

    def __init__(self, path, data, write, remove, keeps_other_keys=False, loose_mode=None, restrict=None):
        self.path = path
        self.data = data
        self.write = write
        self.remove = remove
        self.keeps_other_keys = keeps_other_keys
        self.loose_mode = loose_mode
        self.restrict = restrict


class _Executor:
    """Carries out a KeyPlan against AWS and the key store, keeping what it did (key ids only)."""

    def __init__(self, task, store, now=None):
        self.task = task
        self.store = store
        self.name = task.params["user_name"]
        self.iam = task.aws.iam
        self.changes = Changes()
        self.now = now or utc_now()
        self.stored = store.data or None
        self.stored_id = (self.stored or {}).get("aws_access_key_id")
        self.user_arn = (self.stored or {}).get("iam_user_arn")
        self.deleted, self.deactivated, self.unknown_ids = [], [], []

    # -- reads -----------------------------------------------------------------------------

    def list_keys(self):
        listing = read("list the access keys of IAM user '%s'" % self.name, self.iam.list_access_keys,
                       UserName=self.name)
        return None if listing is None else listing["AccessKeyMetadata"]

    def plan(self, make_plan, *inputs):
        """The plan for this user from what was read; its unknown keys are reported from now on."""
        plan = make_plan(self.name, *inputs)
        self.unknown_ids = plan.unknown_ids
        return plan

    def fetch_user_arn(self):
        """The user's ARN from GetUser; refuses to replace a vaulted key of another account."""
        found = read("read IAM user '%s'" % self.name, self.iam.get_user, UserName=self.name)
        if found is not None:
            self.user_arn = found["User"]["Arn"]
            self.task.aws.learn_identity_from(self.user_arn)
            self.check_vault_account()

    def check_vault_account(self):
        check_vault_account((self.stored or {}).get("iam_user_arn"), self.task.aws.identity(), self.store.path)

    # -- writes (none in check mode) ---------------------------------------------------------

    def delete_key(self, key_id, description):
        self.changes.add(description)
        if not self.task.check_mode:
            delete_access_key(self, key_id)
        self.deleted.append(key_id)

    def apply_unknown(self, plan):
        for key in plan.delete_unknown:
            self.delete_key(key["AccessKeyId"], "delete unknown access key %s" % key["AccessKeyId"])
        for key in plan.deactivate:
            key_id = key["AccessKeyId"]
            self.changes.add("deactivate unknown access key %s" % key_id)
            if not self.task.check_mode:
                call("deactivate access key %s of IAM user '%s'" % (key_id, self.name), self.iam.update_access_key,
                     UserName=self.name, AccessKeyId=key_id, Status="Inactive")
            self.deactivated.append(key_id)

    def restrict_vault_mode(self):
        """A vault file others can read is brought back to 0600 (a rewrite does that too)."""
        if self.store.loose_mode is None or self.store.restrict is None:
            return
        self.changes.add("set the mode of the vault file %s back to 0600 (it was %04o)"
                         % (self.store.path, self.store.loose_mode))
        if not self.task.check_mode:
            self.store.restrict()

    # -- results -----------------------------------------------------------------------------

    def failure(self, message, code, **extra):
        """An AccessKeyFailed that also reports what this run already did to the user's keys."""
        return AccessKeyFailed(message, code, unknown_key_ids=self.unknown_ids, deleted_key_ids=self.deleted,
                               deactivated_key_ids=self.deactivated, **extra)

    def result(self, access_key_id, created=False, rotated=False):
        return self.changes.result(
            self.task, access_key_id=access_key_id, vault_file=self.store.path, user_name=self.name,
            iam_user_arn=self.user_arn, created=created, rotated=rotated, unknown_key_ids=self.unknown_ids,
            deleted_key_ids=self.deleted, deactivated_key_ids=self.deactivated)

    # -- state=present -------------------------------------------------------------------------

    def present(self):
        check_vault_user(self.user_arn, self.name, self.store.path)
        keys = self.list_keys()
        if keys is None:
            if not self.task.check_mode:
                raise AccessKeyRefused("user_name", "IAM user '%s' does not exist: create it first "
                                                    "(spapi.onboarding.iam_user)" % self.name, "NoSuchEntity")
            # Check mode of a whole chain: the user would be created by an earlier task.
            self.changes.add("create an access key for IAM user %s and store it in %s" % (self.name, self.store.path))
            self.changes.after = {"vaulted_access_key_id": NEW_KEY, "access_keys": {}}
            return self.result(None, created=True)
        plan = self.plan(plan_present, keys, self.stored_id, self.task.params, self.now, self.store.path)
        self.changes.before = key_states(keys, self.stored_id if plan.vaulted else None)
        if plan.reason:
            self.fetch_user_arn()
        self.apply_unknown(plan)
        if not plan.reason:
            self.restrict_vault_mode()
            self.changes.after = plan.after()
            return self.result(self.stored_id)
        return self.replace(plan, keys)

    def replace(self, plan, keys):
        """Make room, create the new key, store it, and only then retire the vaulted one."""
        if plan.delete_first is not None:
            key_id = plan.delete_first["AccessKeyId"]
            self.delete_key(key_id, "delete the inactive vaulted key %s to make room" % key_id)
        old = plan.replace
        self.changes.add("create an access key for IAM user %s (%s) and store it in %s"
                         % (self.name, plan.reason, self.store.path))
        if old is not None:
            self.changes.add("verify the new key with sts:GetCallerIdentity, then delete the old key %s"
                             % old["AccessKeyId"])
        rotated = plan.vaulted is not None
        if self.task.check_mode:
            if old is not None:
                self.deleted.append(old["AccessKeyId"])
            self.changes.after = plan.after(NEW_KEY)
            return self.result(None, created=True, rotated=rotated)

        known_ids = set(k["AccessKeyId"] for k in keys) - set(self.deleted)
        new_id = create_store_verify(self, known_ids, old["AccessKeyId"] if old is not None else None)
        self.changes.after = plan.after(new_id)
        return self.result(new_id, created=True, rotated=rotated)

    # -- state=absent ---------------------------------------------------------------------------

    def absent(self):
        check_vault_user(self.user_arn, self.name, self.store.path)
        keys = self.list_keys() or []
        plan = self.plan(plan_absent, keys, self.stored_id, self.task.params, self.store.path)
        if self.stored and plan.vaulted is None:
            self.check_vault_account()  # refuses to drop the only copy of another account's key
        self.changes.before = key_states(keys, self.stored_id)
        self.apply_unknown(plan)
        if plan.delete_vaulted is not None:
            key_id = plan.delete_vaulted["AccessKeyId"]
            self.delete_key(key_id, "delete the vaulted access key %s" % key_id)
        if self.stored is not None:
            if self.store.keeps_other_keys:
                self.changes.add("remove the access key from the vault file %s (its other variables are kept)"
                                 % self.store.path)
            else:
                self.changes.add("remove the vault file %s" % self.store.path)
            if not self.task.check_mode:
                self.store.remove()
        elif self.store.keeps_other_keys:
            self.restrict_vault_mode()
        self.changes.after = plan.after()
        return self.result(None)


def ensure_access_key(task, store, now=None):
    """Converge the user's access keys and the vault file; return the module result.

    Raises AccessKeyRefused (a ValidationError naming the option) before any write when the
    run needs a decision of the user, AccessKeyFailed when an AWS call fails on the way."""
    validate_access_key_params(task.params)
    run = _Executor(task, store, now)
    if task.params["state"] == "absent":
        return run.absent()
    return run.present()
