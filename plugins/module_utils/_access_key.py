# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure the IAM user has exactly one usable access key, kept in a vault file (step 2).

The secret access key is shown once, in the CreateAccessKey reply. This code holds it
only in memory and hands it straight to the key store (the vault file, written by the
action plugin); it never puts it in a result, a message or an exception. Two rules
shape every path:

- a key created here is either stored or deleted again before the task ends;
- the vault never points at nothing: a replaced key is deleted only after its
  successor is stored and accepted by STS.

The key store is passed in (see KeyStore), so this module never touches Vault itself.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.spapi.onboarding.plugins.module_utils._aws import (
    AwsFailure,
    call,
    parse_arn,
    read,
    remove,
    signed_with,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._iam import Changes, retry_while
from ansible_collections.spapi.onboarding.plugins.module_utils._validate import (
    ValidationError,
    check_name,
    check_positive,
)

KEYS_PER_USER = 2
# What STS answers, for a few seconds, to a key that IAM has just created.
PROPAGATION_CODES = ("InvalidClientTokenId", "SignatureDoesNotMatch", "AuthFailure", "UnrecognizedClientException")


class AccessKeyError(AwsFailure):
    """The task refuses or fails; carries the key ids worth reporting (never a secret)."""

    def __init__(self, message, code=None, **report):
        super(AccessKeyError, self).__init__(message, code)
        self.report = report


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


def validate_access_key_params(params):
    """Every rule that needs no AWS call and no vault file."""
    check_name(params["user_name"], "user_name", "user")
    if params.get("max_age_days") is not None:
        check_positive(params["max_age_days"], "max_age_days")
        if params["max_age_days"] == 0:
            raise ValidationError("max_age_days", "must be at least 1 day (use rotate=true to rotate now)")
    check_positive(params["wait_timeout"], "wait_timeout")


def _user_name_of(arn):
    return (arn or "").rsplit("/", 1)[-1]


def _key_age_days(key, now):
    created = key.get("CreateDate")
    if not isinstance(created, datetime.datetime):
        return 0.0
    if created.tzinfo is None:
        created = created.replace(tzinfo=datetime.timezone.utc)
    return (now - created).total_seconds() / 86400.0


def _iso(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).isoformat()
    return str(value) if value else None


class _Run:
    """One execution of the module: the plan, then the writes, with what was done so far."""

    def __init__(self, task, store, now=None):
        self.task = task
        self.store = store
        self.params = task.params
        self.name = task.params["user_name"]
        self.iam = task.aws.iam
        self.changes = Changes()
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
        self.stored = store.data or None
        self.stored_id = (self.stored or {}).get("aws_access_key_id")
        self.deleted = []
        self.deactivated = []
        self.unknown_ids = []
        self.user_arn = (self.stored or {}).get("iam_user_arn")

    # -- reading -------------------------------------------------------------------------

    def check_stored_user(self):
        if not self.stored:
            return
        stored_arn = self.stored.get("iam_user_arn")
        if stored_arn and _user_name_of(stored_arn) != self.name:
            raise AccessKeyError(
                "option 'vault_file': %s holds the access key of %s, not of IAM user '%s'; "
                "use another vault_file (nothing was changed)" % (self.store.path, stored_arn, self.name))

    def list_keys(self):
        listing = read("list the access keys of IAM user '%s'" % self.name, self.iam.list_access_keys,
                       UserName=self.name)
        if listing is None:
            return None
        return listing["AccessKeyMetadata"]

    def fetch_user_arn(self):
        """The user's ARN from GetUser; refuses to replace a vaulted key of another account."""
        found = read("read IAM user '%s'" % self.name, self.iam.get_user, UserName=self.name)
        if found is None:
            return None
        arn = found["User"]["Arn"]
        self.task.aws.learn_identity_from(arn)
        self.check_stored_account()
        self.user_arn = arn
        return arn

    def check_stored_account(self):
        """A vaulted key that AWS does not list may belong to another account: never drop it."""
        stored_arn = (self.stored or {}).get("iam_user_arn")
        if not stored_arn or not stored_arn.startswith("arn:"):
            return
        old, here = parse_arn(stored_arn), self.task.aws.identity()
        if (old["partition"], old["account"]) != (here["partition"], here["account"]):
            raise AccessKeyError(
                "option 'vault_file': %s holds a key of %s, in another account than %s; "
                "use another vault_file (nothing was changed)" % (self.store.path, stored_arn, here["account"]))

    # -- unknown keys --------------------------------------------------------------------

    def plan_unknown(self, keys):
        """Return (to_deactivate, to_delete) for keys the vault does not hold; fail when told to."""
        unknown = [k for k in keys if k["AccessKeyId"] != self.stored_id]
        self.unknown_ids = sorted(k["AccessKeyId"] for k in unknown)
        active = [k for k in unknown if k["Status"] == "Active"]
        policy = self.params["on_unknown_keys"]
        if policy == "fail" and active:
            ids = sorted(k["AccessKeyId"] for k in active)
            raise AccessKeyError(
                "IAM user '%s' has active access keys that %s does not hold: %s. Nothing was changed. "
                "Delete or deactivate them, or set on_unknown_keys to deactivate or delete."
                % (self.name, self.store.path, ", ".join(ids)),
                "UnknownAccessKeys", unknown_key_ids=self.unknown_ids)
        if policy == "delete":
            return [], unknown
        if policy == "deactivate":
            return active, []
        return [], []

    def apply_unknown(self, to_deactivate, to_delete):
        for key in to_delete:
            self.delete_key(key["AccessKeyId"], "delete unknown access key %s" % key["AccessKeyId"])
        for key in to_deactivate:
            key_id = key["AccessKeyId"]
            self.changes.add("deactivate unknown access key %s" % key_id)
            if not self.task.check_mode:
                call("deactivate access key %s of IAM user '%s'" % (key_id, self.name), self.iam.update_access_key,
                     UserName=self.name, AccessKeyId=key_id, Status="Inactive")
            self.deactivated.append(key_id)

    def delete_key(self, key_id, description):
        self.changes.add(description)
        if not self.task.check_mode:
            remove("delete access key %s of IAM user '%s'" % (key_id, self.name), self.iam.delete_access_key,
                   UserName=self.name, AccessKeyId=key_id)
        self.deleted.append(key_id)

    def restrict_vault_mode(self):
        """A vault file others can read is brought back to 0600 (a rewrite does that too)."""
        if self.store.loose_mode is None or self.store.restrict is None:
            return
        self.changes.add("set the mode of the vault file %s back to 0600 (it was %04o)"
                         % (self.store.path, self.store.loose_mode))
        if not self.task.check_mode:
            self.store.restrict()

    # -- results -------------------------------------------------------------------------

    def failure(self, message, code, **extra):
        """An AccessKeyError that also reports what this run already did to the user's keys."""
        return AccessKeyError(message, code, unknown_key_ids=self.unknown_ids, deleted_key_ids=self.deleted,
                              deactivated_key_ids=self.deactivated, **extra)

    def diff_state(self, keys, vaulted_id):
        return {"vaulted_access_key_id": vaulted_id,
                "access_keys": dict((k["AccessKeyId"], k["Status"]) for k in keys)}

    def result(self, access_key_id, created=False, rotated=False):
        return self.changes.result(
            self.task,
            access_key_id=access_key_id,
            vault_file=self.store.path,
            user_name=self.name,
            iam_user_arn=self.user_arn,
            created=created,
            rotated=rotated,
            unknown_key_ids=self.unknown_ids,
            deleted_key_ids=self.deleted,
            deactivated_key_ids=self.deactivated,
        )

    # -- present ---------------------------------------------------------------------------

    def replacement_reason(self, vaulted):
        if vaulted is None:
            if self.stored_id:
                return "the vaulted key %s no longer exists in AWS" % self.stored_id
            return "the vault file holds no key"
        if vaulted["Status"] != "Active":
            return "the vaulted key %s is inactive" % self.stored_id
        if self.params["rotate"]:
            return "rotation was requested"
        max_age = self.params.get("max_age_days")
        if max_age and _key_age_days(vaulted, self.now) > max_age:
            return "the vaulted key %s is older than %d days" % (self.stored_id, max_age)
        return None

    def present(self):
        self.check_stored_user()
        keys = self.list_keys()
        if keys is None:
            if not self.task.check_mode:
                raise AccessKeyError("IAM user '%s' does not exist: create it first (spapi.onboarding.iam_user)"
                                     % self.name, "NoSuchEntity")
            # Check mode of a whole chain: the user would be created by an earlier task.
            self.changes.add("create an access key for IAM user %s and store it in %s" % (self.name, self.store.path))
            self.changes.after = {"vaulted_access_key_id": "(new key)", "access_keys": {}}
            return self.result(None, created=True)
        vaulted = next((k for k in keys if k["AccessKeyId"] == self.stored_id), None)
        to_deactivate, to_delete = self.plan_unknown(keys)
        reason = self.replacement_reason(vaulted)
        self.changes.before = self.diff_state(keys, self.stored_id if vaulted else None)

        delete_first = None
        if reason:
            remaining = [k for k in keys if k not in to_delete]
            if len(remaining) >= KEYS_PER_USER:
                if vaulted is not None and vaulted["Status"] != "Active":
                    delete_first = vaulted  # not a working key: nothing is lost by deleting it first
                else:
                    raise AccessKeyError(
                        "IAM user '%s' already has %d access keys (%s), the most AWS allows, so a new key cannot "
                        "be created (%s). Nothing was changed. Delete one of them, or set on_unknown_keys=delete."
                        % (self.name, len(remaining),
                           ", ".join("%s %s%s" % (k["AccessKeyId"], k["Status"].lower(),
                                                  " (vaulted)" if k is vaulted else "") for k in remaining), reason),
                        "LimitExceeded", unknown_key_ids=self.unknown_ids)
            self.fetch_user_arn()

        self.apply_unknown(to_deactivate, to_delete)
        if not reason:
            self.restrict_vault_mode()
            after_keys = [dict(k, Status="Inactive") if k in to_deactivate else k for k in keys if k not in to_delete]
            self.changes.after = self.diff_state(after_keys, self.stored_id)
            return self.result(self.stored_id)

        if delete_first is not None:
            self.delete_key(delete_first["AccessKeyId"],
                            "delete the inactive vaulted key %s to make room" % delete_first["AccessKeyId"])
        old = vaulted if delete_first is None else None
        self.changes.add("create an access key for IAM user %s (%s) and store it in %s"
                         % (self.name, reason, self.store.path))
        if old is not None:
            self.changes.add("verify the new key with sts:GetCallerIdentity, then delete the old key %s"
                             % old["AccessKeyId"])
        after_keys = [dict(k, Status="Inactive") if k in to_deactivate else k
                      for k in keys if k not in to_delete and k is not delete_first and k is not old]
        if self.task.check_mode:
            if old is not None:
                self.deleted.append(old["AccessKeyId"])
            self.changes.after = self.diff_state(after_keys, "(new key)")
            self.changes.after["access_keys"]["(new key)"] = "Active"
            return self.result(None, created=True, rotated=vaulted is not None)

        known_ids = set(k["AccessKeyId"] for k in keys) - set(self.deleted)
        new = self.create_key(known_ids)
        new_id = new["AccessKeyId"]
        self.store_key(new)
        self.check_no_concurrent_key(known_ids, new_id)
        if old is not None:
            self.verify_key(new, old["AccessKeyId"])
            self.delete_key_after_rotation(old["AccessKeyId"], new_id)
        self.changes.after = self.diff_state(after_keys + [{"AccessKeyId": new_id, "Status": "Active"}], new_id)
        return self.result(new_id, created=True, rotated=vaulted is not None)

    def create_key(self, known_ids):
        """CreateAccessKey; a key that may have come from a lost or retried call is deleted again."""
        try:
            reply = call("create an access key for IAM user '%s'" % self.name, self.iam.create_access_key,
                         UserName=self.name)
        except AwsFailure as exc:
            note = self.reconcile(known_ids)
            raise self.failure("%s%s" % (exc, note), exc.code)
        key = reply["AccessKey"]
        if (reply.get("ResponseMetadata") or {}).get("RetryAttempts"):
            # botocore retried the call: an earlier attempt may have created a key whose reply was lost.
            self.reconcile(known_ids | set([key["AccessKeyId"]]))
        return key

    def reconcile(self, known_ids):
        """Delete keys that appeared during this run and that nothing holds; describe it."""
        try:
            keys = self.list_keys() or []
        except AwsFailure as exc:
            return ("; a key may have been created before the failure and could not be checked (%s): "
                    "list the user's keys" % exc)
        strays = [k["AccessKeyId"] for k in keys if k["AccessKeyId"] not in known_ids]
        deleted = []
        for key_id in strays:
            try:
                remove("delete access key %s of IAM user '%s'" % (key_id, self.name), self.iam.delete_access_key,
                       UserName=self.name, AccessKeyId=key_id)
                deleted.append(key_id)
            except AwsFailure:
                pass
        self.deleted.extend(deleted)
        if not strays:
            return ""
        left = [k for k in strays if k not in deleted]
        note = "; the key created by a lost or retried call was deleted again: %s" % ", ".join(deleted) if deleted else ""
        if left:
            note += "; a key whose secret is lost could not be deleted, delete it by hand: %s" % ", ".join(left)
        return note

    def check_no_concurrent_key(self, known_ids, new_id):
        """After the new key is stored: an active key that appeared meanwhile was made by another
        run for this user with another vault file (runs sharing a vault file take turns on its
        lock). Both runs would otherwise end "ok" with two keys; the later one always sees the
        other's key here, and stops with a decision to make."""
        try:
            keys = self.list_keys() or []
        except AwsFailure:
            return  # cannot look now; the next run sees any such key among the unknown ones
        others = sorted(k["AccessKeyId"] for k in keys
                        if k["AccessKeyId"] not in known_ids and k["AccessKeyId"] != new_id and k["Status"] == "Active")
        if not others:
            return
        self.unknown_ids = sorted(set(self.unknown_ids) | set(others))
        raise self.failure(
            "IAM user '%s' got another active access key while this run created %s: %s. Another run with another "
            "vault file is creating keys for the same user. The new key %s is stored in %s. Decide which vault file "
            "keeps the user's key, then re-run from it with on_unknown_keys=delete (or delete %s by hand)."
            % (self.name, new_id, ", ".join(others), new_id, self.store.path, ", ".join(others)),
            "ConcurrentAccessKey", access_key_id=new_id)

    def store_key(self, new):
        """Write the vault file; if that fails, delete the new key before failing."""
        new_id = new["AccessKeyId"]
        data = {
            "aws_access_key_id": new_id,
            "aws_secret_access_key": new["SecretAccessKey"],
            "iam_user_arn": self.user_arn,
            "created": _iso(new.get("CreateDate")) or _iso(self.now),
        }
        try:
            self.store.write(data)
        except BaseException as exc:
            reason = str(exc) if isinstance(exc, Exception) else type(exc).__name__
            try:
                remove("delete access key %s of IAM user '%s'" % (new_id, self.name), self.iam.delete_access_key,
                       UserName=self.name, AccessKeyId=new_id)
            except AwsFailure as delete_exc:
                message = ("Could not store the new access key %s: %s. Deleting it again also failed (%s): "
                           "its secret is lost, delete the key %s by hand." % (new_id, reason, delete_exc, new_id))
            else:
                message = ("Could not store the new access key %s: %s. The new key was deleted again (rolled back), "
                           "so no key was added; the vault file is unchanged." % (new_id, reason))
            if not isinstance(exc, Exception):
                raise
            raise self.failure(message, "VaultWriteFailed")

    def verify_key(self, new, old_id):
        """Wait until STS accepts the new key, bounded by wait_timeout, and check whose it is.

        On failure the old key stays in AWS (it may be the only working one) and is named."""
        client = signed_with(self.params, new["AccessKeyId"], new["SecretAccessKey"]).sts
        try:
            identity = retry_while(
                lambda exc: exc.code in PROPAGATION_CODES,
                lambda: call("authenticate with the new access key %s (sts:GetCallerIdentity)" % new["AccessKeyId"],
                             client.get_caller_identity),
                self.params["wait_timeout"])
        except AwsFailure as exc:
            raise self.failure(
                "%s within %s seconds. The new key is stored in %s; the old key %s was kept in AWS and should be "
                "deleted once the new key works." % (exc, self.params["wait_timeout"], self.store.path, old_id),
                exc.code, access_key_id=new["AccessKeyId"], old_access_key_id=old_id)
        if self.user_arn and _user_name_of(identity.get("Arn")) != self.name:
            raise self.failure(
                "The new access key %s authenticates as %s, not as IAM user '%s'; the old key %s was kept in AWS."
                % (new["AccessKeyId"], identity.get("Arn"), self.name, old_id), "WrongIdentity",
                access_key_id=new["AccessKeyId"], old_access_key_id=old_id)

    def delete_key_after_rotation(self, old_id, new_id):
        try:
            remove("delete the old access key %s of IAM user '%s'" % (old_id, self.name), self.iam.delete_access_key,
                   UserName=self.name, AccessKeyId=old_id)
        except AwsFailure as exc:
            raise self.failure("%s. The new key %s is stored in %s and works; delete the old key %s by hand."
                               % (exc, new_id, self.store.path, old_id), exc.code, access_key_id=new_id,
                               old_access_key_id=old_id)
        self.deleted.append(old_id)

    # -- absent ----------------------------------------------------------------------------

    def absent(self):
        self.check_stored_user()
        keys = self.list_keys()
        if keys is None:
            keys = []
        vaulted = next((k for k in keys if k["AccessKeyId"] == self.stored_id), None)
        to_deactivate, to_delete = self.plan_unknown(keys)
        if self.stored and vaulted is None:
            self.check_stored_account()  # refuses to drop the only copy of another account's key
        self.changes.before = self.diff_state(keys, self.stored_id)
        self.apply_unknown(to_deactivate, to_delete)
        if vaulted is not None:
            self.delete_key(vaulted["AccessKeyId"], "delete the vaulted access key %s" % vaulted["AccessKeyId"])
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
        after_keys = [dict(k, Status="Inactive") if k in to_deactivate else k
                      for k in keys if k not in to_delete and k is not vaulted]
        self.changes.after = self.diff_state(after_keys, None)
        return self.result(None)


def ensure_access_key(task, store, now=None):
    """Converge the user's access keys and the vault file; return the module result."""
    validate_access_key_params(task.params)
    run = _Run(task, store, now)
    if task.params["state"] == "absent":
        return run.absent()
    return run.present()
