"""What a user reads leads to the right fix: the collection's playbooks after common mistakes.

One chain is onboarded, then each mistake is made in turn; a run that fails ends its ansible-playbook
process, so the runs take three processes (tests/support/steps.py), in an order where no mistake
changes what the next one reads.
"""

import shutil

import pytest

from tests.support.ansible import REPO
from tests.support.moto import writes
from tests.support.steps import Step, run_steps

PLAYBOOKS = REPO / "playbooks"
VAULT_FILE = "spapi-onboarding/SellingPartnerAPIUser.vault.yml"


@pytest.fixture(scope="module")
def runs(module_moto, module_aws, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("messages")
    (workdir / "right.txt").write_text("the-right-password\n")
    (workdir / "wrong.txt").write_text("another-password\n")
    vault = workdir / VAULT_FILE

    def vault_id(password):
        return ["--vault-id", "spapi@%s" % password]

    def put_aside():
        shutil.copy(str(vault), str(workdir / "vault-aside"))
        vault.unlink()

    # The chain onboarded, then its vault file deleted: verify names the one command that recovers.
    first = run_steps(workdir, module_moto, [
        Step("onboard", playbook=PLAYBOOKS / "onboard.yml"),
        Step("deleted vault file", playbook=PLAYBOOKS / "verify.yml", before=put_aside),
    ], vault_id("right.txt"))
    # The vault file back, read with the wrong password.
    shutil.copy(str(workdir / "vault-aside"), str(vault))
    wrong = run_steps(workdir, module_moto, [Step("wrong password", playbook=PLAYBOOKS / "verify.yml")],
                      vault_id("wrong.txt"))
    # A key the vault file does not hold, and a mistyped vault path.
    unknown = run_steps(workdir, module_moto, [
        Step("unknown keys", playbook=PLAYBOOKS / "onboard.yml", record=True,
             vars={"iam_vault_file": "spapi-onboarding/mistyped.vault.yml"},
             before=lambda: module_aws.iam.create_access_key(UserName="SellingPartnerAPIUser")),
    ], vault_id("right.txt"))
    return dict(first, **wrong, **unknown)


def test_a_wrong_vault_password_is_named_as_such(runs):
    runs["onboard"].assert_ok()
    run = runs["wrong password"]
    assert run.returncode != 0
    assert "the vault password (or vault id) is not the one the file was encrypted with" in run.output
    assert "Fix: run ansible-playbook again with the vault password the file was encrypted with" in run.output
    assert "rotate_key.yml" not in run.output


def test_a_deleted_vault_file_gets_the_one_command_that_recovers(runs):
    runs["onboard"].assert_ok()
    run = runs["deleted vault file"]
    assert run.returncode != 0
    assert "does not exist, so the key it held is lost to this run" in run.output
    assert "first check that iam_vault_file" in run.output
    assert "playbooks/rotate_key.yml --vault-id <id>@prompt -e iam_on_unknown_keys=delete" in run.output


def test_unknown_keys_ask_first_about_the_vault_path_naming_the_role_variables(runs):
    runs["onboard"].assert_ok()
    run = runs["unknown keys"]
    calls = run.calls
    assert run.returncode != 0
    assert writes(calls) == [], calls
    assert "variable 'iam_on_unknown_keys': IAM user 'SellingPartnerAPIUser' has active access keys" in run.output
    assert "First check that iam_vault_file names the file that holds this user's key" in run.output
    assert "or set iam_on_unknown_keys to deactivate or delete" in run.output
