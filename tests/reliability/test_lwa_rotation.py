"""Kills during a rotation of the LWA client secret: ansible-playbook and its workers are SIGKILLed while
the stand-in holds a chosen reply (after it acted), then a re-run. Every time the vault file ends whole,
holding a secret LWA accepts, and SP-API has rotated at most once."""

import datetime
import subprocess

import boto3
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import prove
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import HttpClient
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.plan import ROTATE_PATH
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import write_vault_file
from tests.reliability.helpers import Killable
from tests.support.ansible import BIN, ansible_env, play, run_playbook
from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  pylint: disable=unused-import

CLIENT = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
SECRET = "amzn1.oa2-cs.v1.K1115ecre7000000000000000000000000000000000000000000000000000000"
REFRESH = "Atzr|IwEBI-kill-test-refresh-token"
PASSWORD = "kill test password"
SECRETS = [("spapi", VaultSecret(PASSWORD.encode()))]
ROTATIONS = "POST %s 204" % ROTATE_PATH


def rotation_play(force):
    return play([{"name": "rotate", "spapi.onboarding.lwa_rotate": {
        "vault_file": "lwa.vault.yml", "queue_name": "new-secret", "force": force}}])


@pytest.fixture
def setup(moto, lwa, tmp_path):
    sqs = boto3.client("sqs", endpoint_url=moto.url, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    lwa.register(CLIENT, SECRET, [REFRESH], new_secret_queue=sqs.create_queue(QueueName="new-secret")["QueueUrl"])
    (tmp_path / "password.txt").write_text(PASSWORD + "\n")
    expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_vault_file(str(tmp_path / "lwa.vault.yml"), {"lwa_client_id": CLIENT, "lwa_client_secret": SECRET,
                                                       "lwa_client_secret_expires": expires, "lwa_refresh_token": REFRESH,
                                                       "updated": "2025-01-01T00:00:00Z"}, SECRETS, "spapi")
    return tmp_path


def env(moto, lwa, workdir):
    return {"SPAPI_LWA_ENDPOINT": lwa.token_url, "SPAPI_ENDPOINT": lwa.url}


def run(moto, lwa, workdir, force):
    return run_playbook(rotation_play(force), workdir, moto.url, args=["--vault-id", "spapi@password.txt"],
                        env=env(moto, lwa, workdir))


def killed_at(moto, lwa, workdir, hold, force=True):
    """Start a rotation, SIGKILL it once the stand-in holds `hold`'s reply, then let the reply go."""
    path = workdir / "playbook.yml"
    path.write_text(yaml.safe_dump(rotation_play(force)))
    killable = Killable.__new__(Killable)
    killable.process = subprocess.Popen(
        [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path), "--vault-id", "spapi@password.txt"],
        cwd=str(workdir), env=ansible_env(moto.url, workdir, extra=env(moto, lwa, workdir)),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert hold.reached.wait(60), "the run never got there:\n%s" % killable.kill()
        killable.kill()
    finally:
        hold.release.set()


def vaulted(lwa, workdir):
    """The vault file, which must be whole, and proof that LWA accepts its secret."""
    content = yaml.safe_load(VaultLib(SECRETS).decrypt((workdir / "lwa.vault.yml").read_bytes()))
    assert prove(HttpClient(), lwa.token_url, CLIENT, content["lwa_client_secret"], REFRESH) == "refresh_token"
    return content


def test_killed_after_sp_api_rotated_then_a_rerun_adopts(moto, lwa, setup):
    killed_at(moto, lwa, setup, lwa.hold("POST", ROTATE_PATH))
    assert vaulted(lwa, setup)["lwa_client_secret"] == SECRET  # killed before the notification was read
    rerun = run(moto, lwa, setup, force=True)
    rerun.assert_ok()
    assert rerun.result("rotate")["action"] == "adopted"
    assert vaulted(lwa, setup)["lwa_client_secret"] == lwa.app(CLIENT)["client_secret"]
    assert lwa.calls[ROTATIONS] == 1


def test_killed_while_proving_the_new_secret_then_reruns_rotate_no_more(moto, lwa, setup):
    # The proof of the new secret comes before the vault write (nothing from a queue is vaulted unproven).
    killed_at(moto, lwa, setup, lwa.hold("POST", "/auth/o2/token", body_has="grant_type=refresh_token"))
    assert vaulted(lwa, setup)["lwa_client_secret"] == SECRET  # still accepted: 7 days of grace
    # A forced run while the killed run's message is still hidden: no rotation that could replace the secret in it.
    forced = run(moto, lwa, setup, force=True)
    assert forced.status("rotate") == "failed" and "are hidden" in forced.result("rotate")["msg"]
    assert lwa.calls[ROTATIONS] == 1 and vaulted(lwa, setup)["lwa_client_secret"] == SECRET
