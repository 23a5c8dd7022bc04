"""access_key's AWS logic in-process against moto server, with a real vault file.

These cover the failure paths that a playbook cannot provoke: the vault write failing after
CreateAccessKey, a lost CreateAccessKey reply, STS not yet accepting a new key.
"""

import datetime

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.spapi.onboarding.plugins.module_utils._access_key import new_key as _new_access_key
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import key_store
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import LocalStore
from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.ensure import AccessKeyError, ensure_access_key
from ansible_collections.spapi.onboarding.plugins.modules.access_key import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import VaultFileError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import write_vault_file
from tests.support.errors import error_reply
from tests.support.moto import writes
from tests.support.tasks import make_task

USER = "SellingPartnerAPIUser"
ARN = "arn:aws:iam::123456789012:user/" + USER
SECRETS = [("spapi", VaultSecret(b"pw"))]


def file_store(path, write=None):
    """The action plugin's own view of a vault file, optionally with a failing write."""
    store = key_store(LocalStore(str(path)), SECRETS, "spapi")
    if write:
        store.write = write
    return store


def vault(path, key, arn=ARN):
    write_vault_file(str(path), {"aws_access_key_id": key["AccessKeyId"],
                                 "aws_secret_access_key": key["SecretAccessKey"],
                                 "iam_user_arn": arn, "created": "2024-01-01T00:00:00+00:00"}, SECRETS, "spapi")


def stored(path):
    return yaml.safe_load(VaultLib(SECRETS).decrypt(open(str(path), "rb").read()))


def make(moto, check_mode=False, diff_mode=False, **params):
    params.setdefault("vault_file", "sp.vault.yml")
    task = make_task(ARGUMENT_SPEC, moto.url, check_mode, diff_mode, **params)
    return task


def capture_secrets(task):
    """Record every secret that CreateAccessKey returns to this task, to look for it afterwards."""
    seen = []

    def after_call(parsed, **kwargs):
        if "AccessKey" in parsed:
            seen.append(parsed["AccessKey"]["SecretAccessKey"])

    task.aws.iam.meta.events.register("after-call.iam.CreateAccessKey", after_call)
    return seen


