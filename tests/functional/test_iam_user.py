"""iam_user through real ansible-playbook runs against moto server.

Every run of this module's scenarios is a step of one ansible-playbook process (tests/support/steps.py),
with moto emptied where a scenario starts; the tests assert on what each step's run gave.
"""

import pytest

from tests.support.moto import writes
from tests.support.steps import Step, rescued, run_steps

USER = "SellingPartnerAPIUser"
BAD_INPUT = [
    ({"name": "Selling Partner"}, "option 'name': 'Selling Partner' is not a valid IAM user name"),
    ({"name": "u" * 65}, "option 'name': IAM user names are at most 64 characters"),
    ({"path": "no-slashes"}, "option 'path'"),
    ({"permissions_boundary": "arn:aws:iam::123456789012:role/x"}, "option 'permissions_boundary'"),
]


def user_task(**options):
    options.setdefault("name", USER)
    return {"name": "user", "spapi.onboarding.iam_user": options, "register": "out"}


@pytest.fixture(scope="module")
def runs(module_moto, module_aws, tmp_path_factory):
    iam = module_aws.iam
    absent_setup = {}

    def user_with_everything():
        iam.create_user(UserName=USER)
        absent_setup["key"] = iam.create_access_key(UserName=USER)["AccessKey"]["AccessKeyId"]
        iam.put_user_policy(UserName=USER, PolicyName="inline",
                            PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                                           '"Action":"sts:GetCallerIdentity","Resource":"*"}]}')
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="sp-mfa")["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName=USER, SerialNumber=serial,
                              AuthenticationCode1="123456", AuthenticationCode2="654321")
        absent_setup["serial"] = serial
        absent_setup["ssh_key"] = iam.upload_ssh_public_key(UserName=USER, SSHPublicKeyBody="ssh-rsa AAAAB3NzaC1yc2E")[
            "SSHPublicKey"]["SSHPublicKeyId"]

    book = [user_task(tags={"team": "ops"})]
    absent = [user_task(state="absent")]
    bad = [rescued(dict(user_task(**options), name="bad input %d" % index))
           for index, (options, dummy) in enumerate(BAD_INPUT)]
    steps = [
        Step("check", book, check=True, diff=True, record=True, after=lambda: iam.list_users()["Users"]),
        Step("first", book, after=lambda: iam.get_user(UserName=USER)["User"]),
        Step("again", book, record=True),
        Step("drift", [user_task(tags={"team": "ops"})], diff=True, reset=True,
             before=lambda: iam.create_user(UserName=USER, Tags=[{"Key": "old", "Value": "1"},
                                                                 {"Key": "team", "Value": "x"}]),
             after=lambda: iam.list_user_tags(UserName=USER)["Tags"]),
        Step("absent check", absent, check=True, record=True, reset=True, before=user_with_everything),
        Step("absent", absent, after=lambda: (
            iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"], iam.list_users()["Users"])),
        Step("absent again", absent),
        Step("bad input", bad, reset=True, record=True),
    ]
    run = run_steps(tmp_path_factory.mktemp("iam_user"), module_moto, steps)
    run.absent_setup = absent_setup
    return run


def test_check_mode_predicts_then_apply_then_idempotent(runs):
    check = runs["check"]
    assert writes(check.calls) == []
    check.assert_ok()
    predicted = check.result("user")
    assert predicted["changed"] is True
    assert predicted["user"]["arn"] == "arn:aws:iam::123456789012:user/SellingPartnerAPIUser"
    assert predicted["diff"]["after"]["tags"] == {"team": "ops"}
    assert check.seen == []

    first = runs["first"]
    first.assert_ok()
    created = first.result("user")
    assert created["changed"] and created["created"]
    live = first.seen
    assert created["user"]["arn"] == live["Arn"] == predicted["user"]["arn"]
    assert created["user"]["user_id"] == live["UserId"]
    assert live["Tags"] == [{"Key": "team", "Value": "ops"}]

    again = runs["again"]
    calls = again.calls
    again.assert_ok()
    assert again.result("user")["changed"] is False
    assert writes(calls) == []
    assert calls == ["GetUser"]


def test_tag_drift_is_repaired_and_purged(runs):
    run = runs["drift"]
    run.assert_ok()
    result = run.result("user")
    assert result["changed"]
    assert result["diff"]["before"]["tags"] == {"old": "1", "team": "x"}
    assert result["diff"]["after"]["tags"] == {"team": "ops"}
    tags = run.seen
    assert tags == [{"Key": "team", "Value": "ops"}]


def test_absent_removes_keys_policies_and_user(runs):
    key, serial, ssh_key = (runs.absent_setup[name] for name in ("key", "serial", "ssh_key"))
    check = runs["absent check"]
    assert writes(check.calls) == []
    check.assert_ok()
    assert check.result("user")["changed"]

    run = runs["absent"]
    run.assert_ok()
    assert run.result("user")["deleted_access_key_ids"] == [key]
    actions = run.result("user")["actions"]
    assert actions.index("deactivate MFA device %s" % serial) < actions.index("delete user SellingPartnerAPIUser")
    assert "delete SSH public key %s" % ssh_key in actions
    assigned_mfa, users = run.seen
    assert assigned_mfa == []
    assert users == []

    again = runs["absent again"]
    again.assert_ok()
    assert again.result("user")["changed"] is False


@pytest.mark.parametrize("options, message", BAD_INPUT)
def test_bad_input_refused_before_any_call(runs, options, message):
    run = runs["bad input"]
    task = "bad input %d" % BAD_INPUT.index((options, message))
    calls = run.calls
    assert run.returncode != 0 and run.status(task) == "failed"
    assert message in run.result(task)["msg"]
    assert calls == []
