"""A team's vault file survives the playbooks a user runs (onboard, rotate_key, offboard).

The three runs are steps of one ansible-playbook process (tests/support/steps.py).
"""

import stat

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from tests.support.ansible import REPO
from tests.support.steps import Step, run_steps

PLAYBOOKS = REPO / "playbooks"
PASSWORD = "team-password-for-tests"
SECRETS = [("spapi", VaultSecret(PASSWORD.encode()))]
TEAM_VARS = {"db_password": "hunter2", "deploy_tokens": ["a", "b"], "smtp": {"host": "mail.example.com", "port": 25}}
OURS = {"aws_access_key_id", "aws_secret_access_key", "iam_user_arn", "created"}


def decrypt(path):
    return yaml.safe_load(VaultLib(SECRETS).decrypt(path.read_bytes()))


def test_team_vault_file_keeps_its_variables_through_onboard_rotate_and_offboard(moto, aws, tmp_path):
    password = tmp_path / "vault-password"
    password.write_text(PASSWORD + "\n")
    team_dir = tmp_path / "group_vars" / "all"
    team_dir.mkdir(parents=True)
    team_dir.chmod(0o755)
    team_file = team_dir / "vault.yml"
    team_file.write_bytes(VaultLib(SECRETS).encrypt(yaml.safe_dump(TEAM_VARS), SECRETS[0][1], vault_id="spapi"))
    team_file.chmod(0o600)
    args = ["--vault-id", "spapi@%s" % password, "-e", "iam_vault_file=group_vars/all/vault.yml"]

    runs = run_steps(tmp_path, moto, [
        Step("onboard", playbook=PLAYBOOKS / "onboard.yml", after=lambda: decrypt(team_file)),
        Step("rotate", playbook=PLAYBOOKS / "rotate_key.yml", after=lambda: (
            decrypt(team_file), stat.S_IMODE(team_file.stat().st_mode))),
        Step("offboard", playbook=PLAYBOOKS / "offboard.yml", vars={"spapi_offboard_confirm": "SellingPartnerAPIUser"},
             after=lambda: (aws.iam.list_users()["Users"], decrypt(team_file))),
    ], args, playbook_dir=tmp_path / "plays")  # not beside group_vars/, as playbooks/*.yml are not

    runs["onboard"].assert_ok()
    onboarded = runs["onboard"].seen
    assert set(onboarded) == set(TEAM_VARS) | OURS
    assert {k: onboarded[k] for k in TEAM_VARS} == TEAM_VARS

    runs["rotate"].assert_ok()
    rotated, mode = runs["rotate"].seen
    assert rotated["aws_access_key_id"] != onboarded["aws_access_key_id"]
    assert {k: rotated[k] for k in TEAM_VARS} == TEAM_VARS
    assert mode == 0o600

    runs["offboard"].assert_ok()
    users, left = runs["offboard"].seen
    assert users == []
    assert left == TEAM_VARS
