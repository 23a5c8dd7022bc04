# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A new access key, from CreateAccessKey to the old key's deletion: create -> store -> verify -> delete.

The secret exists only in the CreateAccessKey reply: it goes straight to the key store and
to the STS client that proves the key, never into a result, a message or an exception.
Two rules shape every step:

- a key created here is either stored or deleted again before the task ends;
- the vault never points at nothing: the replaced key is deleted only after its
  successor is stored and accepted by STS.

`run` is the access_key executor (_access_key._Executor): the task, the key store, the
user, and the ids of the keys this run deleted so far.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.plan import user_name_of
from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure, call, remove, signed_with
from ansible_collections.spapi.onboarding.plugins.module_utils._common.dates import iso_utc
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import retry_while

# What STS answers, for a few seconds, to a key that IAM has just created.
PROPAGATION_CODES = ("InvalidClientTokenId", "SignatureDoesNotMatch", "AuthFailure", "UnrecognizedClientException")


def create_store_verify(run, known_ids, old_id=None):
    """Create a key, store it, and when it replaces old_id, verify it and delete old_id; return its id."""
    new = create_key(run, known_ids)
    new_id = new["AccessKeyId"]
    store_key(run, new)
    check_no_concurrent_key(run, known_ids, new_id)
    if old_id is not None:
        verify_key(run, new, old_id)
        delete_key_after_rotation(run, old_id, new_id)
    return new_id


def delete_access_key(run, key_id, what="access key"):
    """DeleteAccessKey; a key already gone counts as deleted."""
    remove("delete %s %s of IAM user '%s'" % (what, key_id, run.name), run.iam.delete_access_key,
           UserName=run.name, AccessKeyId=key_id)


def create_key(run, known_ids):
    """CreateAccessKey; a key that may have come from a lost or retried call is deleted again."""
    try:
        reply = call("create an access key for IAM user '%s'" % run.name, run.iam.create_access_key,
                     UserName=run.name)
    except AwsFailure as exc:
        note = reconcile(run, known_ids)
        raise run.failure("%s%s" % (exc, note), exc.code)
    key = reply["AccessKey"]
    if (reply.get("ResponseMetadata") or {}).get("RetryAttempts"):
        # botocore retried the call: an earlier attempt may have created a key whose reply was lost.
        reconcile(run, known_ids | set([key["AccessKeyId"]]))
    return key


def reconcile(run, known_ids):
    """Delete keys that appeared during this run and that nothing holds; describe it."""
    try:
        keys = run.list_keys() or []
    except AwsFailure as exc:
        return ("; a key may have been created before the failure and could not be checked (%s): "
                "list the user's keys" % exc)
    strays = [k["AccessKeyId"] for k in keys if k["AccessKeyId"] not in known_ids]
    deleted = []
    for key_id in strays:
        try:
            delete_access_key(run, key_id)
            deleted.append(key_id)
        except AwsFailure:
            pass
    run.deleted.extend(deleted)
    if not strays:
        return ""
    left = [k for k in strays if k not in deleted]
    note = "; the key created by a lost or retried call was deleted again: %s" % ", ".join(deleted) if deleted else ""
    if left:
        note += "; a key whose secret is lost could not be deleted, delete it by hand: %s" % ", ".join(left)
    return note


def check_no_concurrent_key(run, known_ids, new_id):
    """After the new key is stored: an active key that appeared meanwhile was made by another
    run for this user with another vault file (runs sharing a vault file take turns on its
    lock). Both runs would otherwise end "ok" with two keys; the later one always sees the
    other's key here, and stops with a decision to make."""
    try:
        keys = run.list_keys() or []
    except AwsFailure:
        return  # cannot look now; the next run sees any such key among the unknown ones
    others = sorted(k["AccessKeyId"] for k in keys
                    if k["AccessKeyId"] not in known_ids and k["AccessKeyId"] != new_id and k["Status"] == "Active")
    if not others:
        return
    run.unknown_ids = sorted(set(run.unknown_ids) | set(others))
    raise run.failure(
        "IAM user '%s' got another active access key while this run created %s: %s. Another run with another "
        "vault file is creating keys for the same user. The new key %s is stored in %s. Decide which vault file "
        "keeps the user's key, then re-run from it with on_unknown_keys=delete (or delete %s by hand)."
        % (run.name, new_id, ", ".join(others), new_id, run.store.path, ", ".join(others)),
        "ConcurrentAccessKey", access_key_id=new_id)


