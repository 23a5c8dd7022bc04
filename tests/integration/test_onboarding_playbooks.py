"""The playbooks a user runs (playbooks/*.yml), through real ansible-playbook runs against moto server.

Runs with the same command line are steps of one process (tests/support/steps.py), the -e of a
separate run given to the step's import instead; --check, another vault password and a run that
fails keep a process of their own.
"""

import re
import subprocess

import yaml

from tests.support.ansible import BIN, REPO, run_playbook
from tests.support.moto import AUTH_OFF, admin_with_enforcement, writes
from tests.support.steps import Step, run_steps

PLAYBOOKS = REPO / "playbooks"
USER_ARN = "arn:aws:iam::123456789012:user/SellingPartnerAPIUser"
ROLE_ARN = "arn:aws:iam::123456789012:role/SellingPartnerAPIRole"


def recap_changed(run):
    found = re.findall(r"localhost\s+: ok=\d+\s+changed=(\d+)", run.output)
    assert found, run.output
    return int(found[-1])


def changed_tasks(step):
    """What a run's recap counts as changed, for one step of a batched run: its tasks that changed."""
    return sum(1 for record in step.records if record["result"].get("changed"))


def test_offboard_refuses_without_confirmation(moto, aws, tmp_path):
    aws.iam.create_user(UserName="SellingPartnerAPIUser")
    moto.start_recording()
    missing = run_playbook(PLAYBOOKS / "offboard.yml", tmp_path, moto.url)
    wrong = run_playbook(PLAYBOOKS / "offboard.yml", tmp_path, moto.url, ["-e", "spapi_offboard_confirm=yes"])
    # The refusal reads what there is, to say what would go, and writes nothing.
    assert writes(moto.stop_recording()) == []
    for run in (missing, wrong):
        assert run.returncode != 0
        assert "-e spapi_offboard_confirm=SellingPartnerAPIUser" in run.output
        assert "it removes user SellingPartnerAPIUser, its access keys and vault file" in run.output
    assert [u["UserName"] for u in aws.iam.list_users()["Users"]] == ["SellingPartnerAPIUser"]


def vault_view(path, password_file):
    process = subprocess.run([str(BIN / "ansible-vault"), "view", "--vault-id", "spapi@%s" % password_file, str(path)],
                             capture_output=True, text=True, check=True)
    return yaml.safe_load(process.stdout)


