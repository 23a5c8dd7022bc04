"""lwa_credentials and lwa_check through real ansible-playbook runs, real Ansible Vault and the LWA stand-in.

SPAPI_LWA_ENDPOINT points every task at the stand-in; no task names an endpoint. The runs of a test
with the same command line are steps of one ansible-playbook process (tests/support/steps.py).
"""

import datetime
import json
import os
import stat

import boto3
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa import common as _lwa
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import HttpClient
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import write_vault_file
from tests.support.ansible import play, run_playbook
from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  pylint: disable=unused-import
from tests.support.steps import Step, run_steps

CLIENT = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
SECRET = "amzn1.oa2-cs.v1.5ecre7c11en75ecre7c11en75ecre7c11en75ecre7"
REFRESH = "Atzr|IwEBI-refresh-token-of-the-self-authorisation"
PASSWORD = "correct horse battery staple"
VAULT_ARGS = ["--vault-id", "spapi@password.txt"]
NOT_AWS = "http://127.0.0.1:9"  # nothing here calls AWS


def secrets():
    return [("spapi", VaultSecret(PASSWORD.encode()))]


def decrypt(path):
    return yaml.safe_load(VaultLib(secrets()).decrypt(open(path, "rb").read()))


@pytest.fixture
def workdir(tmp_path):
    directory = tmp_path / "run"
    directory.mkdir(mode=0o700)
    (directory / "password.txt").write_text(PASSWORD + "\n")
    # The secrets reach the play as variables from a file, as lwa_store.yml's prompts would give them.
    (directory / "secrets.yml").write_text(yaml.safe_dump({"secret": SECRET, "refresh": REFRESH}))
    return directory


def store(name="store", **options):
    args = {"vault_file": "lwa.vault.yml", "client_id": CLIENT, "client_secret": "{{ secret }}",
            "refresh_token": "{{ refresh }}"}
    args.update(options)
    return {"name": name, "spapi.onboarding.lwa_credentials": args, "ignore_errors": True}


def check(name="check", **options):
    args = {"vault_file": "lwa.vault.yml"}
    args.update(options)
    return {"name": name, "spapi.onboarding.lwa_check": args, "ignore_errors": True}


def run(workdir, lwa, tasks, args=(), env=None):
    return run_playbook(play(tasks), workdir, NOT_AWS,
                        args=list(VAULT_ARGS) + ["-e", "@secrets.yml"] + list(args),
                        env=dict({"SPAPI_LWA_ENDPOINT": lwa.token_url}, **(env or {})))


def run_many(workdir, lwa, steps):
    """Several runs of run() as the steps of one process."""
    return run_steps(workdir, None, steps, list(VAULT_ARGS) + ["-e", "@secrets.yml"],
                     env={"SPAPI_LWA_ENDPOINT": lwa.token_url})


def token_calls(lwa):
    return lwa.calls["POST /auth/o2/token"], lwa.calls["POST /auth/o2/token 200"]


def test_refused_credentials_leave_the_vault_untouched(lwa, workdir):
    lwa.register(CLIENT, SECRET, [REFRESH])
    vault = workdir / "lwa.vault.yml"
    kept = {}

    def team_vault():
        # An existing vault file (a team's, with its own variable) is not rewritten by a refused run.
        write_vault_file(str(vault), {"team_var": "kept", "lwa_client_id": CLIENT, "lwa_client_secret": "old"},
                         secrets(), "spapi")
        kept["before"] = vault.read_bytes()

    runs = run_many(workdir, lwa, [
        Step("refused", [
            store("wrong secret", client_secret="amzn1.oa2-cs.v1.not-the-secret"),
            store("wrong refresh token", refresh_token="Atzr|not-the-refresh-token"),
            store("pasted with a line break", client_secret="{{ secret }}\n"),
        ], after=lambda: (vault.exists(), token_calls(lwa))),
        Step("existing vault", [store("wrong secret", client_secret="amzn1.oa2-cs.v1.not-the-secret")],
             before=team_vault, after=vault.read_bytes),
    ])
    result = runs["refused"]
    wrong_secret = result.result("wrong secret")
    assert result.status("wrong secret") == "failed" and "HTTP 401 invalid_client" in wrong_secret["msg"]
    assert _lwa.HINTS["invalid_client"] in wrong_secret["msg"] and "Nothing was written" in wrong_secret["msg"]
    assert "HTTP 400 invalid_grant" in result.result("wrong refresh token")["msg"]
    pasted = result.result("pasted with a line break")
    assert result.status("pasted with a line break") == "failed" and "client_secret" in pasted["msg"] and "line breaks" in pasted["msg"]
    exists, (exchanges, accepted) = result.seen
    assert not exists
    # The line break was refused before any call: two exchanges, both refused.
    assert exchanges == 2 and accepted == 0

    result = runs["existing vault"]
    assert result.status("wrong secret") == "failed"
    assert result.seen == kept["before"]


