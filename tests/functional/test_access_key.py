"""access_key through real ansible-playbook runs, real Ansible Vault and moto server.

IAM authorization enforcement is on where it matters: the playbooks act as an
administrator user, and the stored key is checked by signing real requests with it.
"""

import json
import os
import stat
import subprocess
import threading

import boto3
import pytest
import yaml
from botocore.exceptions import ClientError

from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import write_vault_file
from tests.support.ansible import BIN, ansible_env, play, run_playbook
from tests.support.moto import admin_with_enforcement, client_as, writes

USER = "SellingPartnerAPIUser"
PASSWORD = "correct horse battery staple"
VAULT_ARGS = ["--vault-id", "spapi@password.txt"]


def secrets():
    return [("spapi", VaultSecret(PASSWORD.encode()))]


def decrypt(path):
    return yaml.safe_load(VaultLib(secrets()).decrypt(open(path, "rb").read()))


def write_password(workdir):
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "password.txt").write_text(PASSWORD + "\n")


def admin_with_user(aws):
    """The SP-API user, then an administrator and IAM authorization enforcement on; returns the
    administrator's credentials and IAM client."""
    aws.iam.create_user(UserName=USER)
    credentials = admin_with_enforcement(aws.iam, aws.server)
    return credentials, client_as(credentials, aws.server.url)


def caller_arn(moto_url, key_id, secret):
    sts = boto3.client("sts", endpoint_url=moto_url, region_name="us-east-1",
                       aws_access_key_id=key_id, aws_secret_access_key=secret)
    return sts.get_caller_identity()["Arn"]


def key_task(name="key", **options):
    options.setdefault("vault_file", "sp.vault.yml")
    options.setdefault("vault_id", "spapi")
    if options["vault_id"] is None:
        del options["vault_id"]
    return {"name": name, "spapi.onboarding.access_key": options, "register": name.replace(" ", "_")}


def files_containing(root, needle, skip=()):
    found = []
    for directory, dummy, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            if path in skip or os.path.islink(path):
                continue
            with open(path, "rb") as handle:
                if needle.encode() in handle.read():
                    found.append(path)
    return found


