"""iam_user through real ansible-playbook runs against moto server."""

import pytest

from tests.support.ansible import play, run_playbook
from tests.support.moto import writes


def user_task(**options):
    options.setdefault("name", "SellingPartnerAPIUser")
    return {"name": "user", "spapi.onboarding.iam_user": options, "register": "out"}


def test_check_mode_predicts_then_apply_then_idempotent(moto, aws, tmp_path):
    book = play([user_task(tags={"team": "ops"})])

    moto.start_recording()
    check = run_playbook(book, tmp_path, moto.url, ["--check", "--diff"])
    assert writes(moto.stop_recording()) == []
    check.assert_ok()
    predicted = check.result("user")
    assert predicted["changed"] is True
    assert predicted["user"]["arn"] == "arn:aws:iam::123456789012:user/SellingPartnerAPIUser"
    assert predicted["diff"]["after"]["tags"] == {"team": "ops"}
    assert aws.iam.list_users()["Users"] == []

    first = run_playbook(book, tmp_path, moto.url)
    first.assert_ok()
    created = first.result("user")
    assert created["changed"] and created["created"]
    live = aws.iam.get_user(UserName="SellingPartnerAPIUser")["User"]
    assert created["user"]["arn"] == live["Arn"] == predicted["user"]["arn"]
    assert created["user"]["user_id"] == live["UserId"]
    assert live["Tags"] == [{"Key": "team", "Value": "ops"}]

    moto.start_recording()
    again = run_playbook(book, tmp_path, moto.url)
    calls = moto.stop_recording()
    again.assert_ok()
    assert again.result("user")["changed"] is False
    assert writes(calls) == []
    assert calls == ["GetUser"]


def test_tag_drift_is_repaired_and_purged(moto, aws, tmp_path):
    aws.iam.create_user(UserName="SellingPartnerAPIUser", Tags=[{"Key": "old", "Value": "1"}, {"Key": "team", "Value": "x"}])
    run = run_playbook(play([user_task(tags={"team": "ops"})]), tmp_path, moto.url, ["--diff"])
    run.assert_ok()
    result = run.result("user")
    assert result["changed"]
    assert result["diff"]["before"]["tags"] == {"old": "1", "team": "x"}
    assert result["diff"]["after"]["tags"] == {"team": "ops"}
    tags = aws.iam.list_user_tags(UserName="SellingPartnerAPIUser")["Tags"]
    assert tags == [{"Key": "team", "Value": "ops"}]


def test_absent_removes_keys_policies_and_user(moto, aws, tmp_path):
    aws.iam.create_user(UserName="SellingPartnerAPIUser")
    key = aws.iam.create_access_key(UserName="SellingPartnerAPIUser")["AccessKey"]["AccessKeyId"]
    aws.iam.put_user_policy(UserName="SellingPartnerAPIUser", PolicyName="inline",
                            PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}')
    serial = aws.iam.create_virtual_mfa_device(VirtualMFADeviceName="sp-mfa")["VirtualMFADevice"]["SerialNumber"]
    aws.iam.enable_mfa_device(UserName="SellingPartnerAPIUser", SerialNumber=serial,
                              AuthenticationCode1="123456", AuthenticationCode2="654321")
    ssh_key = aws.iam.upload_ssh_public_key(UserName="SellingPartnerAPIUser", SSHPublicKeyBody="ssh-rsa AAAAB3NzaC1yc2E")[
        "SSHPublicKey"]["SSHPublicKeyId"]
    book = play([user_task(state="absent")])

    moto.start_recording()
    check = run_playbook(book, tmp_path, moto.url, ["--check"])
    assert writes(moto.stop_recording()) == []
    check.assert_ok()
    assert check.result("user")["changed"]

    run = run_playbook(book, tmp_path, moto.url)
    run.assert_ok()
    assert run.result("user")["deleted_access_key_ids"] == [key]
    actions = run.result("user")["actions"]
    assert actions.index("deactivate MFA device %s" % serial) < actions.index("delete user SellingPartnerAPIUser")
    assert "delete SSH public key %s" % ssh_key in actions
    assert aws.iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"] == []
    assert aws.iam.list_users()["Users"] == []

    again = run_playbook(book, tmp_path, moto.url)
    again.assert_ok()
    assert again.result("user")["changed"] is False


@pytest.mark.parametrize("options, message", [
    ({"name": "Selling Partner"}, "option 'name': 'Selling Partner' is not a valid IAM user name"),
    ({"name": "u" * 65}, "option 'name': IAM user names are at most 64 characters"),
    ({"path": "no-slashes"}, "option 'path'"),
    ({"permissions_boundary": "arn:aws:iam::123456789012:role/x"}, "option 'permissions_boundary'"),
])
def test_bad_input_refused_before_any_call(moto, tmp_path, options, message):
    moto.start_recording()
    run = run_playbook(play([user_task(**options)]), tmp_path, moto.url)
    calls = moto.stop_recording()
    assert run.returncode != 0
    assert message in run.result("user")["msg"]
    assert calls == []
