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

from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault import write_vault_file
from tests.support.ansible import BIN, ansible_env, play, run_playbook
from tests.support.moto import writes

USER = "SellingPartnerAPIUser"
PASSWORD = "correct horse battery staple"
VAULT_ARGS = ["--vault-id", "spapi@password.txt"]
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def secrets():
    return [("spapi", VaultSecret(PASSWORD.encode()))]


def decrypt(path):
    return yaml.safe_load(VaultLib(secrets()).decrypt(open(path, "rb").read()))


def write_password(workdir):
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "password.txt").write_text(PASSWORD + "\n")


def admin_with_enforcement(aws):
    """An admin user with an allow-all policy and its key; then IAM authorization enforcement on."""
    aws.iam.create_user(UserName="admin")
    aws.iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=ALLOW_ALL)
    key = aws.iam.create_access_key(UserName="admin")["AccessKey"]
    aws.iam.create_user(UserName=USER)
    aws.server.set_auth(0)
    credentials = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    admin_iam = boto3.client("iam", endpoint_url=aws.server.url, region_name="us-east-1",
                             aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    return credentials, admin_iam


def caller_arn(moto_url, key_id, secret):
    sts = boto3.client("sts", endpoint_url=moto_url, region_name="us-east-1",
                       aws_access_key_id=key_id, aws_secret_access_key=secret)
    return sts.get_caller_identity()["Arn"]


def key_task(name="key", **options):
    options.setdefault("vault_file", "sp.vault.yml")
    options.setdefault("vault_id", "spapi")
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
    credentials, admin_iam = admin_with_enforcement(aws)
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
    # and the converged run is a single ListAccessKeys.
    assert writes(calls) == ["CreateAccessKey"]
    assert calls[-1] == "ListAccessKeys" and calls[-2] == "CreateAccessKey"

    # Mode 0600, encrypted as a whole, with the vault id label.
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o600
    assert vault_path.read_bytes().startswith(b"$ANSIBLE_VAULT;1.2;AES256;spapi")
    viewed = subprocess.run([str(BIN / "ansible-vault"), "view", "--vault-password-file", "password.txt",
                             "sp.vault.yml"], cwd=str(tmp_path), capture_output=True, text=True,
                            env=ansible_env(moto.url, tmp_path))
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
    assert "<ESTABLISH" in run.stdout or "ansible-playbook" in run.stdout  # -vvvv really ran
    assert log_file.exists() and secret not in log_file.read_text()
    assert secret not in json.dumps(run.records)
    assert files_containing(tmp_path, secret) == []
    assert (tmp_path / ".ansible").is_dir()
