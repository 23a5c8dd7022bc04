"""lwa_export writes only what is its own, against moto with IAM authorization enforced: another team's secret
and a secret others can read stay untouched, an export holding a client secret the vault never held is left alone
and named, an older one is brought up to date, and credentials.yml is never created below someone else's folder.

Most scenarios run the action's logic in-process (run_export, the vault read by the real store); one
ansible-playbook run proves the role's variables reach the module."""

import json
import os

import boto3
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.fingerprints import remember
from ansible_collections.spapi.onboarding.plugins.module_utils._secretsmanager.secret import TAG_KEY
from ansible_collections.spapi.onboarding.plugins.modules.lwa_export import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._lwa_export.run import run_export
from tests.support.ansible import play, run_playbook
from tests.support.moto import admin_with_enforcement, client_as, writes
from tests.support.tasks import make_task

PASSWORD = "export-ownership-password"
SECRETS = [("spapi", VaultSecret(PASSWORD.encode()))]
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
S1, S2, S3, ELSEWHERE = ("amzn1.oa2-cs.v1.%s" % (c * 64) for c in "123x")
NAME = "sp-api/lwa"
OTHER_ACCOUNT = "210987654321"


def vault_content(current, previous=None, held_before=()):
    """A vault that holds `current` (and `previous`), and has held every secret in held_before."""
    content = {"lwa_client_id": CLIENT_ID, "lwa_refresh_token": None, "team_variable": "kept"}
    for secret in held_before:
        content = remember(dict(content, lwa_client_secret=secret))
    content.update(lwa_client_secret=current, lwa_previous_client_secret=previous)
    return remember(content)


def write_vault(path, content):
    path.write_bytes(VaultLib().encrypt(yaml.safe_dump(content), SECRETS[0][1], "spapi"))
    os.chmod(str(path), 0o600)
    return str(path)


@pytest.fixture
def env(moto, tmp_path):
    """Administrator credentials with enforcement on, their Secrets Manager client, and a vault holding S3
    (previous S2) that has held S1 before."""
    setup = boto3.client("iam", endpoint_url=moto.url, region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="testing")
    admin = admin_with_enforcement(setup, moto)
    vault = write_vault(tmp_path / "lwa.vault.yml", vault_content(S3, S2, held_before=[S1]))
    return admin, client_as(admin, moto.url, "secretsmanager"), vault


def export(moto, admin, check_mode=False, **params):
    """run_export in-process; returns (result, AWS actions called)."""
    task = make_task(ARGUMENT_SPEC, moto.url, check_mode=check_mode, access_key=admin["AWS_ACCESS_KEY_ID"],
                     secret_key=admin["AWS_SECRET_ACCESS_KEY"], **params)
    moto.start_recording()
    try:
        result = run_export(task, SECRETS)
    except SpapiError as exc:  # as the action's runner reports it
        result = exc.result()
    finally:
        calls = moto.stop_recording()
    assert S3 not in json.dumps(result) and S1 not in json.dumps(result)
    return result, calls


def value(client, name=NAME):
    return json.loads(client.get_secret_value(SecretId=name)["SecretString"])


def tags(client, name=NAME):
    return dict((t["Key"], t["Value"]) for t in client.describe_secret(SecretId=name).get("Tags") or [])


def test_another_teams_secret_is_untouched_until_handed_over(moto, env):
    admin, client, vault = env
    client.create_secret(Name=NAME, SecretString=json.dumps({"team": "theirs"}), Tags=[{"Key": "team", "Value": "x"}])

    for check_mode in (True, False):
        refused, calls = export(moto, admin, check_mode, vault_file=vault, secret_name=NAME)
        assert refused["failed"] and refused["changed"] is False
        assert "Secrets Manager secret '%s' already exists and lwa_export did not create it" % NAME in refused["msg"]
        assert "adopt_secret: true" in refused["msg"] and "left untouched" in refused["msg"]
        assert calls == ["DescribeSecret"]  # not even its value is read
    assert value(client) == {"team": "theirs"} and tags(client) == {"team": "x"}

    adopted, calls = export(moto, admin, vault_file=vault, secret_name=NAME, adopt_secret=True)
    assert adopted["changed"] and writes(calls) == ["TagResource", "PutSecretValue"]
    assert adopted["actions"][0] == "adopt secret %s (tag %s)" % (NAME, TAG_KEY)
    assert value(client) == {"team": "theirs", "LWA_APP_ID": CLIENT_ID, "LWA_CLIENT_SECRET": S3}
    assert tags(client)[TAG_KEY] == "spapi.onboarding.lwa_export"
    # Handed over once: from now on it is lwa_export's own, without the option.
    again, calls = export(moto, admin, vault_file=vault, secret_name=NAME)
    assert again["changed"] is False and calls == ["DescribeSecret", "GetResourcePolicy", "GetSecretValue"]

    # An older version's secret, untagged, that already holds the values: handing it over only tags it.
    client.create_secret(Name="sp-api/old", SecretString=json.dumps({"LWA_APP_ID": CLIENT_ID, "LWA_CLIENT_SECRET": S3}))
    adopted, calls = export(moto, admin, vault_file=vault, secret_name="sp-api/old", adopt_secret=True)
    assert adopted["changed"] and writes(calls) == ["TagResource"]
    assert export(moto, admin, vault_file=vault, secret_name="sp-api/old")[0]["changed"] is False


