"""iam_role through real ansible-playbook runs against moto server."""

import json

from tests.support.ansible import play, run_playbook
from tests.support.moto import writes

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


def test_check_mode_then_apply_then_idempotent(moto, aws, tmp_path):
    book = play([role_task(tags={"team": "ops"}, description="SP-API app client role")])

    moto.start_recording()
    check = run_playbook(book, tmp_path, moto.url, ["--check", "--diff"])
    calls = moto.stop_recording()
    check.assert_ok()
    assert writes(calls) == []
    predicted = check.result("role")
    assert predicted["changed"] is True and predicted["created"] is True
    assert predicted["role"]["arn"] == ROLE
    assert predicted["role"]["assume_role_policy_document"] == TRUST
    assert predicted["diff"]["after"]["attached_policy_arns"] == [POLICY]
    assert predicted["diff"]["after"]["assume_role_policy_document"] == TRUST
    assert aws.iam.list_roles()["Roles"] == []

    prepare(aws)
    first = run_playbook(book, tmp_path, moto.url)
    first.assert_ok()
    created = first.result("role")
    live = aws.iam.get_role(RoleName="SellingPartnerAPIRole")["Role"]
    assert created["role"]["arn"] == live["Arn"] == ROLE
    assert created["role"]["role_id"] == live["RoleId"]
    assert live["AssumeRolePolicyDocument"] == TRUST
    assert live["Description"] == "SP-API app client role"
    assert live["Tags"] == [{"Key": "team", "Value": "ops"}]
    attached = aws.iam.list_attached_role_policies(RoleName="SellingPartnerAPIRole")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [POLICY]
    assert created["role"]["attached_policy_arns"] == [POLICY]

    moto.start_recording()
    again = run_playbook(book, tmp_path, moto.url, ["--diff"])
    calls = moto.stop_recording()
    again.assert_ok()
    result = again.result("role")
    assert result["changed"] is False and result["actions"] == []
    assert result["role"]["assume_role_policy_document"] == TRUST
    assert writes(calls) == []
    assert calls == ["GetRole", "ListAttachedRolePolicies"]


def test_drift_is_repaired(moto, aws, tmp_path):
    prepare(aws)
    book = play([role_task()])
    run_playbook(book, tmp_path, moto.url).assert_ok()
    # Out of band: trust widened to the whole account, the SP-API policy swapped for another one.
    aws.iam.update_assume_role_policy(RoleName="SellingPartnerAPIRole", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}))
    aws.iam.detach_role_policy(RoleName="SellingPartnerAPIRole", PolicyArn=POLICY)
    other = aws.iam.create_policy(PolicyName="Other", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    aws.iam.attach_role_policy(RoleName="SellingPartnerAPIRole", PolicyArn=other["Policy"]["Arn"])

    moto.start_recording()
    check = run_playbook(book, tmp_path, moto.url, ["--check"])
    assert writes(moto.stop_recording()) == []
    check.assert_ok()
    assert check.result("role")["changed"] is True

    run = run_playbook(book, tmp_path, moto.url, ["--diff"])
    run.assert_ok()
    result = run.result("role")
    assert result["diff"]["before"]["assume_role_policy_document"]["Statement"][0]["Principal"] == {
        "AWS": "arn:aws:iam::123456789012:root"}
    assert result["diff"]["after"]["assume_role_policy_document"] == TRUST
    assert result["diff"]["before"]["attached_policy_arns"] == ["arn:aws:iam::123456789012:policy/Other"]
    assert result["diff"]["after"]["attached_policy_arns"] == [POLICY]
    assert aws.iam.get_role(RoleName="SellingPartnerAPIRole")["Role"]["AssumeRolePolicyDocument"] == TRUST
    attached = aws.iam.list_attached_role_policies(RoleName="SellingPartnerAPIRole")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [POLICY]


def test_absent_removes_what_blocks_deletion(moto, aws, tmp_path):
    prepare(aws)
    run_playbook(play([role_task()]), tmp_path, moto.url).assert_ok()
    aws.iam.put_role_policy(RoleName="SellingPartnerAPIRole", PolicyName="inline", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
    aws.iam.create_instance_profile(InstanceProfileName="profile")
    aws.iam.add_role_to_instance_profile(InstanceProfileName="profile", RoleName="SellingPartnerAPIRole")
    book = play([{"name": "role", "spapi.onboarding.iam_role": {"state": "absent"}}])

    moto.start_recording()
    check = run_playbook(book, tmp_path, moto.url, ["--check"])
    assert writes(moto.stop_recording()) == []
    check.assert_ok()
    assert check.result("role")["changed"] is True

    run = run_playbook(book, tmp_path, moto.url)
    run.assert_ok()
    assert run.result("role")["actions"] == [
        "detach policy %s" % POLICY, "delete inline policy inline", "remove from instance profile profile",
        "delete role SellingPartnerAPIRole"]
    assert aws.iam.list_roles()["Roles"] == []
    assert aws.iam.get_instance_profile(InstanceProfileName="profile")["InstanceProfile"]["Roles"] == []

    again = run_playbook(book, tmp_path, moto.url)
    again.assert_ok()
    assert again.result("role")["changed"] is False


def test_module_enforces_exclusive_and_required_options(moto, tmp_path):
    tasks = [
        dict(role_task(trusted_principals=[USER]), name="both", ignore_errors=True),
        {"name": "neither", "spapi.onboarding.iam_role": {}, "ignore_errors": True},
        dict(role_task(trusted_user_arn="arn:aws:iam::123456789012:root"), name="root", ignore_errors=True),
    ]
    moto.start_recording()
    run = run_playbook(play(tasks), tmp_path, moto.url)
    calls = moto.stop_recording()
    assert calls == []
    # The module's own constraints, worded by Ansible, in-process as in a module process.
    assert run.result("both")["msg"] == "parameters are mutually exclusive: trusted_user_arn|trusted_principals"
    assert run.result("neither")["msg"] == \
        "state is present but any of the following are missing: trusted_user_arn, trusted_principals"
    assert "option 'trusted_user_arn': 'arn:aws:iam::123456789012:root' is not an IAM user ARN" \
        in run.result("root")["msg"]


def test_wider_trust_attachments_and_documents_are_warned_about(moto, tmp_path):
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    tasks = [
        {"name": "policy", "spapi.onboarding.iam_policy": {"name": "Wide", "document": admin}},
        {"name": "role", "spapi.onboarding.iam_role": {
            "trusted_principals": ["arn:aws:iam::123456789012:root"],
            "managed_policy_arns": ["arn:aws:iam::123456789012:policy/Wide"]}},
    ]
    run = run_playbook(play(tasks), tmp_path, moto.url)
    run.assert_ok()
    assert "policy Wide allows more than the SP-API policy needs" in " ".join(run.result("policy")["warnings"])
    assert "it trusts the whole account 123456789012" in " ".join(run.result("role")["warnings"])
