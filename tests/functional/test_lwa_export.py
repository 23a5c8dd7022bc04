"""lwa_export through real ansible-playbook runs against moto server (Secrets Manager), read back by
python-amazon-sp-api's own credential loader, whose token client then gets a token from the LWA stand-in.

The runs of a scenario are steps of one ansible-playbook process (tests/support/steps.py); the refusals
are the tasks of one step.
"""

import json
import os
import stat

import boto3
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from tests.support.ansible import play, run_playbook
from tests.support.steps import Step, rescued, run_steps
from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  pylint: disable=unused-import
from tests.support.moto import admin_with_enforcement, writes

PASSWORD = "lwa-export-test-password"
VAULT_ARGS = ["--vault-id", "spapi@password.txt"]
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
CLIENT_SECRET = "amzn1.oa2-cs.v1.EXPORTSECRET0123456789abcdef0123456789abcdef0123456789abcdef01234567"
REFRESH_TOKEN = "Atzr|IwEBIEXPORTREFRESHTOKEN0123456789abcdefghijklmnopqrstuvwxyz"
VAULT = {"lwa_client_id": CLIENT_ID, "lwa_client_secret": CLIENT_SECRET, "lwa_client_secret_expires": None,
         "lwa_refresh_token": REFRESH_TOKEN, "lwa_application_id": "amzn1.sp.solution.0000", "updated": "2026-01-01",
         "team_variable": "kept"}
SECRET_NAME = "sp-api/lwa"


def write_vault(workdir, content=None):
    (workdir / "password.txt").write_text(PASSWORD + "\n")
    (workdir / "spapi-onboarding").mkdir(mode=0o700, exist_ok=True)
    path = workdir / "spapi-onboarding" / "lwa.vault.yml"
    text = VaultLib().encrypt(yaml.safe_dump(content or VAULT), VaultSecret(PASSWORD.encode()), "spapi")
    path.write_bytes(text)
    os.chmod(str(path), 0o600)
    return path


def export_task(**options):
    return {"name": "export", "spapi.onboarding.lwa_export": options, "register": "out"}


