"""The vault file cannot be turned against its owner (invariant 9), through real ansible-playbook runs.

A team's vault file keeps its own variables through onboarding, rotation and offboarding; a
symlinked path, an unsafe directory or a file that is not a mapping is refused before any AWS
call and left as it was; a vault file opened up to 0644 is brought back to 0600.
"""

import os
import stat

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from tests.support.ansible import play, run_playbook
from tests.support.moto import writes

USER = "SellingPartnerAPIUser"
PASSWORD = "correct horse battery staple"
VAULT_ARGS = ["--vault-id", "spapi@password.txt"]
SECRETS = [("spapi", VaultSecret(PASSWORD.encode()))]
TEAM_VARS = {"db_password": "hunter2", "deploy_tokens": ["a", "b"], "smtp": {"host": "mail.example.com", "port": 25}}
OURS = {"aws_access_key_id", "aws_secret_access_key", "iam_user_arn", "created"}


def encrypt_to(path, data, vault_id="spapi"):
    path.write_bytes(VaultLib(SECRETS).encrypt(yaml.safe_dump(data), SECRETS[0][1], vault_id=vault_id))
    path.chmod(0o600)


def decrypt(path):
    return yaml.safe_load(VaultLib(SECRETS).decrypt(path.read_bytes()))


def mode(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def key_task(name="key", **options):
    options.setdefault("vault_id", "spapi")
    return {"name": name, "spapi.onboarding.access_key": options, "register": name}


@pytest.fixture
def workdir(tmp_path, aws):
    aws.iam.create_user(UserName=USER)
    (tmp_path / "password.txt").write_text(PASSWORD + "\n")
    (tmp_path / "group_vars" / "all").mkdir(parents=True, mode=0o755)
    os.chmod(str(tmp_path / "group_vars" / "all"), 0o755)
    return tmp_path


def run_key(workdir, moto, check=False, **options):
    moto.start_recording()
    run = run_playbook(play([key_task(**options)]), workdir, moto.url, VAULT_ARGS + (["--check"] if check else []))
    return run, moto.stop_recording()


def active_keys(aws):
    return sorted(k["AccessKeyId"] for k in aws.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]
                  if k["Status"] == "Active")


def test_a_team_vault_file_keeps_its_variables_through_write_rotation_and_removal(moto, aws, workdir):
    team_file = workdir / "group_vars" / "all" / "vault.yml"
    encrypt_to(team_file, TEAM_VARS)
    vault_file = "group_vars/all/vault.yml"

    created, dummy = run_key(workdir, moto, vault_file=vault_file)
    created.assert_ok()
    content = decrypt(team_file)
    assert {k: content[k] for k in TEAM_VARS} == TEAM_VARS
    assert set(content) == set(TEAM_VARS) | OURS
    assert content["aws_access_key_id"] == created.result("key")["access_key_id"] == active_keys(aws)[0]
    assert team_file.read_bytes().startswith(b"$ANSIBLE_VAULT;1.2;AES256;spapi")
    assert mode(team_file) == 0o600

    rotated, dummy = run_key(workdir, moto, vault_file=vault_file, rotate=True)
    rotated.assert_ok()
    content = decrypt(team_file)
    assert rotated.result("key")["rotated"] is True
    assert {k: content[k] for k in TEAM_VARS} == TEAM_VARS
    assert content["aws_access_key_id"] == rotated.result("key")["access_key_id"] == active_keys(aws)[0]

    removed, dummy = run_key(workdir, moto, vault_file=vault_file, state="absent")
    removed.assert_ok()
    assert "its other variables are kept" in " ".join(removed.result("key")["actions"])
    assert team_file.exists() and decrypt(team_file) == TEAM_VARS
    assert mode(team_file) == 0o600
    assert active_keys(aws) == []

    # Nothing of the collection's is left in it: removing again changes nothing.
    again, calls = run_key(workdir, moto, vault_file=vault_file, state="absent")
    again.assert_ok()
    assert again.result("key")["changed"] is False and writes(calls) == []
    assert decrypt(team_file) == TEAM_VARS


def test_a_vault_file_of_the_collection_alone_is_deleted_on_removal(moto, aws, workdir):
    run_key(workdir, moto, vault_file="sp.vault.yml")[0].assert_ok()
    assert set(decrypt(workdir / "sp.vault.yml")) == OURS
    removed, dummy = run_key(workdir, moto, vault_file="sp.vault.yml", state="absent")
    removed.assert_ok()
    assert not (workdir / "sp.vault.yml").exists()


@pytest.mark.parametrize("content", [["a", "list"], "just a string", 42])
def test_a_vault_file_that_is_not_a_mapping_is_refused_untouched(moto, aws, workdir, content):
    # Not under group_vars/: ansible-playbook itself would refuse to load it as variables.
    (workdir / "team").mkdir(mode=0o700)
    team_file = workdir / "team" / "vault.yml"
    encrypt_to(team_file, content)
    before = team_file.read_bytes()
    run, calls = run_key(workdir, moto, vault_file="team/vault.yml")
    assert run.returncode != 0
    assert "does not contain a YAML mapping; it was left untouched" in run.result("key")["msg"]
    assert team_file.read_bytes() == before
    assert writes(calls) == [] and active_keys(aws) == []