def keys_of(aws):
    return sorted((k["AccessKeyId"], k["Status"]) for k in aws.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"])


@pytest.fixture
def user(aws):
    aws.iam.create_user(UserName=USER)
    return aws


def test_write_failure_after_create_deletes_the_new_key(moto, user, tmp_path):
    task = make(moto)
    seen = capture_secrets(task)
    path = tmp_path / "vanished" / "sp.vault.yml"  # the real atomic write fails: no such directory
    moto.start_recording()
    with pytest.raises(AccessKeyError) as failure:
        ensure_access_key(task, file_store(path))
    calls = moto.stop_recording()
    message = str(failure.value)
    assert writes(calls) == ["CreateAccessKey", "DeleteAccessKey"]
    assert "cannot write the vault file" in message and "rolled back" in message
    assert keys_of(user) == []
    assert not path.exists()
    assert len(seen) == 1 and seen[0] not in message and seen[0] not in repr(failure.value.report)


def test_rotation_write_failure_keeps_the_old_key_in_vault_and_aws(moto, user, tmp_path):
    old = user.iam.create_access_key(UserName=USER)["AccessKey"]
    path = tmp_path / "sp.vault.yml"
    vault(path, old)
    before = path.read_bytes()

    def disk_full(data):
        raise VaultFileError("cannot write the vault file %s: No space left on device" % path)

    with pytest.raises(AccessKeyError) as failure:
        ensure_access_key(make(moto, rotate=True), file_store(path, write=disk_full))
    assert "No space left on device" in str(failure.value) and "rolled back" in str(failure.value)
    assert keys_of(user) == [(old["AccessKeyId"], "Active")]
    assert path.read_bytes() == before


def test_lost_create_reply_is_reconciled(moto, user, tmp_path):
    """CreateAccessKey created a key but its reply was lost: the stray key is found and deleted."""
    task = make(moto)

    def lost_reply(**kwargs):
        user.iam.create_access_key(UserName=USER)  # what the lost attempt did on the AWS side
        return error_reply("ServiceFailure", 500)

    task.aws.iam.meta.events.register("before-call.iam.CreateAccessKey", lost_reply)
    with pytest.raises(AccessKeyError) as failure:
        ensure_access_key(task, file_store(tmp_path / "sp.vault.yml"))
    message = str(failure.value)
    assert "Could not create an access key" in message and "ServiceFailure" in message
    assert "deleted again" in message
    assert keys_of(user) == []
    assert not (tmp_path / "sp.vault.yml").exists()


class Connection:
    """What signed_with returns, reduced to the STS client the rotation uses."""

    def __init__(self, sts):
        self.sts = sts


def test_rotation_waits_for_sts_to_accept_the_new_key(moto, user, tmp_path, monkeypatch):
    old = user.iam.create_access_key(UserName=USER)["AccessKey"]
    path = tmp_path / "sp.vault.yml"
    vault(path, old)
    refusals = []
    real = _new_access_key.signed_with

    def not_yet(*args):
        client = real(*args).sts

        def refuse_first(**kwargs):
            if not refusals:
                refusals.append(1)
                return error_reply("InvalidClientTokenId", 403)
            return None

        client.meta.events.register("before-call.sts.GetCallerIdentity", refuse_first)
        return Connection(client)

    monkeypatch.setattr(_new_access_key, "signed_with", not_yet)
    result = ensure_access_key(make(moto, rotate=True, wait_timeout=10), file_store(path))
    assert refusals == [1]
    assert result["changed"] and result["rotated"] and result["deleted_key_ids"] == [old["AccessKeyId"]]
    assert keys_of(user) == [(result["access_key_id"], "Active")]
    assert stored(path)["aws_access_key_id"] == result["access_key_id"]


def test_new_key_never_accepted_keeps_the_old_key(moto, user, tmp_path, monkeypatch):
    old = user.iam.create_access_key(UserName=USER)["AccessKey"]
    path = tmp_path / "sp.vault.yml"
    vault(path, old)
    real = _new_access_key.signed_with

    def never(*args):
        client = real(*args).sts
        client.meta.events.register("before-call.sts.GetCallerIdentity",
                                    lambda **kwargs: error_reply("InvalidClientTokenId", 403))
        return Connection(client)

    monkeypatch.setattr(_new_access_key, "signed_with", never)
    with pytest.raises(AccessKeyError) as failure:
        ensure_access_key(make(moto, rotate=True, wait_timeout=0), file_store(path))
    new_id = stored(path)["aws_access_key_id"]
    assert new_id != old["AccessKeyId"]
    assert "InvalidClientTokenId" in str(failure.value)
    assert "the old key %s was kept in AWS" % old["AccessKeyId"] in str(failure.value)
    assert failure.value.report["old_access_key_id"] == old["AccessKeyId"]
    assert keys_of(user) == sorted([(old["AccessKeyId"], "Active"), (new_id, "Active")])


def test_two_keys_in_the_way_fail_before_any_write(moto, user, tmp_path):
    old = user.iam.create_access_key(UserName=USER)["AccessKey"]
    other = user.iam.create_access_key(UserName=USER)["AccessKey"]["AccessKeyId"]
    path = tmp_path / "sp.vault.yml"
    vault(path, old)
    moto.start_recording()
    with pytest.raises(AccessKeyError) as failure:
        ensure_access_key(make(moto, rotate=True, on_unknown_keys="deactivate"), file_store(path))
    assert writes(moto.stop_recording()) == []
    assert failure.value.code == "LimitExceeded"
    assert other in str(failure.value) and "Nothing was changed" in str(failure.value)
    assert keys_of(user) == sorted([(old["AccessKeyId"], "Active"), (other, "Active")])


def test_inactive_vaulted_key_makes_room_and_inactive_unknown_key_is_kept(moto, user, tmp_path):
    old = user.iam.create_access_key(UserName=USER)["AccessKey"]
    other = user.iam.create_access_key(UserName=USER)["AccessKey"]["AccessKeyId"]
    for key_id in (old["AccessKeyId"], other):
        user.iam.update_access_key(UserName=USER, AccessKeyId=key_id, Status="Inactive")
    path = tmp_path / "sp.vault.yml"
    vault(path, old)
    result = ensure_access_key(make(moto), file_store(path))
    new_id = result["access_key_id"]
    assert result["created"] and result["unknown_key_ids"] == [other]
    assert result["deleted_key_ids"] == [old["AccessKeyId"]]
    assert keys_of(user) == sorted([(new_id, "Active"), (other, "Inactive")])
    assert stored(path)["aws_access_key_id"] == new_id

    moto.start_recording()
    again = ensure_access_key(make(moto), file_store(path))
    assert moto.stop_recording() == ["ListAccessKeys"]
    assert again["changed"] is False and again["unknown_key_ids"] == [other]


def test_deactivate_unknown_key_then_converged(moto, user, tmp_path):
    old = user.iam.create_access_key(UserName=USER)["AccessKey"]
    other = user.iam.create_access_key(UserName=USER)["AccessKey"]["AccessKeyId"]
    path = tmp_path / "sp.vault.yml"
    vault(path, old)
    result = ensure_access_key(make(moto, on_unknown_keys="deactivate", diff_mode=True), file_store(path))
    assert result["changed"] and result["deactivated_key_ids"] == [other] and not result["created"]
    assert result["diff"]["after"]["access_keys"][other] == "Inactive"
    assert keys_of(user) == sorted([(old["AccessKeyId"], "Active"), (other, "Inactive")])
    again = ensure_access_key(make(moto, on_unknown_keys="deactivate"), file_store(path))
    assert again["changed"] is False


def test_max_age_days_rotates_an_old_key(moto, user, tmp_path):
    old = user.iam.create_access_key(UserName=USER)["AccessKey"]
    path = tmp_path / "sp.vault.yml"
    vault(path, old)
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=100)
    young = ensure_access_key(make(moto, max_age_days=120), file_store(path), now=later)
    assert young["changed"] is False
    rotated = ensure_access_key(make(moto, max_age_days=90), file_store(path), now=later)
    assert rotated["rotated"] and "older than 90 days" in rotated["actions"][0]
    assert keys_of(user) == [(rotated["access_key_id"], "Active")]
    assert stored(path)["aws_access_key_id"] == rotated["access_key_id"]