def test_vaulted_after_a_successful_exchange_then_converged(lwa, workdir):
    lwa.register(CLIENT, SECRET, [REFRESH], application_id="amzn1.sp.solution.0f0e")
    vault = workdir / "lwa.vault.yml"
    write_vault_file(str(vault), {"team_var": "kept"}, secrets(), "spapi")
    expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=90, hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    written = {}
    runs = run_many(workdir, lwa, [
        Step("first", [
            dict(store("predict", client_secret_expires=expires), check_mode=True, diff=True),
            store("store", client_secret_expires=expires, application_id="amzn1.sp.solution.0f0e"),
            check("check"),
        ], after=lambda: (decrypt(vault), stat.S_IMODE(os.stat(vault).st_mode), token_calls(lwa))),
        Step("again", [store("again"), dict(store("again in check mode"), check_mode=True)],
             before=lambda: written.update(bytes=vault.read_bytes()), after=vault.read_bytes),
        # A new secret (from Developer Central) without an expiry: written, expiry unknown, lwa_check warns and passes.
        Step("changed", [store("new secret", client_secret="amzn1.oa2-cs.v1.second-secret"), check()],
             before=lambda: lwa.register(CLIENT, "amzn1.oa2-cs.v1.second-secret", [REFRESH]),
             after=lambda: decrypt(vault)),
    ])
    first = runs["first"]
    first.assert_ok()
    predicted = first.result("predict")
    assert predicted["changed"] and predicted["proven"] == ["refresh_token"]
    assert predicted["diff"]["after"]["lwa_client_secret"] == "<secret>"
    assert SECRET not in json.dumps(predicted["diff"]) and REFRESH not in json.dumps(predicted["diff"])
    stored = first.result("store")
    assert stored["changed"] and stored["proven"] == ["refresh_token"] and stored["client_id"] == CLIENT
    assert stored["days_left"] == 90 and stored["client_secret_expires"] == expires
    content, mode, (dummy, accepted) = first.seen
    assert content["team_var"] == "kept"
    assert (content["lwa_client_id"], content["lwa_client_secret"], content["lwa_refresh_token"]) == (
        CLIENT, SECRET, REFRESH)
    assert content["lwa_application_id"] == "amzn1.sp.solution.0f0e"
    assert content["lwa_client_secret_expires"] == expires and content["lwa_previous_client_secret"] is None
    assert mode == 0o600
    checked = first.result("check")
    assert checked["ok"] and checked["days_left"] == 90 and checked["proven"] == ["refresh_token"]
    # predict, store and check each made exactly one exchange, all accepted
    assert accepted == 3

    again = runs["again"]
    again.assert_ok()
    assert not again.result("again")["changed"] and again.result("again")["changed_keys"] == []
    assert not again.result("again in check mode")["changed"]
    assert again.seen == written["bytes"]

    changed = runs["changed"]
    changed.assert_ok()
    assert changed.result("new secret")["changed_keys"] == ["lwa_client_secret", "lwa_client_secret_expires"]
    assert changed.result("check")["ok"] and changed.result("check")["days_left"] is None
    assert any("does not say when the client secret expires" in w for w in changed.result("check")["warnings"])
    assert changed.seen["lwa_refresh_token"] == REFRESH  # kept: not given is not removed