def test_a_loose_vault_file_is_brought_back_to_0600(moto, aws, workdir):
    run_key(workdir, moto, vault_file="sp.vault.yml")[0].assert_ok()
    vault_file = workdir / "sp.vault.yml"
    before = vault_file.read_bytes()
    vault_file.chmod(0o644)

    predicted, calls = run_key(workdir, moto, check=True, vault_file="sp.vault.yml")
    predicted.assert_ok()
    assert predicted.result("key")["changed"] is True
    assert mode(vault_file) == 0o644 and writes(calls) == []

    fixed, calls = run_key(workdir, moto, vault_file="sp.vault.yml")
    fixed.assert_ok()
    result = fixed.result("key")
    assert result["changed"] is True
    assert result["actions"] == ["set the mode of the vault file %s back to 0600 (it was 0644)" % vault_file]
    assert mode(vault_file) == 0o600
    assert vault_file.read_bytes() == before  # same key, same file: only the mode changed
    assert writes(calls) == []

    converged, dummy = run_key(workdir, moto, vault_file="sp.vault.yml")
    assert converged.result("key")["changed"] is False


def test_a_symlinked_vault_path_is_refused_and_its_target_unchanged(moto, aws, workdir):
    target = workdir / "elsewhere.yml"
    target.write_text("something the link's author wants overwritten\n")
    target.chmod(0o644)
    link = workdir / "sp.vault.yml"
    link.symlink_to(target)
    before = target.read_bytes()

    for check in (True, False):
        run, calls = run_key(workdir, moto, check=check, vault_file="sp.vault.yml")
        assert run.returncode != 0
        assert "option 'vault_file': %s is a symbolic link" % link in run.result("key")["msg"]
        assert calls == []  # refused before any AWS call
    assert target.read_bytes() == before and mode(target) == 0o644
    assert os.path.islink(str(link)) and not os.path.exists(str(link) + ".lock")
    assert active_keys(aws) == []


@pytest.mark.parametrize("directory_mode, rule", [
    (0o770, "is writable by its group or by others (mode 0770)"),
    (0o777, "is writable by its group or by others (mode 0777)"),
    (0o1777, "is writable by its group or by others (mode 1777)"),
])
def test_a_vault_file_in_an_unsafe_directory_is_refused(moto, aws, workdir, directory_mode, rule):
    shared = workdir / "shared"
    shared.mkdir()
    shared.chmod(directory_mode)
    run, calls = run_key(workdir, moto, vault_file="shared/sp.vault.yml")
    assert run.returncode != 0
    message = run.result("key")["msg"]
    assert message.startswith("option 'vault_file': the directory %s %s" % (shared, rule)), message
    assert "chmod go-w" in message
    assert calls == [] and os.listdir(str(shared)) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a directory to another user needs root")
def test_a_vault_file_in_another_users_directory_is_refused(moto, aws, workdir):
    theirs = workdir / "theirs"
    theirs.mkdir(mode=0o755)
    os.chown(str(theirs), 65534, 65534)
    run, calls = run_key(workdir, moto, vault_file="theirs/sp.vault.yml")
    assert run.returncode != 0
    assert "belongs to uid 65534, not to the user running the play" in run.result("key")["msg"]
    assert calls == [] and os.listdir(str(theirs)) == []


def test_a_symlinked_lock_file_is_refused_and_its_target_unchanged(moto, aws, workdir):
    target = workdir / "precious.txt"
    target.write_text("not a lock\n")
    (workdir / "sp.vault.yml.lock").symlink_to(target)
    run, calls = run_key(workdir, moto, vault_file="sp.vault.yml")
    assert run.returncode != 0
    assert "the lock file %s.lock is a symbolic link" % (workdir / "sp.vault.yml") in run.result("key")["msg"]
    assert target.read_text() == "not a lock\n"
    assert calls == [] and not (workdir / "sp.vault.yml").exists()


def test_verify_fails_the_key_check_of_a_loose_vault_file_until_onboarding_restores_it(moto, aws, workdir):
    run_key(workdir, moto, vault_file="sp.vault.yml")[0].assert_ok()
    vault_file = workdir / "sp.vault.yml"
    vault_file.chmod(0o644)
    verify = [{"name": "verify", "register": "verify",
               "spapi.onboarding.verify": {"vault_file": "sp.vault.yml", "assume_role": False, "fail_on_error": False}}]

    def key_check():
        run = run_playbook(play(verify), workdir, moto.url, VAULT_ARGS)
        run.assert_ok()
        return next(c for c in run.result("verify")["checks"] if c["name"] == "access_key")

    loose = key_check()
    assert loose["ok"] is False
    assert "the vault file %s has mode 0644: it must be 0600" % vault_file in loose["detail"]
    run_key(workdir, moto, vault_file="sp.vault.yml")[0].assert_ok()
    assert mode(vault_file) == 0o600
    assert key_check()["ok"] is True
