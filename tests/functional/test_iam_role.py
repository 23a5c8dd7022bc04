"""iam_role through real ansible-playbook runs against moto server.

Every run of this module's scenarios is a step of one ansible-playbook process (tests/support/steps.py),
with moto emptied where a scenario starts; the tests assert on what each step's run gave.
"""

import json

import pytest

from tests.support.moto import writes
from tests.support.steps import Step, run_steps

USER = "arn:aws:iam::123456789012:user/SellingPartnerAPIUser"
ROLE = "arn:aws:iam::123456789012:role/SellingPartnerAPIRole"
POLICY = "arn:aws:iam::123456789012:policy/SellingPartnerAPI"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "sts:AssumeRole"}]}


def role_task(**options):
    options.setdefault("trusted_user_arn", USER)
    options.setdefault("managed_policy_arns", [POLICY])
    return {"name": "role", "spapi.onboarding.iam_role": options, "register": "out"}


def prepare(aws):
    aws.iam.create_user(UserName="SellingPartnerAPIUser")
    aws.iam.create_policy(PolicyName="SellingPartnerAPI", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                                                 "Resource": "arn:aws:execute-api:*:*:*"}]}))


def drift(aws):
    """Out of band: trust widened to the whole account, the SP-API policy swapped for another one."""
    aws.iam.update_assume_role_policy(RoleName="SellingPartnerAPIRole", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}))
    aws.iam.detach_role_policy(RoleName="SellingPartnerAPIRole", PolicyArn=POLICY)
    other = aws.iam.create_policy(PolicyName="Other", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    aws.iam.attach_role_policy(RoleName="SellingPartnerAPIRole", PolicyArn=other["Policy"]["Arn"])


def blockers(aws):
    """An inline policy and an instance profile, which IAM's DeleteRole refuses to delete a role with."""
    aws.iam.put_role_policy(RoleName="SellingPartnerAPIRole", PolicyName="inline", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
    aws.iam.create_instance_profile(InstanceProfileName="profile")
    aws.iam.add_role_to_instance_profile(InstanceProfileName="profile", RoleName="SellingPartnerAPIRole")


def live_role(aws):
    return (aws.iam.get_role(RoleName="SellingPartnerAPIRole")["Role"],
            aws.iam.list_attached_role_policies(RoleName="SellingPartnerAPIRole")["AttachedPolicies"])


WIDE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.fixture(scope="module")
def runs(module_moto, module_aws, tmp_path_factory):
    aws = module_aws
    book = [role_task(tags={"team": "ops"}, description="SP-API app client role")]
    plain = [role_task()]
    absent = [{"name": "role", "spapi.onboarding.iam_role": {"state": "absent"}}]
    constraints = [
        dict(role_task(trusted_principals=[USER]), name="both", ignore_errors=True),
        {"name": "neither", "spapi.onboarding.iam_role": {}, "ignore_errors": True},
        dict(role_task(trusted_user_arn="arn:aws:iam::123456789012:root"), name="root", ignore_errors=True),
    ]
    wider = [
        {"name": "policy", "spapi.onboarding.iam_policy": {"name": "Wide", "document": WIDE}},
        {"name": "role", "spapi.onboarding.iam_role": {
            "trusted_principals": ["arn:aws:iam::123456789012:root"],
            "managed_policy_arns": ["arn:aws:iam::123456789012:policy/Wide"]}},
    ]
    steps = [
        Step("check", book, check=True, diff=True, record=True, after=lambda: aws.iam.list_roles()["Roles"]),
        Step("first", book, before=lambda: prepare(aws), after=lambda: live_role(aws)),
        Step("again", book, diff=True, record=True),
        Step("drift setup", plain, reset=True, before=lambda: prepare(aws)),
        Step("drift check", plain, check=True, record=True, before=lambda: drift(aws)),
        Step("drift", plain, diff=True, after=lambda: live_role(aws)),
        Step("absent setup", plain, reset=True, before=lambda: prepare(aws)),
        Step("absent check", absent, check=True, record=True, before=lambda: blockers(aws)),
        Step("absent", absent, after=lambda: (
            aws.iam.list_roles()["Roles"],
            aws.iam.get_instance_profile(InstanceProfileName="profile")["InstanceProfile"]["Roles"])),
        Step("absent again", absent),
        Step("constraints", constraints, reset=True, record=True),
        Step("wider", wider, reset=True),
    ]
    return run_steps(tmp_path_factory.mktemp("iam_role"), module_moto, steps)


def test_check_mode_then_apply_then_idempotent(runs):
    check = runs["check"]
    calls = check.calls
    check.assert_ok()
    assert writes(calls) == []
    predicted = check.result("role")
    assert predicted["changed"] is True and predicted["created"] is True
    assert predicted["role"]["arn"] == ROLE
    assert predicted["role"]["assume_role_policy_document"] == TRUST
    assert predicted["diff"]["after"]["attached_policy_arns"] == [POLICY]
    assert predicted["diff"]["after"]["assume_role_policy_document"] == TRUST
    assert check.seen == []

    first = runs["first"]
    first.assert_ok()
    created = first.result("role")
    live, attached = first.seen
    assert created["role"]["arn"] == live["Arn"] == ROLE
    assert created["role"]["role_id"] == live["RoleId"]
    assert live["AssumeRolePolicyDocument"] == TRUST
    assert live["Description"] == "SP-API app client role"
    assert live["Tags"] == [{"Key": "team", "Value": "ops"}]
    assert [p["PolicyArn"] for p in attached] == [POLICY]
    assert created["role"]["attached_policy_arns"] == [POLICY]

    again = runs["again"]
    calls = again.calls
    again.assert_ok()
    result = again.result("role")
    assert result["changed"] is False and result["actions"] == []
    assert result["role"]["assume_role_policy_document"] == TRUST
    assert writes(calls) == []
    assert calls == ["GetRole", "ListAttachedRolePolicies"]


def test_drift_is_repaired(runs):
    runs["drift setup"].assert_ok()

    check = runs["drift check"]
    assert writes(check.calls) == []
    check.assert_ok()
    assert check.result("role")["changed"] is True

    run = runs["drift"]
    run.assert_ok()
    result = run.result("role")
    assert result["diff"]["before"]["assume_role_policy_document"]["Statement"][0]["Principal"] == {
        "AWS": "arn:aws:iam::123456789012:root"}
    assert result["diff"]["after"]["assume_role_policy_document"] == TRUST
    assert result["diff"]["before"]["attached_policy_arns"] == ["arn:aws:iam::123456789012:policy/Other"]
    assert result["diff"]["after"]["attached_policy_arns"] == [POLICY]
    live, attached = run.seen
    assert live["AssumeRolePolicyDocument"] == TRUST
    assert [p["PolicyArn"] for p in attached] == [POLICY]


def test_absent_removes_what_blocks_deletion(runs):
    runs["absent setup"].assert_ok()

    check = runs["absent check"]
    assert writes(check.calls) == []
    check.assert_ok()
    assert check.result("role")["changed"] is True

    run = runs["absent"]
    run.assert_ok()
    assert run.result("role")["actions"] == [
        "detach policy %s" % POLICY, "delete inline policy inline", "remove from instance profile profile",
        "delete role SellingPartnerAPIRole"]
    roles, profile_roles = run.seen
    assert roles == []
    assert profile_roles == []

    again = runs["absent again"]
    again.assert_ok()
    assert again.result("role")["changed"] is False


def test_module_enforces_exclusive_and_required_options(runs):
    run = runs["constraints"]
    calls = run.calls
    assert calls == []
    # The module's own constraints, worded by Ansible, in-process as in a module process.
    assert run.result("both")["msg"] == "parameters are mutually exclusive: trusted_user_arn|trusted_principals"
    assert run.result("neither")["msg"] == \
        "state is present but any of the following are missing: trusted_user_arn, trusted_principals"
    assert "option 'trusted_user_arn': 'arn:aws:iam::123456789012:root' is not an IAM user ARN" \
        in run.result("root")["msg"]


def test_wider_trust_attachments_and_documents_are_warned_about(runs):
    run = runs["wider"]
    run.assert_ok()
    assert "policy Wide allows more than the SP-API policy needs" in " ".join(run.result("policy")["warnings"])
    assert "it trusts the whole account 123456789012" in " ".join(run.result("role")["warnings"])
