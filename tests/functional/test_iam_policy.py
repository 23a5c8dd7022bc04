"""iam_policy through real ansible-playbook runs against moto server.

Every run of this module's scenarios is a step of one ansible-playbook process (tests/support/steps.py),
with moto emptied where a scenario starts; the tests assert on what each step's run gave.
"""

import pytest

from tests.support.moto import writes
from tests.support.steps import Step, rescued, run_steps

ARN = "arn:aws:iam::123456789012:policy/SellingPartnerAPI"
SP_API = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*"}]}
NARROW = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["execute-api:Invoke"], "Resource": "arn:aws:execute-api:us-east-1:*:*"}]}


def policy_task(**options):
    return {"name": "policy", "spapi.onboarding.iam_policy": options, "register": "out"}


def default_document(aws):
    policy = aws.iam.get_policy(PolicyArn=ARN)["Policy"]
    return aws.iam.get_policy_version(PolicyArn=ARN, VersionId=policy["DefaultVersionId"])["PolicyVersion"]["Document"]


def seven_documents():
    documents = []
    for number in range(7):
        documents.append({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "execute-api:Invoke",
             "Resource": "arn:aws:execute-api:us-east-1:*:api%d/*" % number}]})
    return documents


def policy_in_use(aws):
    """The policy with a second version, attached to a user, a group and a role."""
    aws.iam.create_policy_version(PolicyArn=ARN, PolicyDocument='{"Version":"2012-10-17","Statement":'
                                  '[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}')
    aws.iam.create_user(UserName="u")
    aws.iam.attach_user_policy(UserName="u", PolicyArn=ARN)
    aws.iam.create_group(GroupName="g")
    aws.iam.attach_group_policy(GroupName="g", PolicyArn=ARN)
    aws.iam.create_role(RoleName="r", AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":'
                        '[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/u"},'
                        '"Action":"sts:AssumeRole"}]}')
    aws.iam.attach_role_policy(RoleName="r", PolicyArn=ARN)


