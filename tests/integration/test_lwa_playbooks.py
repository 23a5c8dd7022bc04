"""playbooks/lwa_store.yml and the lwa role, through real ansible-playbook runs against moto server (SQS,
Secrets Manager, IAM authorization enforced) and the LWA stand-in."""

import json

import boto3
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from tests.support.ansible import REPO, run_playbook
from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  pylint: disable=unused-import
from tests.support.moto import admin_with_enforcement, writes

PLAYBOOKS = REPO / "playbooks"
CLIENT = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
SECRET = "amzn1.oa2-cs.v1.5ecre7c11en75ecre7c11en75ecre7c11en75ecre7"
REFRESH = "Atzr|IwEBI-refresh-token-of-the-self-authorisation"
PASSWORD = "team-vault-password"


@pytest.fixture
def team(moto, aws, lwa, tmp_path):
    work = tmp_path / "run"
    work.mkdir(mode=0o700)
    (work / "password.txt").write_text(PASSWORD + "\n")
    # What lwa_store.yml would prompt for, given as a vaulted variables file instead (unattended runs).
    secrets = yaml.safe_dump({"lwa_client_secret": SECRET, "lwa_refresh_token": REFRESH})
    (work / "lwa-secrets.vault.yml").write_bytes(
        VaultLib([("spapi", VaultSecret(PASSWORD.encode()))]).encrypt(secrets, VaultSecret(PASSWORD.encode()), "spapi"))
    lwa.register(CLIENT, SECRET, refresh_tokens=[REFRESH])
    credentials = admin_with_enforcement(aws.iam, moto)

    class Team:
        directory = work
        admin = credentials

        @staticmethod
        def run(*extra, secrets_file=True):
            args = ["--vault-id", "spapi@password.txt", "-e", "lwa_client_id=%s" % CLIENT]
            if secrets_file:
                args += ["-e", "@lwa-secrets.vault.yml"]
            return run_playbook(PLAYBOOKS / "lwa_store.yml", work, moto.url, args + list(extra),
                                credentials=credentials, env={"SPAPI_LWA_ENDPOINT": lwa.url + "/auth/o2/token"})

        @staticmethod
        def client(service):
            return boto3.client(service, endpoint_url=moto.url, region_name="us-east-1",
                                aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
                                aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"])

    return Team


def vaulted(path):
    return yaml.safe_load(VaultLib([("spapi", VaultSecret(PASSWORD.encode()))]).decrypt(path.read_bytes()))


def test_store_proves_vaults_builds_the_queues_and_exports_then_changes_nothing(moto, team):
    export = ["-e", "lwa_export_secret_name=sp-api/credentials"]
    first = team.run(*export, "-vvvv")
    first.assert_ok()
    vault = vaulted(team.directory / "spapi-onboarding" / "lwa.vault.yml")
    assert vault["lwa_client_id"] == CLIENT and vault["lwa_client_secret"] == SECRET
    assert vault["lwa_refresh_token"] == REFRESH

    sqs = team.client("sqs")
    arns = {}
    for name in ("sp-api-application-client-new-secret", "sp-api-application-client-secret-expiry"):
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "Policy"])["Attributes"]
        arns[name] = attributes["QueueArn"]
        statements = json.loads(attributes["Policy"])["Statement"]
        assert [s["Principal"] for s in statements] == [{"AWS": "arn:aws:iam::437568002678:root"}]
    assert ('Notification Preferences > Application Client New Secret: %s' % arns["sp-api-application-client-new-secret"]) in first.output
    assert ('Notification Preferences > Application Client Secret Expiry: %s' % arns["sp-api-application-client-secret-expiry"]) \
        in first.output
    exported = json.loads(team.client("secretsmanager").get_secret_value(SecretId="sp-api/credentials")["SecretString"])
    assert exported == {"SP_API_REFRESH_TOKEN": REFRESH, "LWA_APP_ID": CLIENT, "LWA_CLIENT_SECRET": SECRET}
    for secret in (SECRET, REFRESH):
        assert secret not in first.output

    moto.start_recording()
    again = team.run(*export)
    calls = moto.stop_recording()
    again.assert_ok()
    assert writes(calls) == [], calls
    assert "changed=0" in again.stdout, again.stdout


def test_wrong_credentials_stop_the_run_before_any_aws_write(moto, team, lwa):
    lwa.register(CLIENT, "amzn1.oa2-cs.v1.another-secret-than-the-one-given")
    moto.start_recording()
    refused = team.run()
    calls = moto.stop_recording()
    assert refused.returncode != 0
    assert "invalid_client" in refused.output
    assert calls == [], calls
    assert not (team.directory / "spapi-onboarding" / "lwa.vault.yml").exists()


def test_without_the_secret_the_role_names_the_variable(moto, team):
    moto.start_recording()
    refused = team.run(secrets_file=False)
    assert refused.returncode != 0
    assert "lwa_client_secret: required with lwa_client_id" in refused.output
    assert moto.stop_recording() == []


def test_a_relative_lwa_vault_file_lands_below_the_directory_ansible_playbook_runs_from(moto, team):
    """As iam_vault_file does: no folder anywhere else (the playbook's or the role's directory)."""
    places = [REPO / "playbooks", REPO / "roles", REPO / "roles" / "lwa" / "tasks"]
    assert not any((place / "team-vaults").exists() for place in places)
    team.run("-e", "lwa_vault_file=team-vaults/lwa.vault.yml").assert_ok()
    vault = team.directory / "team-vaults" / "lwa.vault.yml"
    assert vaulted(vault)["lwa_client_id"] == CLIENT
    assert (vault.parent.stat().st_mode & 0o777) == 0o700
    assert not any((place / "team-vaults").exists() for place in places)
