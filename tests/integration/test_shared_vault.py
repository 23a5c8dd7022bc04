"""Two operators' machines on one S3 vault: the second converges writing nothing, a live lock of another run
refuses a rotation before any IAM write, and two rotations started at the same moment leave exactly the key
the vault holds."""

import json
import threading

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from tests.support.ansible import REPO, run_playbook
from tests.support.moto import writes
from tests.support.s3 import versioned_bucket

PLAYBOOKS = REPO / "playbooks"
PASSWORD = "team-password-for-tests"
SECRETS = [("spapi", VaultSecret(PASSWORD.encode()))]
USER = "SellingPartnerAPIUser"
BUCKET = "team-spapi-vault"
KEY = "spapi/%s.vault.yml" % USER
LOCATION = "s3://%s/%s" % (BUCKET, KEY)
IAM_WRITES = ("Create", "Delete", "Put", "Update", "Attach", "Detach", "Tag", "Untag")


@pytest.fixture
def s3(moto):
    return versioned_bucket(moto.url, BUCKET)


def operator(tmp_path, name):
    """An operator's machine: its own working directory and password file, the team's S3 vault."""
    workdir = tmp_path / name
    workdir.mkdir()
    (workdir / "vault-password").write_text(PASSWORD + "\n")
    return workdir, ["--vault-id", "spapi@%s" % (workdir / "vault-password"), "-e", "iam_vault_file=" + LOCATION]


def vaulted(s3):
    return yaml.safe_load(VaultLib(SECRETS).decrypt(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()))


def active_keys(aws):
    return sorted(k["AccessKeyId"] for k in aws.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]
                  if k["Status"] == "Active")


def no_lock(s3):
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=BUCKET, Key=KEY + ".lock")
    return True


def test_operators_share_one_s3_vault_and_take_turns(moto, aws, s3, tmp_path):
    alice, alice_args = operator(tmp_path, "alice")
    bob, bob_args = operator(tmp_path, "bob")

    onboarded = run_playbook(PLAYBOOKS / "onboard.yml", alice, moto.url, alice_args)
    onboarded.assert_ok()
    assert active_keys(aws) == [vaulted(s3)["aws_access_key_id"]] and no_lock(s3)
    assert s3.head_object(Bucket=BUCKET, Key=KEY)["ServerSideEncryption"] == "AES256"
    assert not list(alice.rglob("*.vault.yml"))  # the secret lives in S3 only

    # Bob's machine has no vault file of its own: it finds the key in S3, changes nothing, takes no lock.
    moto.start_recording()
    converged = run_playbook(PLAYBOOKS / "onboard.yml", bob, moto.url, bob_args)
    actions = moto.stop_recording()
    converged.assert_ok()
    assert writes(actions) == [], actions
    assert "GetObject" in actions and no_lock(s3)

    # A live lock of a third run refuses Bob's rotation before any IAM write; lock and vault stay as they were.
    lock = json.dumps({"owner": "carol@ci run pid-1", "expires": "2999-01-01T00:00:00Z"})
    s3.put_object(Bucket=BUCKET, Key=KEY + ".lock", Body=lock)
    etag = s3.head_object(Bucket=BUCKET, Key=KEY)["ETag"]
    moto.start_recording()
    refused = run_playbook(PLAYBOOKS / "rotate_key.yml", bob, moto.url, bob_args + ["-e", "iam_vault_lock_timeout=0"])
    actions = moto.stop_recording()
    assert refused.returncode != 0
    assert "locked by carol@ci run pid-1 until 2999-01-01T00:00:00Z" in refused.output
    assert "s3://%s/%s.lock" % (BUCKET, KEY) in refused.output
    assert [a for a in writes(actions) if a.startswith(IAM_WRITES) and "Object" not in a] == []
    assert [a for a in actions if a.startswith(("PutObject", "DeleteObject"))] == ["PutObject"]  # the refused create
    assert s3.get_object(Bucket=BUCKET, Key=KEY + ".lock")["Body"].read().decode() == lock
    assert s3.head_object(Bucket=BUCKET, Key=KEY)["ETag"] == etag
    s3.delete_object(Bucket=BUCKET, Key=KEY + ".lock")

    # Two rotations started at the same moment: they take turns on the lock; the key left is the vaulted one.
    runs = {}

    def rotate(name, workdir, args):
        runs[name] = run_playbook(PLAYBOOKS / "rotate_key.yml", workdir, moto.url, args)

    threads = [threading.Thread(target=rotate, args=("alice", alice, alice_args)),
               threading.Thread(target=rotate, args=("bob", bob, bob_args))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for run in runs.values():
        run.assert_ok()
    held = vaulted(s3)["aws_access_key_id"]
    assert active_keys(aws) == [held] and no_lock(s3)
    versions = s3.list_object_versions(Bucket=BUCKET, Prefix=KEY)["Versions"]
    assert len([v for v in versions if v["Key"] == KEY]) == 3  # onboarding, then one write per rotation
    for run in runs.values():
        assert PASSWORD not in run.output
    # The key the vault holds assumes the role.
    run_playbook(PLAYBOOKS / "verify.yml", bob, moto.url, bob_args).assert_ok()
    # A lwa_vault_file that is set is proven, never skipped: one that holds nothing fails, naming it.
    missing = "s3://%s/spapi/lwa.vault.yml" % BUCKET
    unproven = run_playbook(PLAYBOOKS / "verify.yml", bob, moto.url, bob_args + ["-e", "lwa_vault_file=" + missing])
    assert unproven.returncode != 0 and "the LWA vault file %s does not exist" % missing in unproven.output