def test_create_store_read_back_idempotent_and_never_leaks(moto, aws, tmp_path):
    credentials, admin_iam = admin_with_user(aws)
    write_password(tmp_path)
    log_file = tmp_path / "ansible.log"
    book = play([
        dict(key_task("predict"), check_mode=True, diff=True),
        dict(key_task("create"), diff=True),
        {"name": "stat before", "ansible.builtin.stat": {"path": "{{ create.vault_file }}", "checksum_algorithm": "sha256"},
         "register": "before"},
        key_task("again"),
        {"name": "stat after", "ansible.builtin.stat": {"path": "{{ create.vault_file }}", "checksum_algorithm": "sha256"},
         "register": "after"},
        {"name": "read back", "ansible.builtin.include_vars": {"file": "{{ create.vault_file }}", "name": "creds"}},
        {"name": "check read back", "ansible.builtin.assert": {"that": [
            "creds.aws_access_key_id == create.access_key_id",
            "creds.aws_secret_access_key | length == 40",
            "creds.iam_user_arn == 'arn:aws:iam::123456789012:user/" + USER + "'",
            "before.stat.mtime == after.stat.mtime",
            "before.stat.checksum == after.stat.checksum",
        ]}},
    ])

    moto.start_recording()
    run = run_playbook(book, tmp_path, moto.url, VAULT_ARGS + ["-vvvv"], credentials=credentials,
                       env={"ANSIBLE_LOG_PATH": str(log_file)})
    calls = moto.stop_recording()
    run.assert_ok()

    predicted = run.result("predict")
    assert predicted["changed"] is True and predicted["created"] is True
    assert predicted["access_key_id"] is None
    created = run.result("create")
    assert created["changed"] is True and created["created"] is True and created["rotated"] is False
    key_id = created["access_key_id"]
    assert created["diff"]["after"]["vaulted_access_key_id"] == key_id
    vault_path = tmp_path / "sp.vault.yml"
    assert created["vault_file"] == str(vault_path)  # relative to where ansible-playbook ran
    again = run.result("again")
    assert again["changed"] is False and again["access_key_id"] == key_id
    assert again["unknown_key_ids"] == []
    # The check-mode run and the converged run made no write: the only write is the one CreateAccessKey,
    # followed by one ListAccessKeys (no other run's key appeared meanwhile), and the converged run is a
    # single ListAccessKeys.
    assert writes(calls) == ["CreateAccessKey"]
    assert calls[-3:] == ["CreateAccessKey", "ListAccessKeys", "ListAccessKeys"], calls

    # Mode 0600, encrypted as a whole, with the vault id label.
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o600
    assert vault_path.read_bytes().startswith(b"$ANSIBLE_VAULT;1.2;AES256;spapi")
    viewed = subprocess.run([str(BIN / "ansible-vault"), "view", "--vault-password-file", "password.txt",
                             "sp.vault.yml"], cwd=str(tmp_path), capture_output=True, text=True,
                            env=ansible_env(moto.url, tmp_path), check=False)
    assert viewed.returncode == 0, viewed.stderr
    content = yaml.safe_load(viewed.stdout)
    assert content == decrypt(vault_path)
    assert set(content) == {"aws_access_key_id", "aws_secret_access_key", "iam_user_arn", "created"}
    assert content["aws_access_key_id"] == key_id
    secret = content["aws_secret_access_key"]

    # The stored key is the user's only key and really signs as the user; a wrong secret is refused.
    assert [k["AccessKeyId"] for k in admin_iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]] == [key_id]
    assert caller_arn(moto.url, key_id, secret) == "arn:aws:iam::123456789012:user/" + USER
    with pytest.raises(ClientError) as refused:
        caller_arn(moto.url, key_id, secret[:-4] + "AAAA")
    assert refused.value.response["Error"]["Code"] == "SignatureDoesNotMatch"

    # The secret is nowhere but inside the encrypted vault file.
    assert secret not in run.stdout and secret not in run.stderr
    assert "task path:" in run.stdout and "ESTABLISH LOCAL CONNECTION" in run.stdout  # -vvvv really ran
    assert key_id in log_file.read_text() and secret not in log_file.read_text()
    assert secret not in json.dumps(run.records)
    assert files_containing(tmp_path, secret) == []
    assert (tmp_path / ".ansible").is_dir()


def test_unknown_keys_rotation_and_absent(moto, aws, tmp_path):
    credentials, admin_iam = admin_with_user(aws)
    write_password(tmp_path)
    vaulted = admin_iam.create_access_key(UserName=USER)["AccessKey"]
    write_vault_file(str(tmp_path / "sp.vault.yml"), {
        "aws_access_key_id": vaulted["AccessKeyId"], "aws_secret_access_key": vaulted["SecretAccessKey"],
        "iam_user_arn": "arn:aws:iam::123456789012:user/" + USER, "created": "2024-01-01T00:00:00+00:00",
    }, secrets(), "spapi")
    unknown = admin_iam.create_access_key(UserName=USER)["AccessKey"]["AccessKeyId"]
    book = play([
        dict(key_task("refused"), ignore_errors=True),
        dict(key_task("rotate", rotate=True, on_unknown_keys="delete"), diff=True),
        {"name": "read back", "ansible.builtin.include_vars": {"file": "{{ rotate.vault_file }}", "name": "creds"}},
        {"name": "check read back", "ansible.builtin.assert": {"that": [
            "creds.aws_access_key_id == rotate.access_key_id"]}},
    ])

    moto.start_recording()
    run = run_playbook(book, tmp_path, moto.url, VAULT_ARGS, credentials=credentials)
    calls = moto.stop_recording()
    run.assert_ok()

    refused = run.result("refused")
    assert run.status("refused") == "failed" and unknown in refused["msg"] and "Nothing was changed" in refused["msg"]
    assert refused["unknown_key_ids"] == [unknown]
    rotated = run.result("rotate")
    new_id = rotated["access_key_id"]
    assert rotated["changed"] and rotated["created"] and rotated["rotated"]
    assert rotated["unknown_key_ids"] == [unknown]
    assert rotated["deleted_key_ids"] == [unknown, vaulted["AccessKeyId"]]
    assert rotated["diff"]["before"]["access_keys"] == {vaulted["AccessKeyId"]: "Active", unknown: "Active"}
    assert rotated["diff"]["after"]["access_keys"] == {new_id: "Active"}
    # The refused task wrote nothing; the rotation deletes the unknown key, creates and stores the new key,
    # confirms it with STS, and only then deletes the old key.
    assert writes(calls) == ["DeleteAccessKey", "CreateAccessKey", "DeleteAccessKey"]
    tail = calls[calls.index("CreateAccessKey"):]
    assert tail.index("GetCallerIdentity") < tail.index("DeleteAccessKey")

    keys = admin_iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in keys] == [(new_id, "Active")]
    stored = decrypt(tmp_path / "sp.vault.yml")
    assert stored["aws_access_key_id"] == new_id
    assert caller_arn(moto.url, new_id, stored["aws_secret_access_key"]).endswith(":user/" + USER)
    with pytest.raises(ClientError) as old:
        caller_arn(moto.url, vaulted["AccessKeyId"], vaulted["SecretAccessKey"])
    assert old.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert stored["aws_secret_access_key"] not in run.output + json.dumps(run.records)

    gone = run_playbook(play([key_task("remove", state="absent")]), tmp_path, moto.url, VAULT_ARGS,
                        credentials=credentials)
    gone.assert_ok()
    removed = gone.result("remove")
    assert removed["changed"] and removed["deleted_key_ids"] == [new_id] and removed["access_key_id"] is None
    assert admin_iam.list_access_keys(UserName=USER)["AccessKeyMetadata"] == []
    assert not (tmp_path / "sp.vault.yml").exists()


