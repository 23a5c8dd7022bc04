"""A team's vault file survives the playbooks a user runs (onboard, rotate_key, offboard)."""

import stat

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from tests.support.ansible import REPO, run_playbook

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

    run_playbook(PLAYBOOKS / "onboard.yml", tmp_path, moto.url, args).assert_ok()
    onboarded = decrypt(team_file)
    assert set(onboarded) == set(TEAM_VARS) | OURS
    assert {k: onboarded[k] for k in TEAM_VARS} == TEAM_VARS

    run_playbook(PLAYBOOKS / "rotate_key.yml", tmp_path, moto.url, args).assert_ok()
    rotated = decrypt(team_file)
    assert rotated["aws_access_key_id"] != onboarded["aws_access_key_id"]
    assert {k: rotated[k] for k in TEAM_VARS} == TEAM_VARS
    assert stat.S_IMODE(team_file.stat().st_mode) == 0o600

    run_playbook(PLAYBOOKS / "offboard.yml", tmp_path, moto.url,
                 args + ["-e", "spapi_offboard_confirm=SellingPartnerAPIUser"]).assert_ok()
    assert aws.iam.list_users()["Users"] == []
    assert decrypt(team_file) == TEAM_VARS