def test_created_tagged_with_the_kms_key_and_refused_once_others_can_read_it(moto, env):
    admin, client, vault = env
    created, calls = export(moto, admin, vault_file=vault, secret_name=NAME, kms_key_id="alias/sp-api-secrets")
    assert created["changed"] and writes(calls) == ["CreateSecret"]
    described = client.describe_secret(SecretId=NAME)
    assert described["KmsKeyId"] == "alias/sp-api-secrets" and tags(client)[TAG_KEY]

    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER_ACCOUNT},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}
    client.put_resource_policy(SecretId=NAME, ResourcePolicy=json.dumps(policy))
    client.put_secret_value(SecretId=NAME, SecretString=json.dumps({"LWA_APP_ID": CLIENT_ID, "LWA_CLIENT_SECRET": S2}))
    refused, calls = export(moto, admin, vault_file=vault, secret_name=NAME)
    assert writes(calls) == [] and refused["failed"]
    assert "allows arn:aws:iam::%s:root, outside this account (123456789012)" % OTHER_ACCOUNT in refused["msg"]
    assert "nothing was written" in refused["msg"] and "role/app" not in refused["msg"]
    assert value(client)["LWA_CLIENT_SECRET"] == S2


def test_exports_never_go_backwards(moto, env, tmp_path):
    admin, client, vault = env
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    credentials_file = home / "credentials.yml"
    client.create_secret(Name=NAME, SecretString=json.dumps({"LWA_APP_ID": CLIENT_ID, "LWA_CLIENT_SECRET": S1}),
                         Tags=[{"Key": TAG_KEY, "Value": "spapi.onboarding.lwa_export"}])
    credentials_file.write_text(yaml.safe_dump({"default": {"lwa_app_id": CLIENT_ID, "lwa_client_secret": ELSEWHERE},
                                                "eu": {"lwa_app_id": CLIENT_ID, "lwa_client_secret": S1}}))
    os.chmod(str(credentials_file), 0o600)
    before = credentials_file.read_bytes()
    both = dict(vault_file=vault, secret_name=NAME, credentials_file=str(credentials_file))

    # The file's default account holds a secret this vault never held: nothing is written, not even the secret.
    refused, calls = export(moto, admin, **both)
    assert refused["failed"] and refused["changed"] is False and writes(calls) == []
    assert "%s (account default) holds an LWA client secret that the vault file %s never held" % (
        credentials_file, vault) in refused["msg"]
    assert "left untouched" in refused["msg"] and ELSEWHERE not in refused["msg"]
    assert credentials_file.read_bytes() == before and value(client)["LWA_CLIENT_SECRET"] == S1

    # Older secrets the vault held (S1, remembered only by its fingerprint) are brought up to date.
    caught_up, calls = export(moto, admin, account="eu", **both)
    assert caught_up["changed"] and writes(calls) == ["PutSecretValue"]
    assert value(client)["LWA_CLIENT_SECRET"] == S3
    assert yaml.safe_load(credentials_file.read_text())["eu"]["lwa_client_secret"] == S3

    # A secret rotated elsewhere is left alone, and named.
    client.put_secret_value(SecretId=NAME, SecretString=json.dumps({"LWA_APP_ID": CLIENT_ID,
                                                                    "LWA_CLIENT_SECRET": ELSEWHERE}))
    refused, calls = export(moto, admin, vault_file=vault, secret_name=NAME)
    assert refused["failed"] and writes(calls) == []
    assert "Secrets Manager secret '%s' holds an LWA client secret that the vault file" % NAME in refused["msg"]
    assert value(client)["LWA_CLIENT_SECRET"] == ELSEWHERE


def test_credentials_file_below_someone_elses_folder_is_refused(moto, env, tmp_path):
    admin, client, vault = env
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(str(shared), 0o777)
    if os.geteuid() == 0:
        os.chown(str(shared), 65534, 65534)  # another user's folder, writable by anyone
    target = shared / "python-sp-api" / "credentials.yml"
    refused, calls = export(moto, admin, vault_file=vault, secret_name=NAME, credentials_file=str(target))
    assert calls == [] and refused["failed"]
    assert refused["msg"].startswith("option 'credentials_file': the directory %s " % shared)
    assert list(shared.iterdir()) == []  # nothing created


def test_the_role_passes_adopt_secret_and_kms_key_id(moto, env, tmp_path):
    """One ansible-playbook run: the role's variables reach lwa_export through the action plugin."""
    admin, client, vault = env
    client.create_secret(Name=NAME, SecretString=json.dumps({"team": "theirs"}))
    (tmp_path / "password.txt").write_text(PASSWORD + "\n")

    def export_with(name, **variables):
        variables = dict(dict(lwa_vault_file=vault, lwa_export_secret_name=NAME), **variables)
        return {"name": name, "ansible.builtin.include_role": {"name": "spapi.onboarding.lwa", "tasks_from": "_export"},
                "vars": variables}

    untagged = export_with("untagged")
    untagged["ansible.builtin.include_role"]["apply"] = {"ignore_errors": True}
    book = play([untagged, export_with("adopted", lwa_export_adopt_secret=True),
                 export_with("created", lwa_export_secret_name="sp-api/new",
                             lwa_export_kms_key_id="alias/sp-api-keys")])
    run = run_playbook(book, tmp_path / "run", moto.url, ["--vault-id", "spapi@%s" % (tmp_path / "password.txt")],
                       credentials=admin)
    run.assert_ok()
    exports = [r for r in run.records if "Export" in r["task"]]
    assert [r["status"] for r in exports] == ["failed", "ok", "ok"], run.output
    assert "adopt_secret" in exports[0]["result"]["msg"]
    assert tags(client)[TAG_KEY] and value(client)["LWA_CLIENT_SECRET"] == S3 and value(client)["team"] == "theirs"
    assert client.describe_secret(SecretId="sp-api/new")["KmsKeyId"] == "alias/sp-api-keys"
    assert S3 not in run.output and S3 not in json.dumps(run.records)