def test_check_mode_predicts_and_writes_nothing(moto, user, aws, tmp_path):
    path = tmp_path / "sp.vault.yml"
    moto.start_recording()
    create = ensure_access_key(make(moto, check_mode=True, diff_mode=True), file_store(path))
    old = None
    assert writes(moto.stop_recording()) == []
    assert create["changed"] and create["created"] and not create["rotated"] and create["access_key_id"] is None
    assert create["iam_user_arn"] == ARN
    assert not path.exists()

    old = user.iam.create_access_key(UserName=USER)["AccessKey"]
    vault(path, old)
    before = path.read_bytes()
    moto.start_recording()
    rotate = ensure_access_key(make(moto, check_mode=True, rotate=True), file_store(path))
    absent = ensure_access_key(make(moto, check_mode=True, state="absent"), file_store(path))
    assert writes(moto.stop_recording()) == []
    assert rotate["changed"] and rotate["rotated"] and rotate["deleted_key_ids"] == [old["AccessKeyId"]]
    assert absent["changed"] and absent["deleted_key_ids"] == [old["AccessKeyId"]]
    assert path.read_bytes() == before and keys_of(user) == [(old["AccessKeyId"], "Active")]

    # A chain checked before it exists: the user is missing, check mode predicts, apply refuses.
    aws.iam.delete_access_key(UserName=USER, AccessKeyId=old["AccessKeyId"])
    aws.iam.delete_user(UserName=USER)
    path.unlink()
    assert ensure_access_key(make(moto, check_mode=True), file_store(path))["created"]
    with pytest.raises(AccessKeyError, match="does not exist: create it first"):
        ensure_access_key(make(moto), file_store(path))


def test_vault_of_another_user_or_account_is_never_overwritten(moto, user, tmp_path):
    path = tmp_path / "sp.vault.yml"
    vault(path, {"AccessKeyId": "AKIAEXAMPLEOTHERUSR1", "SecretAccessKey": "x" * 40},
          arn="arn:aws:iam::123456789012:user/SomeoneElse")
    before = path.read_bytes()
    moto.start_recording()
    with pytest.raises(AccessKeyError, match="holds the access key of .*SomeoneElse"):
        ensure_access_key(make(moto), file_store(path))
    assert moto.stop_recording() == []

    vault(path, {"AccessKeyId": "AKIAEXAMPLEOTHERACC1", "SecretAccessKey": "x" * 40},
          arn="arn:aws:iam::999999999999:user/" + USER)
    before = path.read_bytes()
    moto.start_recording()
    with pytest.raises(AccessKeyError, match="another account"):
        ensure_access_key(make(moto), file_store(path))
    with pytest.raises(AccessKeyError, match="another account"):
        ensure_access_key(make(moto, state="absent"), file_store(path))
    assert writes(moto.stop_recording()) == []
    assert path.read_bytes() == before and keys_of(user) == []


def test_stale_vaulted_key_is_replaced_and_absent_cleans_up(moto, user, tmp_path):
    path = tmp_path / "sp.vault.yml"
    gone = user.iam.create_access_key(UserName=USER)["AccessKey"]
    vault(path, gone)
    user.iam.delete_access_key(UserName=USER, AccessKeyId=gone["AccessKeyId"])
    result = ensure_access_key(make(moto), file_store(path))
    assert result["created"] and not result["rotated"] and "no longer exists" in result["actions"][0]
    assert keys_of(user) == [(result["access_key_id"], "Active")]

    # absent when the user is already gone: the vault file still goes.
    user.iam.delete_access_key(UserName=USER, AccessKeyId=result["access_key_id"])
    user.iam.delete_user(UserName=USER)
    removed = ensure_access_key(make(moto, state="absent"), file_store(path))
    assert removed["changed"] and not path.exists()
    assert ensure_access_key(make(moto, state="absent"), file_store(path))["changed"] is False
