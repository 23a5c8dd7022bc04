"""playbooks/lwa_rotate.yml (the lwa role's `rotate` entry point) through real ansible-playbook runs at -vvvv,
against moto server (SQS, Secrets Manager) and the LWA / SP-API stand-in: the rotation, the Secrets Manager
export following it, the proof, and no secret or token anywhere in the output. The daily runs are steps of
one process (tests/support/steps.py)."""

import datetime
import json

import boto3
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.plan import ROTATE_PATH
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import write_vault_file
from tests.support.ansible import REPO
from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  pylint: disable=unused-import
from tests.support.steps import Step, run_steps

CLIENT = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
SECRET = "amzn1.oa2-cs.v1.R0LE5ecre7000000000000000000000000000000000000000000000000000000"
REFRESH = "Atzr|IwEBI-role-rotation-refresh-token"
PASSWORD = "role rotation password"
SECRETS = [("spapi", VaultSecret(PASSWORD.encode()))]


def run_rotations(workdir, moto, lwa, steps, **extra_vars):
    """Daily runs of lwa_rotate.yml, as the steps of one process (tests/support/steps.py)."""
    variables = {"lwa_vault_file": str(workdir / "lwa.vault.yml"), "lwa_export_secret_name": "sp-api/lwa"}
    variables.update(extra_vars)
    return run_steps(workdir, moto, steps, ["--vault-id", "spapi@password.txt", "-e", json.dumps(variables), "-vvvv"],
                     env={"SPAPI_LWA_ENDPOINT": lwa.token_url, "SPAPI_ENDPOINT": lwa.url})


def test_daily_runs_rotate_when_expiring_export_and_prove_without_leaking(moto, lwa, tmp_path):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    sqs, secretsmanager = session.client("sqs", endpoint_url=moto.url), session.client("secretsmanager", endpoint_url=moto.url)
    names = ("sp-api-application-client-new-secret", "sp-api-application-client-secret-expiry")
    urls = [sqs.create_queue(QueueName=name)["QueueUrl"] for name in names]
    lwa.register(CLIENT, SECRET, [REFRESH], new_secret_queue=urls[0], secret_expiry_queue=urls[1])
    workdir = tmp_path / "run"
    workdir.mkdir(mode=0o700)
    (workdir / "password.txt").write_text(PASSWORD + "\n")
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=12)
    write_vault_file(str(workdir / "lwa.vault.yml"), {
        "lwa_client_id": CLIENT, "lwa_client_secret": SECRET, "lwa_client_secret_expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lwa_refresh_token": REFRESH, "updated": "2025-01-01T00:00:00Z"}, SECRETS, "spapi")

    def versions():
        return [v["VersionId"] for v in secretsmanager.list_secret_version_ids(SecretId="sp-api/lwa")["Versions"]]

    def after_first():
        return (lwa.app(CLIENT)["client_secret"], (workdir / "lwa.vault.yml").read_bytes(),
                json.loads(secretsmanager.get_secret_value(SecretId="sp-api/lwa")["SecretString"]),
                lwa.calls["POST " + ROTATE_PATH], versions())

    runs = run_rotations(workdir, moto, lwa, [
        Step("first", playbook=REPO / "playbooks" / "lwa_rotate.yml", after=after_first),
        # The next day: nothing to rotate, the export is not rewritten.
        Step("second", playbook=REPO / "playbooks" / "lwa_rotate.yml",
             after=lambda: (lwa.calls["POST " + ROTATE_PATH], versions())),
    ])
    first = runs["first"]
    first.assert_ok()
    new_secret, vault_bytes, exported, rotations, before = first.seen
    rotation = first.result("Rotate the client secret when it expires soon, or adopt a new one waiting in the queue")
    assert rotation["action"] == "rotated" and rotation["days_left"] == 179
    vaulted = yaml.safe_load(VaultLib(SECRETS).decrypt(vault_bytes))
    assert vaulted["lwa_client_secret"] == new_secret and vaulted["lwa_previous_client_secret"] == SECRET
    # The Secrets Manager export follows the rotation, and the vaulted secret is proven.
    assert exported["LWA_CLIENT_SECRET"] == new_secret and exported["LWA_APP_ID"] == CLIENT
    assert first.result("Prove the vaulted LWA credentials and check the secret's expiry")["ok"]
    assert "Rotation: rotated" in first.output and rotations == 1
    for secret in (SECRET, new_secret, REFRESH, "Atza|"):
        assert secret not in first.output, "a secret or token in the -vvvv output"
        assert secret not in json.dumps(first.records)

    # The next day: nothing to rotate, the export is not rewritten.
    second = runs["second"]
    second.assert_ok()
    rotations, after = second.seen
    assert "Rotation: none" in second.output and rotations == 1
    assert after == before
    assert new_secret not in second.output and REFRESH not in second.output