def store_key(run, new):
    """Write the vault file; if that fails, delete the new key before failing."""
    new_id = new["AccessKeyId"]
    data = {
        "aws_access_key_id": new_id,
        "aws_secret_access_key": new["SecretAccessKey"],
        "iam_user_arn": run.user_arn,
        "created": iso_utc(new.get("CreateDate")) or iso_utc(run.now),
    }
    try:
        run.store.write(data)
    except BaseException as exc:
        reason = str(exc) if isinstance(exc, Exception) else type(exc).__name__
        try:
            delete_access_key(run, new_id)
        except AwsFailure as delete_exc:
            message = ("Could not store the new access key %s: %s. Deleting it again also failed (%s): "
                       "its secret is lost, delete the key %s by hand." % (new_id, reason, delete_exc, new_id))
        else:
            message = ("Could not store the new access key %s: %s. The new key was deleted again (rolled back), "
                       "so no key was added; the vault file is unchanged." % (new_id, reason))
        if not isinstance(exc, Exception):
            raise
        raise run.failure(message, "VaultWriteFailed")


def verify_key(run, new, old_id):
    """Wait until STS accepts the new key, bounded by wait_timeout, and check whose it is.

    On failure the old key stays in AWS (it may be the only working one) and is named."""
    params = run.task.params
    client = signed_with(params, new["AccessKeyId"], new["SecretAccessKey"]).sts
    try:
        identity = retry_while(
            lambda exc: exc.code in PROPAGATION_CODES,
            lambda: call("authenticate with the new access key %s (sts:GetCallerIdentity)" % new["AccessKeyId"],
                         client.get_caller_identity),
            params["wait_timeout"])
    except AwsFailure as exc:
        raise run.failure(
            "%s within %s seconds. The new key is stored in %s; the old key %s was kept in AWS and should be "
            "deleted once the new key works." % (exc, params["wait_timeout"], run.store.path, old_id),
            exc.code, access_key_id=new["AccessKeyId"], old_access_key_id=old_id)
    if run.user_arn and user_name_of(identity.get("Arn")) != run.name:
        raise run.failure(
            "The new access key %s authenticates as %s, not as IAM user '%s'; the old key %s was kept in AWS."
            % (new["AccessKeyId"], identity.get("Arn"), run.name, old_id), "WrongIdentity",
            access_key_id=new["AccessKeyId"], old_access_key_id=old_id)
    if params.get("verify_role_arn"):
        assume_with_new_key(run, client, new["AccessKeyId"], params["verify_role_arn"], old_id)


def assume_with_new_key(run, sts, key_id, role_arn, old_id):
    """The new key does what SP-API clients do with it, sts:AssumeRole on the role, before the old key goes.

    A key minutes old may still be refused (AccessDenied included) while STS propagates it: waited
    out within wait_timeout. The credentials STS returns are dropped at once."""
    params = run.task.params
    try:
        retry_while(lambda exc: exc.code in PROPAGATION_CODES + ("AccessDenied",),
                    lambda: call("assume IAM role %s with the new access key %s" % (role_arn, key_id),
                                 sts.assume_role, RoleArn=role_arn, RoleSessionName="spapi-onboarding-rotation",
                                 DurationSeconds=900),
                    params["wait_timeout"])
    except AwsFailure as exc:
        raise run.failure(
            "%s within %s seconds. The new key is stored in %s; the old key %s was kept in AWS: fix the chain "
            "(verify.yml says what is wrong), then delete the old key."
            % (exc, params["wait_timeout"], run.store.path, old_id),
            exc.code, access_key_id=key_id, old_access_key_id=old_id)


def delete_key_after_rotation(run, old_id, new_id):
    try:
        delete_access_key(run, old_id, "the old access key")
    except AwsFailure as exc:
        raise run.failure("%s. The new key %s is stored in %s and works; delete the old key %s by hand."
                          % (exc, new_id, run.store.path, old_id), exc.code, access_key_id=new_id,
                          old_access_key_id=old_id)
    run.deleted.append(old_id)
