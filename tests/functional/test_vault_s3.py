"""The S3 vault store against moto server: versioning and sharing refused before any write,
explicit encryption, conditional writes that lose nothing, and the lock object across runs."""

import datetime
import json

import boto3
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.ensure import (
    AccessKeyError,
    ensure_access_key,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.modules.access_key import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import VaultFileError, encrypt_vault_data
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import key_store, read_key
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.s3 import S3Store
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.s3_lock import S3Lock
from tests.support.moto import writes
from tests.support.s3 import versioned_bucket
from tests.support.tasks import make_task

USER = "SellingPartnerAPIUser"
BUCKET = "team-spapi-vault"
KEY = "sellers/%s.vault.yml" % USER
LOCATION = "s3://%s/%s" % (BUCKET, KEY)
SECRETS = [("spapi", VaultSecret(b"pw"))]


@pytest.fixture
def s3(moto):
    return versioned_bucket(moto.url, BUCKET)


def task(moto, **params):
    params.setdefault("user_name", USER)
    return make_task(ARGUMENT_SPEC, moto.url, vault_file=LOCATION, vault_id="spapi", **params)


def store(moto, **params):
    run = task(moto, **params)
    return S3Store(LOCATION, run.aws, kms_key_id=run.params.get("vault_kms_key_id"), lock_timeout=0)


def object_content(s3):
    return yaml.safe_load(VaultLib(SECRETS).decrypt(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()))


def test_a_bucket_without_versioning_or_shared_with_others_is_refused_before_any_write(moto, s3):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    moto.start_recording()
    with pytest.raises(ValidationError) as refused:
        store(moto).check_ready()
    assert writes(moto.stop_recording()) == []
    assert "option 'vault_file'" in str(refused.value) and "no versioning (Suspended)" in str(refused.value)
    assert "aws s3api put-bucket-versioning --bucket %s --versioning-configuration Status=Enabled" % BUCKET \
        in str(refused.value)

    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    for principal in ("*", {"AWS": "arn:aws:iam::210987654321:root"}):
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::%s/*" % BUCKET}]}))
        with pytest.raises(ValidationError) as refused:
            store(moto).check_ready()
        shown = "*" if principal == "*" else "arn:aws:iam::210987654321:root"
        assert "grants access to %s" % shown in str(refused.value)
    # This account's own grants and Deny statements are fine.
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/ops"}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::%s/*" % BUCKET},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::%s/*" % BUCKET,
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    store(moto).check_ready()


def test_the_object_is_the_vault_text_encrypted_at_rest_and_conditionally_written(moto, s3):
    first, second = store(moto), store(moto)
    assert first.read() is None and second.read() is None
    text = encrypt_vault_data({"team_var": "first"}, SECRETS, "spapi", LOCATION)
    first.write(text)
    stored = s3.get_object(Bucket=BUCKET, Key=KEY)
    assert stored["Body"].read() == text and text.startswith(b"$ANSIBLE_VAULT;1.2;AES256;spapi")
    assert stored["ServerSideEncryption"] == "AES256"
    # The second run read "no object" before the first wrote: If-None-Match refuses its create.
    with pytest.raises(VaultFileError) as lost:
        second.write(encrypt_vault_data({"team_var": "second"}, SECRETS, "spapi", LOCATION))
    assert "another run wrote the vault object %s after this run read it" % LOCATION in str(lost.value)
    assert "nothing was overwritten" in str(lost.value)
    assert object_content(s3) == {"team_var": "first"}
    # An update with the ETag this run read succeeds; one with a stale ETag is a real 412.
    second.read()
    first.read()
    second.write(encrypt_vault_data({"team_var": "second"}, SECRETS, "spapi", LOCATION))
    with pytest.raises(VaultFileError) as lost:
        first.write(encrypt_vault_data({"team_var": "third"}, SECRETS, "spapi", LOCATION))
    assert "PreconditionFailed" in str(lost.value) or "ConditionalRequestConflict" in str(lost.value)
    assert object_content(s3) == {"team_var": "second"}
    versions = s3.list_object_versions(Bucket=BUCKET, Prefix=KEY)["Versions"]
    assert len(versions) == 2  # every write a version: history and recovery come free


def test_kms_key_named_by_the_user_encrypts_the_object(moto, s3):
    kms = boto3.client("kms", endpoint_url=moto.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms_store = store(moto, vault_kms_key_id=key_id)
    kms_store.read()
    kms_store.write(encrypt_vault_data({"a": "b"}, SECRETS, "spapi", LOCATION))
    head = s3.head_object(Bucket=BUCKET, Key=KEY)
    assert head["ServerSideEncryption"] == "aws:kms" and key_id in head["SSEKMSKeyId"]


def test_a_new_key_whose_vault_write_loses_the_race_is_deleted_again(moto, s3, aws):
    """Another controller wrote the vault between this run's read and its write (If-None-Match 412): the key
    this run made is deleted again, the other run's vault is untouched, no key is left without its secret."""
    aws.iam.create_user(UserName=USER)
    run = task(moto)
    keys = key_store(S3Store(LOCATION, run.aws), SECRETS, "spapi")
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=encrypt_vault_data({"team_var": "theirs"}, SECRETS, "spapi", LOCATION))
    with pytest.raises(AccessKeyError) as failed:
        ensure_access_key(run, keys)
    assert "another run wrote the vault object %s after this run read it" % LOCATION in str(failed.value)
    assert aws.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"] == []
    assert object_content(s3) == {"team_var": "theirs"}
    # The next run starts from what the other run stored, keeps its variables and holds the one key.
    run = task(moto)
    result = ensure_access_key(run, key_store(S3Store(LOCATION, run.aws), SECRETS, "spapi"))
    assert result["changed"] and object_content(s3)["team_var"] == "theirs"
    left = [k["AccessKeyId"] for k in aws.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]]
    assert left == [result["access_key_id"]] == [object_content(s3)["aws_access_key_id"]]
    # verify reads the same object and finds the key it holds.
    key = read_key(S3Store(LOCATION, task(moto).aws), SECRETS)
    assert key["aws_access_key_id"] == result["access_key_id"] and key["source"] == LOCATION


def test_keys_another_vault_holds_are_named_with_the_shared_store_before_delete(moto, s3, aws):
    aws.iam.create_user(UserName=USER)
    elsewhere = aws.iam.create_access_key(UserName=USER)["AccessKey"]["AccessKeyId"]
    run = task(moto)
    moto.start_recording()
    with pytest.raises(AccessKeyError) as refused:
        ensure_access_key(run, key_store(S3Store(LOCATION, run.aws), SECRETS, "spapi"))
    assert writes(moto.stop_recording()) == []
    message = str(refused.value)
    assert elsewhere in message and "operator's machine or an AWX job may hold" in message
    assert message.index("s3://") < message.index("delete")


def lock_object(s3):
    return json.loads(s3.get_object(Bucket=BUCKET, Key=KEY + ".lock")["Body"].read())


def test_the_lock_object_is_honoured_across_runs(moto, s3):
    ours = store(moto)
    warnings = []
    with S3Lock(ours, timeout=0, owner="ops@awx run awx-job-1", warn=warnings.append) as lock:
        held = lock_object(s3)
        assert held["owner"] == "ops@awx run awx-job-1" and held["expires"].endswith("Z") and lock.taken
        # A later task of the same run finds the lock its own and goes on, without releasing it.
        with S3Lock(ours, timeout=0, owner="ops@awx run awx-job-1") as again:
            assert not again.taken
        assert lock_object(s3)["owner"] == "ops@awx run awx-job-1"
        # Another run is refused, naming the holder; the lock stays.
        moto.start_recording()
        with pytest.raises(VaultFileError) as refused:
            S3Lock(ours, timeout=0, owner="alice@laptop run pid-42").acquire()
        assert writes(moto.stop_recording()) == ["PutObject"]  # its create was refused (412), nothing else
        assert "is locked by ops@awx run awx-job-1 until %s" % held["expires"] in str(refused.value)
        assert "aws s3 rm s3://%s/%s.lock" % (BUCKET, KEY) in str(refused.value)
        assert lock_object(s3)["owner"] == "ops@awx run awx-job-1"
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=BUCKET, Key=KEY + ".lock")
    # An expired lock (its run died) is taken over, with a warning.
    past = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    s3.put_object(Bucket=BUCKET, Key=KEY + ".lock", Body=json.dumps({"owner": "bob@ci run pid-7", "expires": past}))
    with S3Lock(ours, timeout=0, owner="alice@laptop run pid-42", warn=warnings.append):
        assert lock_object(s3)["owner"] == "alice@laptop run pid-42"
    assert any("took over the expired vault lock" in w and "bob@ci run pid-7" in w for w in warnings)
    # Release removes only a lock that is still this run's.
    carol = {"owner": "carol@ops run pid-9", "expires": "2999-01-01T00:00:00Z"}
    s3.put_object(Bucket=BUCKET, Key=KEY + ".lock", Body=json.dumps(carol))
    assert S3Lock(ours, owner="alice@laptop run pid-42").release(taken_earlier=True) is False
    assert lock_object(s3)["owner"] == "carol@ops run pid-9"