def test_onboard_check_apply_rerun_verify_rotate_offboard(moto, aws, tmp_path):
    password = tmp_path / "vault-password"
    password.write_text("demo-password-for-tests\n")
    vault = ["--vault-id", "spapi@%s" % password]
    out = tmp_path / "spapi-onboarding"

    # --check on an empty account: zero writes, nothing on disk, ARNs predicted.
    moto.start_recording()
    check = run_playbook(PLAYBOOKS / "onboard.yml", tmp_path, moto.url, ["--check"] + vault)
    assert writes(moto.stop_recording()) == []
    check.assert_ok()
    assert "IAM ARN to paste into the form: %s" % ROLE_ARN in check.output
    # In a fresh directory too, check mode says a key would be created (and where it would be stored).
    predicted_key = check.result("Ensure one usable access key, stored in the vault file")
    assert predicted_key["changed"] is True
    assert any(a.startswith("create an access key for IAM user SellingPartnerAPIUser") for a in predicted_key["actions"])
    assert not out.exists()
    assert aws.iam.list_users()["Users"] == []

    onboarded = run_steps(tmp_path, moto, [
        Step("first", playbook=PLAYBOOKS / "onboard.yml", record=True, after=lambda: (
            vault_view(out / "SellingPartnerAPIUser.vault.yml", password),
            aws.iam.get_role(RoleName="SellingPartnerAPIRole")["Role"]["Arn"],
            (out / "SellingPartnerAPIUser.app-client.md").read_text())),
        Step("again", playbook=PLAYBOOKS / "onboard.yml", record=True),
        Step("verify", playbook=PLAYBOOKS / "verify.yml"),
    ], vault)
    first = onboarded["first"]
    first_calls = first.calls
    first.assert_ok()
    # The whole first run, the plan's reads, vault and live AssumeRole included, stays within 22 AWS calls;
    # the writes come after every read of the plan.
    assert len(first_calls) <= 22, first_calls
    assert first_calls[:6] == ["GetUser", "GetCallerIdentity", "GetPolicy", "GetRole", "GetUserPolicy",
                               "ListAccessKeys"]
    assert writes(first_calls[:6]) == []
    stored, role_arn, sheet = first.seen
    assert stored["iam_user_arn"] == USER_ARN
    assert stored["aws_secret_access_key"] not in first.output
    assert role_arn == ROLE_ARN
    # One sheet per identity, named like its vault file.
    assert "`%s`" % ROLE_ARN in sheet
    assert "Settings sheet (type it into Seller Central > Develop Apps > Add new app client): %s" % (
        out / "SellingPartnerAPIUser.app-client.md") in first.output

    again = onboarded["again"]
    converged_calls = again.calls
    again.assert_ok()
    # A converged run reads each link once and proves the key live: eight calls, no write.
    assert converged_calls == ["GetUser", "GetPolicy", "GetPolicyVersion", "GetRole", "ListAttachedRolePolicies",
                               "GetUserPolicy", "ListAccessKeys", "AssumeRole"]
    assert changed_tasks(again) == 0

    # Onboarding loads only the tasks of the state asked for: no skipped removal task shows.
    assert "Remove" not in first.output and "Remove" not in again.output

    verify = onboarded["verify"]
    verify.assert_ok()
    # Without the live AssumeRole, the chain is checked read-only with no vault password at all.
    chain_only = run_playbook(PLAYBOOKS / "verify.yml", tmp_path, moto.url, ["-e", "iam_assume_role=false"])
    chain_only.assert_ok()
    assert chain_only.result("Check every link of the chain and the stored key")["ok"] is True

    ended = run_steps(tmp_path, moto, [
        Step("rotate", playbook=PLAYBOOKS / "rotate_key.yml", vars={"iam_on_unknown_keys": "delete"},
             after=lambda: (vault_view(out / "SellingPartnerAPIUser.vault.yml", password),
                            aws.iam.list_access_keys(UserName="SellingPartnerAPIUser")["AccessKeyMetadata"])),
        Step("offboard", playbook=PLAYBOOKS / "offboard.yml",
             vars={"spapi_offboard_confirm": "SellingPartnerAPIUser"}),
    ], vault)
    rotate = ended["rotate"]
    rotate.assert_ok()
    rotated, keys = rotate.seen
    assert rotated["aws_access_key_id"] != stored["aws_access_key_id"]
    assert [k["AccessKeyId"] for k in keys if k["Status"] == "Active"] == [rotated["aws_access_key_id"]]

    offboard = ended["offboard"]
    offboard.assert_ok()
    assert aws.iam.list_users()["Users"] == []
    assert aws.iam.list_roles()["Roles"] == []
    assert aws.iam.list_policies(Scope="Local")["Policies"] == []
    assert not (out / "SellingPartnerAPIUser.vault.yml").exists()
    # Nothing is left behind: no lock file, no sheet still offering the deleted role ARN.
    assert sorted(p.name for p in out.iterdir()) == []


def test_rotation_proves_the_new_key_on_the_role_before_the_old_key_goes(moto, aws, tmp_path):
    """With IAM authorization enforced, a new key that cannot assume the role never replaces the old one."""
    password = tmp_path / "vault-password"
    password.write_text("demo-password-for-tests\n")
    vault = ["--vault-id", "spapi@%s" % password]
    admin = admin_with_enforcement(aws.iam, moto)

    def without_sts_policy():
        # Without its STS policy the user's keys cannot assume the role: the rotation must keep the old key.
        moto.set_auth(AUTH_OFF)
        aws.iam.delete_user_policy(UserName="SellingPartnerAPIUser", PolicyName="SellingPartnerAPIAssumeRole")
        moto.set_auth(0)

    runs = run_steps(tmp_path, moto, [
        Step("onboard", playbook=PLAYBOOKS / "onboard.yml", after=lambda: vault_view(
            tmp_path / "spapi-onboarding" / "SellingPartnerAPIUser.vault.yml", password)["aws_access_key_id"]),
        Step("refused", playbook=PLAYBOOKS / "rotate_key.yml", before=without_sts_policy,
             vars={"iam_on_unknown_keys": "delete", "iam_wait_timeout": 1}),
    ], vault, credentials=admin)
    runs["onboard"].assert_ok()
    old = runs["onboard"].seen
    refused = runs["refused"]
    assert refused.returncode != 0
    assert "assume IAM role %s with the new access key" % ROLE_ARN in refused.output
    assert "the old key %s was kept in AWS" % old in refused.output
    moto.set_auth(AUTH_OFF)
    keys = aws.iam.list_access_keys(UserName="SellingPartnerAPIUser")["AccessKeyMetadata"]
    assert old in [k["AccessKeyId"] for k in keys if k["Status"] == "Active"]