def test_bad_input_no_password_and_unwritable_path_call_nothing(moto, aws, tmp_path):
    aws.iam.create_user(UserName=USER)
    (tmp_path / "a-file").write_text("")
    book = play([
        dict(key_task("bad name", user_name="Selling Partner"), ignore_errors=True),
        dict(key_task("no parent", vault_file="missing/dir/sp.vault.yml"), ignore_errors=True),
        dict(key_task("parent is a file", vault_file="a-file/sp.vault.yml"), ignore_errors=True),
        dict(key_task("bad age", max_age_days=0), ignore_errors=True),
        dict(key_task("no password"), ignore_errors=True),
    ])
    moto.start_recording()
    run = run_playbook(book, tmp_path, moto.url)  # no --vault-id / --vault-password-file
    calls = moto.stop_recording()
    assert calls == []
    assert aws.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"] == []
    assert "option 'user_name': 'Selling Partner' is not a valid IAM user name" in run.result("bad name")["msg"]
    assert "option 'vault_file': the directory" in run.result("no parent")["msg"]
    assert "does not exist" in run.result("no parent")["msg"]
    assert "option 'vault_file'" in run.result("parent is a file")["msg"]
    assert "option 'max_age_days'" in run.result("bad age")["msg"]
    message = run.result("no password")["msg"]
    assert "option 'vault_id': no vault password is loaded" in message and "--vault-id" in message
    assert "--vault-password-file" in message
    refused = ("bad name", "no parent", "parent is a file", "bad age", "no password")
    assert all(run.status(name) == "failed" for name in refused)
    assert not (tmp_path / "sp.vault.yml").exists()


def test_concurrent_runs_for_one_vault_file_create_one_key(moto, aws, tmp_path):
    """Two ansible-playbook processes at once: the lock makes the second see the first one's key."""
    aws.iam.create_user(UserName=USER)
    shared = tmp_path / "shared"
    shared.mkdir()
    book = play([key_task("key", vault_file=str(shared / "sp.vault.yml"), vault_id=None)])
    runs = {}

    def run(name, args):
        workdir = tmp_path / name
        workdir.mkdir()
        (workdir / "password.txt").write_text(PASSWORD)
        runs[name] = run_playbook(book, workdir, moto.url, args)

    # The same password given both ways ansible-playbook accepts it.
    threads = [threading.Thread(target=run, args=("one", VAULT_ARGS)),
               threading.Thread(target=run, args=("two", ["--vault-password-file", "password.txt"]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in runs.values():
        result.assert_ok()
    outcomes = sorted(r.result("key")["created"] for r in runs.values())
    assert outcomes == [False, True]
    keys = aws.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [decrypt(shared / "sp.vault.yml")["aws_access_key_id"]]
    assert (shared / "sp.vault.yml.lock").exists()
