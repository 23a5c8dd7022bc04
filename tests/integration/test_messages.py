"""What a user reads leads to the right fix: the collection's playbooks after common mistakes."""

import pytest

from tests.support.ansible import REPO, run_playbook
from tests.support.moto import writes

PLAYBOOKS = REPO / "playbooks"
VAULT_FILE = "spapi-onboarding/SellingPartnerAPIUser.vault.yml"


@pytest.fixture
def onboarded(moto, aws, tmp_path):
    """A chain onboarded with onboard.yml; returns how to run a playbook in the same directory."""
    (tmp_path / "right.txt").write_text("the-right-password\n")
    (tmp_path / "wrong.txt").write_text("another-password\n")

    def run(playbook, password="right.txt", *extra):
        return run_playbook(PLAYBOOKS / playbook, tmp_path, moto.url, ["--vault-id", "spapi@%s" % password] + list(extra))

    run("onboard.yml").assert_ok()
    return run


def test_a_wrong_vault_password_is_named_as_such(onboarded):
    run = onboarded("verify.yml", "wrong.txt")
    assert run.returncode != 0
    assert "the vault password (or vault id) is not the one the file was encrypted with" in run.output
    assert "Fix: run ansible-playbook again with the vault password the file was encrypted with" in run.output
    assert "rotate_key.yml" not in run.output


def test_a_deleted_vault_file_gets_the_one_command_that_recovers(onboarded, tmp_path):
    (tmp_path / VAULT_FILE).unlink()
    run = onboarded("verify.yml")
    assert run.returncode != 0
    assert "does not exist, so the key it held is lost to this run" in run.output
    assert "first check that iam_vault_file" in run.output
    assert "playbooks/rotate_key.yml --vault-id <id>@prompt -e iam_on_unknown_keys=delete" in run.output


def test_unknown_keys_ask_first_about_the_vault_path_naming_the_role_variables(moto, aws, onboarded):
    aws.iam.create_access_key(UserName="SellingPartnerAPIUser")
    moto.start_recording()
    run = onboarded("onboard.yml", "right.txt", "-e", "iam_vault_file=spapi-onboarding/mistyped.vault.yml")
    calls = moto.stop_recording()
    assert run.returncode != 0
    assert writes(calls) == [], calls
    assert "variable 'iam_on_unknown_keys': IAM user 'SellingPartnerAPIUser' has active access keys" in run.output
    assert "First check that iam_vault_file names the file that holds this user's key" in run.output
    assert "or set iam_on_unknown_keys to deactivate or delete" in run.output