@pytest.fixture(scope="module")
def runs(module_moto, module_aws, tmp_path_factory):
    aws = module_aws
    book = [policy_task(description="SP-API access", tags={"team": "ops"})]
    ops = [policy_task(tags={"team": "ops"})]
    documents = seven_documents()
    absent = [policy_task(state="absent")]
    replace = [policy_task(state="absent", on_conflict="replace")]

    def drift():
        aws.iam.create_policy_version(PolicyArn=ARN, PolicyDocument='{"Version":"2012-10-17","Statement":'
                                      '[{"Effect":"Allow","Action":"*","Resource":"*"}]}', SetAsDefault=True)
        aws.iam.tag_policy(PolicyArn=ARN, Tags=[{"Key": "extra", "Value": "1"}])

    steps = [
        Step("check", book, check=True, diff=True, record=True,
             after=lambda: aws.iam.list_policies(Scope="Local")["Policies"]),
        Step("first", book, after=lambda: (aws.iam.get_policy(PolicyArn=ARN)["Policy"], default_document(aws))),
        Step("again", book, diff=True, record=True),
        Step("drift setup", ops, reset=True),
        Step("drift check", ops, check=True, diff=True, record=True, before=drift),
        Step("drift", ops, diff=True, record=True, after=lambda: (
            aws.iam.list_policy_versions(PolicyArn=ARN)["Versions"], default_document(aws),
            aws.iam.list_policy_tags(PolicyArn=ARN)["Tags"])),
        Step("seven", [{"name": "policy %d" % i, "spapi.onboarding.iam_policy": {"document": doc}}
                       for i, doc in enumerate(documents)], reset=True,
             after=lambda: (aws.iam.list_policy_versions(PolicyArn=ARN)["Versions"], default_document(aws))),
        Step("in use setup", [policy_task()], reset=True),
        Step("kept", absent, record=True, before=lambda: policy_in_use(aws),
             after=lambda: aws.iam.list_policies(Scope="Local")["Policies"]),
        Step("replace check", replace, check=True, record=True,
             after=lambda: aws.iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"]),
        Step("replace", replace, after=lambda: (
            aws.iam.list_policies(Scope="Local")["Policies"],
            aws.iam.list_attached_user_policies(UserName="u")["AttachedPolicies"],
            aws.iam.list_attached_group_policies(GroupName="g")["AttachedPolicies"],
            aws.iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"])),
        Step("replace again", replace),
        Step("bad document", [rescued(policy_task(document="{not json"))], reset=True, record=True),
    ]
    run = run_steps(tmp_path_factory.mktemp("iam_policy"), module_moto, steps)
    run.documents = documents
    return run


def test_check_mode_then_apply_then_idempotent(runs):
    check = runs["check"]
    calls = check.calls
    check.assert_ok()
    assert writes(calls) == []
    predicted = check.result("policy")
    assert predicted["changed"] is True and predicted["created"] is True
    assert predicted["policy"]["arn"] == ARN
    assert predicted["policy"]["default_version_id"] == "v1"
    assert predicted["diff"]["after"] == {"document": SP_API, "tags": {"team": "ops"}}
    assert check.seen == []

    first = runs["first"]
    first.assert_ok()
    created = first.result("policy")
    assert created["changed"] and created["created"]
    live, document = first.seen
    assert created["policy"]["arn"] == live["Arn"] == predicted["policy"]["arn"]
    assert created["policy"]["policy_id"] == live["PolicyId"]
    assert created["policy"]["default_version_id"] == "v1"
    assert created["policy"]["description"] == live["Description"] == "SP-API access"
    assert live["Tags"] == [{"Key": "team", "Value": "ops"}]
    assert document == SP_API

    again = runs["again"]
    calls = again.calls
    again.assert_ok()
    result = again.result("policy")
    assert result["changed"] is False and result["actions"] == []
    assert result["policy"]["document"] == SP_API
    assert writes(calls) == []
    assert calls == ["GetCallerIdentity", "GetPolicy", "GetPolicyVersion"]


def test_document_drift_makes_the_version_holding_the_document_default_again(runs):
    runs["drift setup"].assert_ok()

    check = runs["drift check"]
    assert writes(check.calls) == []
    check.assert_ok()
    assert check.result("policy")["changed"] is True
    assert check.result("policy")["policy"]["default_version_id"] == "v1"

    run = runs["drift"]
    calls = run.calls
    run.assert_ok()
    result = run.result("policy")
    assert result["changed"] is True
    assert result["diff"]["before"]["document"]["Statement"][0]["Action"] == "*"
    assert result["diff"]["after"] == {"document": SP_API, "tags": {"team": "ops"}}
    assert result["diff"]["before"]["tags"] == {"team": "ops", "extra": "1"}
    # v1 still holds the SP-API document: it becomes the default again, no new version is made.
    assert "make version v1, which holds the wanted document, the default of policy SellingPartnerAPI" \
        in result["actions"]
    assert writes(calls) == ["SetDefaultPolicyVersion", "UntagPolicy"]
    assert result["policy"]["default_version_id"] == "v1"
    versions, document, tags = run.seen
    assert sorted(v["VersionId"] for v in versions) == ["v1", "v2"]
    assert document == SP_API
    assert tags == [{"Key": "team", "Value": "ops"}]


def test_six_updates_stay_within_five_versions(runs):
    """Each run gives a different document; IAM's limit of five versions is never hit."""
    documents = runs.documents
    run = runs["seven"]
    run.assert_ok()
    assert run.result("policy 0")["created"] is True
    for number in range(1, 7):
        result = run.result("policy %d" % number)
        assert result["changed"] is True
        assert result["policy"]["document"] == documents[number]
        assert result["policy"]["default_version_id"] == "v%d" % (number + 1)
    assert "delete version v1 of policy SellingPartnerAPI (IAM keeps at most 5 versions)" in \
        run.result("policy 5")["actions"]
    assert "delete version v2 of policy SellingPartnerAPI (IAM keeps at most 5 versions)" in \
        run.result("policy 6")["actions"]
    versions, document = run.seen
    assert sorted(v["VersionId"] for v in versions) == ["v3", "v4", "v5", "v6", "v7"]
    assert [v["VersionId"] for v in versions if v["IsDefaultVersion"]] == ["v7"]
    assert document == documents[6]


def test_absent_keeps_a_policy_in_use_unless_replace(runs):
    runs["in use setup"].assert_ok()
    # Still attached to others: kept, with who uses it, and nothing written.
    kept = runs["kept"]
    assert writes(kept.calls) == []
    kept.assert_ok()
    assert kept.result("policy")["changed"] is False
    assert kept.result("policy")["kept"] == ["it is still attached to user u, group g, role r"]
    assert "IAM policy SellingPartnerAPI is kept: it is still attached to user u, group g, role r" in kept.output
    assert kept.seen

    check = runs["replace check"]
    assert writes(check.calls) == []
    check.assert_ok()
    assert check.result("policy")["changed"] is True
    assert check.seen

    run = runs["replace"]
    run.assert_ok()
    assert run.result("policy")["actions"] == [
        "detach from user u", "detach from group g", "detach from role r",
        "delete version v2", "delete policy SellingPartnerAPI"]
    policies, user_attached, group_attached, role_attached = run.seen
    assert policies == []
    assert user_attached == []
    assert group_attached == []
    assert role_attached == []

    again = runs["replace again"]
    again.assert_ok()
    assert again.result("policy")["changed"] is False


def test_bad_document_refused_by_the_module(runs):
    run = runs["bad document"]
    calls = run.calls
    assert run.returncode != 0
    assert "option 'document': is not valid JSON" in run.result("policy")["msg"]
    assert calls == []