def test_lwa_check_fails_below_min_days_left_and_explains_each_failure(lwa, workdir, moto):
    lwa.register(CLIENT, SECRET, [REFRESH])
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=5, hours=1)).isoformat()

    def rotated_elsewhere():
        # A rotation made elsewhere, 8 days ago: the vaulted (old) secret no longer works.
        sqs = boto3.client("sqs", endpoint_url=moto.url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        lwa.set_preferences(CLIENT, new_secret=sqs.create_queue(QueueName="new-secret")["QueueUrl"])
        http = HttpClient()
        token = _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, scope=_lwa.SCOPE_ROTATION)
        _lwa.spapi_request(http, lwa.url, "POST", "/applications/2023-11-30/clientSecret", token, "rotate", ok=(204,))
        lwa.advance(8 * 86400)

    runs = run_many(workdir, lwa, [
        Step("thresholds", [
            check("no vault file"),
            store("store", client_secret_expires=soon),
            check("default threshold"),
            check("lower threshold", min_days_left=3),
        ]),
        Step("after rotation", [check("after rotation", min_days_left=0)], before=rotated_elsewhere),
    ])
    result = runs["thresholds"]
    assert "does not exist" in result.result("no vault file")["msg"]
    assert "lwa_credentials" in result.result("no vault file")["msg"]
    low = result.result("default threshold")
    assert result.status("default threshold") == "failed" and not low["ok"] and low["days_left"] == 5 and "min_days_left=7" in low["msg"]
    assert "lwa_rotate" in low["msg"]
    assert result.result("lower threshold")["ok"] and result.status("lower threshold") == "ok"

    (workdir / "other.txt").write_text("not the password\n")
    wrong = run_playbook(play([check("wrong password")]), workdir, NOT_AWS, args=["--vault-id", "spapi@other.txt"],
                         env={"SPAPI_LWA_ENDPOINT": lwa.token_url})
    assert "password" in wrong.result("wrong password")["msg"] and "cannot decrypt" in wrong.result("wrong password")["msg"]

    rotated = runs["after rotation"]
    message = rotated.result("after rotation")["msg"]
    assert "invalid_client" in message and "run the rotation" in message and "7 days" in message


def test_no_secret_or_token_in_output_log_or_results(lwa, workdir):
    lwa.register(CLIENT, SECRET, [REFRESH])
    log = workdir / "ansible.log"
    result = run(workdir, lwa, [store("store"), check("check"), store("refused", client_secret="amzn1.oa2-cs.v1.nope")],
                 args=["-vvvv", "--diff"], env={"ANSIBLE_LOG_PATH": str(log)})
    assert result.result("store")["changed"] and result.result("check")["ok"]
    assert result.status("refused") == "failed"
    issued = list(lwa.tokens)
    assert len(issued) == 2
    texts = {"output": result.output, "log": log.read_text(), "results": (workdir / "results.jsonl").read_text()}
    for where, text in texts.items():
        for needle in [SECRET, REFRESH, "amzn1.oa2-cs.v1.nope"] + issued:
            assert needle not in text, "%s leaked into the %s" % (needle[:12], where)
    assert "invalid_client" in texts["output"]


def test_state_absent_keeps_a_teams_variables(lwa, workdir):
    vault = workdir / "lwa.vault.yml"
    write_vault_file(str(vault), {"team_var": "kept", "lwa_client_id": CLIENT, "lwa_client_secret": SECRET},
                     secrets(), "spapi")
    result = run(workdir, lwa, [store("remove", state="absent", client_secret=None, refresh_token=None),
                                store("again", state="absent", client_secret=None, refresh_token=None)])
    result.assert_ok()
    assert result.result("remove")["changed_keys"] == ["lwa_client_id", "lwa_client_secret"]
    assert not result.result("again")["changed"]
    assert decrypt(vault) == {"team_var": "kept"}
    assert lwa.calls["POST /auth/o2/token"] == 0
