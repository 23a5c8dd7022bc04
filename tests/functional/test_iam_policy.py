"""iam_policy through real ansible-playbook runs against moto server."""

from tests.support.ansible import play, run_playbook
from tests.support.moto import writes

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


def test_check_mode_then_apply_then_idempotent(moto, aws, tmp_path):
    book = play([policy_task(description="SP-API access", tags={"team": "ops"})])

    moto.start_recording()
    check = run_playbook(book, tmp_path, moto.url, ["--check", "--diff"])
    calls = moto.stop_recording()
    check.assert_ok()
    assert writes(calls) == []
    predicted = check.result("policy")
    assert predicted["changed"] is True and predicted["created"] is True
    assert predicted["policy"]["arn"] == ARN
    assert predicted["policy"]["default_version_id"] == "v1"
    assert predicted["diff"]["after"] == {"document": SP_API, "tags": {"team": "ops"}}
    assert aws.iam.list_policies(Scope="Local")["Policies"] == []

    first = run_playbook(book, tmp_path, moto.url)
    first.assert_ok()
    created = first.result("policy")
    assert created["changed"] and created["created"]
    live = aws.iam.get_policy(PolicyArn=ARN)["Policy"]
    assert created["policy"]["arn"] == live["Arn"] == predicted["policy"]["arn"]
    assert created["policy"]["policy_id"] == live["PolicyId"]
    assert created["policy"]["default_version_id"] == "v1"
    assert created["policy"]["description"] == live["Description"] == "SP-API access"
    assert live["Tags"] == [{"Key": "team", "Value": "ops"}]
    assert default_document(aws) == SP_API

    moto.start_recording()
    again = run_playbook(book, tmp_path, moto.url, ["--diff"])
    calls = moto.stop_recording()
    again.assert_ok()
    result = again.result("policy")
    assert result["changed"] is False and result["actions"] == []
    assert result["policy"]["document"] == SP_API
    assert writes(calls) == []
    assert calls == ["GetCallerIdentity", "GetPolicy", "GetPolicyVersion"]


def test_document_drift_makes_the_version_holding_the_document_default_again(moto, aws, tmp_path):
    book = play([policy_task(tags={"team": "ops"})])
    run_playbook(book, tmp_path, moto.url).assert_ok()
    aws.iam.create_policy_version(PolicyArn=ARN, PolicyDocument='{"Version":"2012-10-17","Statement":'
                                  '[{"Effect":"Allow","Action":"*","Resource":"*"}]}', SetAsDefault=True)
    aws.iam.tag_policy(PolicyArn=ARN, Tags=[{"Key": "extra", "Value": "1"}])

    moto.start_recording()
    check = run_playbook(book, tmp_path, moto.url, ["--check", "--diff"])
    assert writes(moto.stop_recording()) == []
    check.assert_ok()
    assert check.result("policy")["changed"] is True
    assert check.result("policy")["policy"]["default_version_id"] == "v1"

    moto.start_recording()
    run = run_playbook(book, tmp_path, moto.url, ["--diff"])
    calls = moto.stop_recording()
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
    assert sorted(v["VersionId"] for v in aws.iam.list_policy_versions(PolicyArn=ARN)["Versions"]) == ["v1", "v2"]
    assert default_document(aws) == SP_API
    assert aws.iam.list_policy_tags(PolicyArn=ARN)["Tags"] == [{"Key": "team", "Value": "ops"}]


def test_six_updates_stay_within_five_versions(moto, aws, tmp_path):
    """Each run gives a different document; IAM's limit of five versions is never hit."""
    documents = []
    for number in range(7):
        documents.append({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "execute-api:Invoke",
             "Resource": "arn:aws:execute-api:us-east-1:*:api%d/*" % number}]})
    tasks = [{"name": "policy %d" % i, "spapi.onboarding.iam_policy": {"document": doc}}
             for i, doc in enumerate(documents)]
    run = run_playbook(play(tasks), tmp_path, moto.url)
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
    versions = aws.iam.list_policy_versions(PolicyArn=ARN)["Versions"]
    assert sorted(v["VersionId"] for v in versions) == ["v3", "v4", "v5", "v6", "v7"]
    assert [v["VersionId"] for v in versions if v["IsDefaultVersion"]] == ["v7"]
    assert default_document(aws) == documents[6]


def test_absent_keeps_a_policy_in_use_unless_replace(moto, aws, tmp_path):
    run_playbook(play([policy_task()]), tmp_path, moto.url).assert_ok()
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
    # Still attached to others: kept, with who uses it, and nothing written.
    moto.start_recording()
    kept = run_playbook(play([policy_task(state="absent")]), tmp_path, moto.url)
    assert writes(moto.stop_recording()) == []
    kept.assert_ok()
    assert kept.result("policy")["changed"] is False
    assert kept.result("policy")["kept"] == ["it is still attached to user u, group g, role r"]
    assert "IAM policy SellingPartnerAPI is kept: it is still attached to user u, group g, role r" in kept.output
    assert aws.iam.list_policies(Scope="Local")["Policies"]

    book = play([policy_task(state="absent", on_conflict="replace")])
    moto.start_recording()
    check = run_playbook(book, tmp_path, moto.url, ["--check"])
    assert writes(moto.stop_recording()) == []
    check.assert_ok()
    assert check.result("policy")["changed"] is True
    assert aws.iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"]

    run = run_playbook(book, tmp_path, moto.url)
    run.assert_ok()
    assert run.result("policy")["actions"] == [
        "detach from user u", "detach from group g", "detach from role r",
        "delete version v2", "delete policy SellingPartnerAPI"]
    assert aws.iam.list_policies(Scope="Local")["Policies"] == []
    assert aws.iam.list_attached_user_policies(UserName="u")["AttachedPolicies"] == []
    assert aws.iam.list_attached_group_policies(GroupName="g")["AttachedPolicies"] == []
    assert aws.iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"] == []

    again = run_playbook(book, tmp_path, moto.url)
    again.assert_ok()
    assert again.result("policy")["changed"] is False


def test_bad_document_refused_by_the_module(moto, tmp_path):
    moto.start_recording()
    run = run_playbook(play([policy_task(document="{not json")]), tmp_path, moto.url)
    calls = moto.stop_recording()
    assert run.returncode != 0
    assert "option 'document': is not valid JSON" in run.result("policy")["msg"]
    assert calls == []