def secretsmanager(moto, credentials=None):
    credentials = credentials or {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    return boto3.client("secretsmanager", endpoint_url=moto.url, region_name="us-east-1",
                        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"])


def assert_no_secret(run, *paths):
    texts = [run.stdout, run.stderr, json.dumps(run.records)] + [p.read_text() for p in paths if p.exists()]
    for text in texts:
        for value in (CLIENT_SECRET, REFRESH_TOKEN):
            assert value not in text


@pytest.fixture
def sp_api_env(monkeypatch, moto, tmp_path):
    """python-amazon-sp-api's view: boto3 pointed at moto, its config dir under tmp_path, nothing else."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "SP_API_", "LWA_")) or name == "PYTHON-SP-APIDIR":
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    # confuse's own variable for the config dir of "python-sp-api" (else ~/.config/python-sp-api).
    monkeypatch.setenv("PYTHON-SP-APIDIR", str(tmp_path / "config" / "python-sp-api"))
    return monkeypatch


def test_exports_converge_and_python_amazon_sp_api_loads_them(moto, aws, lwa, sp_api_env, tmp_path):
    from sp_api.auth import access_token_client
    from sp_api.base.credential_provider import CredentialProvider

    credentials = admin_with_enforcement(aws.iam, moto)
    write_vault(tmp_path)
    credentials_file = tmp_path / "config" / "python-sp-api" / "credentials.yml"
    book = [export_task(secret_name=SECRET_NAME, credentials_file=str(credentials_file))]
    log = tmp_path / "ansible.log"
    env = {"ANSIBLE_LOG_PATH": str(log)}

    # One process for the three runs, all at -vvvv (the log and the verbose output hold no secret).
    runs = run_steps(tmp_path, moto, [
        Step("check", book, check=True, diff=True, record=True, after=(tmp_path / "config").exists),
        Step("first", book, diff=True, after=lambda: json.loads(
            secretsmanager(moto, credentials).get_secret_value(SecretId=SECRET_NAME)["SecretString"])),
        Step("again", book, record=True),
    ], VAULT_ARGS + ["-vvvv"], credentials, env)
    check = runs["check"]
    assert writes(check.calls) == []
    check.assert_ok()
    predicted = check.result("export")
    assert predicted["changed"]
    assert predicted["diff"]["after"]["secret"]["changed_keys"] == [
        "LWA_APP_ID", "LWA_CLIENT_SECRET", "SP_API_REFRESH_TOKEN"]
    assert predicted["diff"]["after"]["credentials_file"]["changed_keys"] == {
        "default": ["lwa_app_id", "lwa_client_secret", "refresh_token"]}
    assert check.seen is False

    first = runs["first"]
    first.assert_ok()
    result = first.result("export")
    assert result["changed"] and result["secret"]["arn"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:")
    assert result["credentials_file"] == str(credentials_file)
    assert stat.S_IMODE(os.stat(str(credentials_file)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(str(credentials_file.parent)).st_mode) == 0o700
    stored = first.seen
    assert stored == {"SP_API_REFRESH_TOKEN": REFRESH_TOKEN, "LWA_APP_ID": CLIENT_ID, "LWA_CLIENT_SECRET": CLIENT_SECRET}
    assert str(credentials_file) in first.stdout and "task path:" in first.stdout  # the verbose output is there
    assert_no_secret(first, log)

    again = runs["again"]
    calls = again.calls
    again.assert_ok()
    assert again.result("export")["changed"] is False
    assert calls == ["DescribeSecret", "GetResourcePolicy", "GetSecretValue"]
    assert_no_secret(again, log)

    # The library's own loader, from the secret (SP_API_AWS_SECRET_ID) ...
    sp_api_env.setenv("AWS_ACCESS_KEY_ID", credentials["AWS_ACCESS_KEY_ID"])
    sp_api_env.setenv("AWS_SECRET_ACCESS_KEY", credentials["AWS_SECRET_ACCESS_KEY"])
    sp_api_env.setenv("SP_API_AWS_SECRET_ID", SECRET_NAME)
    from_secret = CredentialProvider().credentials
    assert (from_secret.lwa_app_id, from_secret.lwa_client_secret, from_secret.refresh_token) == (
        CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
    # ... and from its credentials.yml, once no secret is named.
    sp_api_env.delenv("SP_API_AWS_SECRET_ID")
    from_file = CredentialProvider(account="default").credentials
    assert (from_file.lwa_app_id, from_file.lwa_client_secret, from_file.refresh_token) == (
        CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)

    # Its token client, pointed at the stand-in, gets a token with what it loaded.
    lwa.register(CLIENT_ID, CLIENT_SECRET, refresh_tokens=[REFRESH_TOKEN])
    sp_api_env.setattr(access_token_client.AccessTokenClient, "scheme", "http://")
    sp_api_env.setattr(access_token_client.AccessTokenClient, "host", lwa.url.split("//", 1)[1])
    sp_api_env.setattr(access_token_client.AccessTokenClient, "path", "/auth/o2/token")
    access_token_client.cache.clear()
    for loaded in (from_secret, from_file):
        access_token_client.cache.clear()
        token = access_token_client.AccessTokenClient(credentials=loaded).get_auth()
        assert token.access_token.startswith("Atza|")


def test_other_accounts_and_keys_kept_then_absent(moto, tmp_path):
    write_vault(tmp_path, dict(VAULT, lwa_refresh_token=None))
    (tmp_path / "cfg").mkdir(mode=0o700)
    credentials_file = tmp_path / "cfg" / "credentials.yml"
    credentials_file.write_text(yaml.safe_dump({"other": {"lwa_app_id": "x", "lwa_client_secret": "y"},
                                                "eu": {"refresh_token": "stale", "region": "EU"}}))
    os.chmod(str(credentials_file), 0o644)
    client = secretsmanager(moto)
    client.create_secret(Name=SECRET_NAME, SecretString=json.dumps({"AppClientId": "kept", "LWA_APP_ID": "old"}))
    book = play([export_task(secret_name=SECRET_NAME, credentials_file=str(credentials_file), account="eu",
                             adopt_secret=True)])  # a secret lwa_export did not create is handed over once

    run = run_playbook(book, tmp_path, moto.url, VAULT_ARGS + ["--diff"])
    run.assert_ok()
    result = run.result("export")
    # No refresh token in the vault (a grantless-only application): none in the exports either.
    assert json.loads(client.get_secret_value(SecretId=SECRET_NAME)["SecretString"]) == {
        "AppClientId": "kept", "LWA_APP_ID": CLIENT_ID, "LWA_CLIENT_SECRET": CLIENT_SECRET}
    assert yaml.safe_load(credentials_file.read_text()) == {
        "other": {"lwa_app_id": "x", "lwa_client_secret": "y"},
        "eu": {"region": "EU", "lwa_app_id": CLIENT_ID, "lwa_client_secret": CLIENT_SECRET}}
    assert stat.S_IMODE(os.stat(str(credentials_file)).st_mode) == 0o600
    assert result["diff"]["after"]["credentials_file"]["changed_keys"] == {
        "eu": ["lwa_app_id", "lwa_client_secret", "refresh_token"]}
    assert_no_secret(run)

    absent = [export_task(secret_name=SECRET_NAME, credentials_file=str(credentials_file), account="eu",
                          state="absent")]
    last = [export_task(secret_name=SECRET_NAME, credentials_file=str(credentials_file), account="other",
                        state="absent")]

    def deleted():
        try:
            client.get_secret_value(SecretId=SECRET_NAME)
        except client.exceptions.ResourceNotFoundException as exc:
            return exc
        return None

    # Removal needs no vault password: these four runs, one process, get none.
    removal = run_steps(tmp_path / "removal", moto, [
        Step("check", absent, check=True, record=True),
        Step("gone", absent, after=lambda: (json.loads(client.get_secret_value(SecretId=SECRET_NAME)["SecretString"]),
                                            yaml.safe_load(credentials_file.read_text()))),
        Step("again", absent),
        # Only our keys in them: the secret is deleted, and the file when its last account goes.
        Step("last", last, before=lambda: client.put_secret_value(
            SecretId=SECRET_NAME, SecretString=json.dumps({"LWA_APP_ID": CLIENT_ID})),
            after=lambda: (credentials_file.exists(), deleted())),
    ])
    check = removal["check"]
    assert writes(check.calls) == []
    check.assert_ok()
    assert check.result("export")["changed"]
    gone = removal["gone"]
    gone.assert_ok()
    secret, left = gone.seen
    assert secret == {"AppClientId": "kept"}
    assert left == {"other": {"lwa_app_id": "x", "lwa_client_secret": "y"}}
    assert removal["again"].result("export")["changed"] is False

    removal["last"].assert_ok()
    file_left, refused = removal["last"].seen
    assert not file_left
    assert isinstance(refused, client.exceptions.ResourceNotFoundException)


def unsafe(tmp_path, kind):
    base = tmp_path / "out"
    base.mkdir(mode=0o700, parents=True)
    target = base / "credentials.yml"
    if kind == "symlink":
        (tmp_path / "elsewhere").write_text("x")
        target.symlink_to(tmp_path / "elsewhere")
    elif kind == "group-writable":
        os.chmod(str(base), 0o770)
    return str(target)


REFUSED = [
    ("symlink", {}, "is a symbolic link"),
    ("group-writable", {}, "is writable by its group or by others"),
    (None, {"secret_name": "bad name!"}, "option 'secret_name'"),
    (None, {"account": "a b"}, "option 'account'"),
    (None, {"vault_id": "nope"}, "option 'vault_id': no vault secret with id 'nope'"),
    (None, {"vault_file": "missing.vault.yml"}, "option 'vault_file': the LWA vault file"),
]


@pytest.fixture(scope="module")
def refusals(module_moto, tmp_path_factory):
    """Each refusal a task of one step (each case in a directory of its own), recorded together."""
    workdir = tmp_path_factory.mktemp("refused")
    write_vault(workdir)
    tasks = []
    for index, (kind, options, dummy) in enumerate(REFUSED):
        case = workdir / ("case%d" % index)
        path = unsafe(case, kind) if kind else str(case / "out" / "credentials.yml")
        options = dict({"secret_name": SECRET_NAME, "credentials_file": path}, **options)
        tasks.append(rescued(dict(export_task(**options), name="case %d" % index)))
    module_moto.reset()
    run = run_steps(workdir, module_moto, [Step("refused", tasks, record=True)], VAULT_ARGS)["refused"]
    run.workdir = workdir
    return run


@pytest.mark.parametrize("kind, options, message", REFUSED)
def test_refused_before_any_call(refusals, kind, options, message):
    index = REFUSED.index((kind, options, message))
    run = refusals
    calls = run.calls
    assert run.returncode != 0 and run.status("case %d" % index) == "failed"
    assert message in run.result("case %d" % index)["msg"]
    assert calls == []
    if kind == "symlink":
        assert (run.workdir / ("case%d" % index) / "elsewhere").read_text() == "x"


def test_no_vault_password_is_refused(moto, tmp_path):
    write_vault(tmp_path)
    run = run_playbook(play([export_task(secret_name=SECRET_NAME)]), tmp_path, moto.url)
    assert run.returncode != 0
    assert "option 'vault_id': no vault password is loaded" in run.result("export")["msg"]
