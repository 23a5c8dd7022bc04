"""iam_policy's shared logic in-process: validation, warnings, tags, version choice."""

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.managed_policy import ensure_policy
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.modules.iam_policy import ARGUMENT_SPEC
from tests.support.moto import writes
from tests.support.tasks import make_task

ARN = "arn:aws:iam::123456789012:policy/SellingPartnerAPI"


def run(moto, check_mode=False, diff_mode=False, **params):
    task = make_task(ARGUMENT_SPEC, moto.url, check_mode, diff_mode, **params)
    return ensure_policy(task), task


@pytest.mark.parametrize("params, message", [
    ({"name": "a/b"}, "option 'name': 'a/b' is not a valid IAM policy name"),
    ({"name": "p" * 129}, "option 'name': IAM policy names are at most 128 characters"),
    ({"name": ""}, "option 'name': an IAM policy name is required"),
    ({"path": "nopath"}, "option 'path': 'nopath' is not a valid IAM path"),
    ({"document": "{not json"}, "option 'document': is not valid JSON"),
    ({"document": "[1, 2]"}, "option 'document': must be a JSON object"),
    ({"document": {"Version": "2012-10-17"}}, "option 'document': a policy document needs a 'Statement'"),
    ({"document": {"Statement": [{"Effect": "Maybe"}]}}, "option 'document': every statement needs 'Effect'"),
    ({"description": "d" * 1001}, "option 'description': IAM policy descriptions are at most 1000 characters"),
    ({"tags": {"aws:x": "1"}}, "option 'tags': tag key 'aws:x' uses the reserved prefix"),
])
def test_bad_input_refused_before_any_call(moto, params, message):
    moto.start_recording()
    with pytest.raises(ValidationError) as error:
        run(moto, **params)
    assert moto.stop_recording() == []
    assert message in str(error.value)


def test_description_cannot_change_gives_a_warning(moto, aws):
    run(moto, description="first")
    moto.start_recording()
    result, task = run(moto, description="second")
    assert writes(moto.stop_recording()) == []
    assert result["changed"] is False
    assert result["policy"]["description"] == "first"
    assert len(task.warnings) == 1 and "cannot change the description" in task.warnings[0]


def test_tags_added_and_purged_or_kept(moto, aws):
    run(moto, tags={"a": "1", "b": "2"})
    moto.start_recording()
    result, dummy = run(moto, diff_mode=True, tags={"a": "1", "c": "3"})
    calls = moto.stop_recording()
    assert writes(calls) == ["UntagPolicy", "TagPolicy"]
    assert "ListPolicyVersions" not in calls
    assert result["diff"]["before"]["tags"] == {"a": "1", "b": "2"}
    assert result["diff"]["after"]["tags"] == {"a": "1", "c": "3"}
    assert aws.iam.list_policy_tags(PolicyArn=ARN)["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "c", "Value": "3"}]

    result, dummy = run(moto, tags={"d": "4"}, purge_tags=False)
    assert result["policy"]["tags"] == {"a": "1", "c": "3", "d": "4"}
    result, dummy = run(moto)
    assert result["changed"] is False and result["policy"]["tags"] == {"a": "1", "c": "3", "d": "4"}


def test_canonically_equal_document_is_not_rewritten(moto, aws):
    run(moto)
    reordered = '{"Statement": {"Resource": ["arn:aws:execute-api:*:*:*"], "Action": ["execute-api:Invoke"],' \
                ' "Effect": "Allow"}, "Version": "2012-10-17"}'
    moto.start_recording()
    result, dummy = run(moto, document=reordered)
    assert writes(moto.stop_recording()) == []
    assert result["changed"] is False


def test_check_mode_update_predicts_version_deletion(moto, aws):
    for number in range(5):
        statement = {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:a%d" % number}
        run(moto, document={"Version": "2012-10-17", "Statement": [statement]})
    moto.start_recording()
    result, dummy = run(moto, check_mode=True)
    calls = moto.stop_recording()
    assert writes(calls) == []
    # The four older versions are read to find one that already holds the wanted document: none does.
    assert calls == ["GetCallerIdentity", "GetPolicy", "GetPolicyVersion", "ListPolicyVersions"] + \
        ["GetPolicyVersion"] * 4
    assert result["actions"] == ["delete version v1 of policy SellingPartnerAPI (IAM keeps at most 5 versions)",
                                 "create a new default version of policy SellingPartnerAPI"]
    assert len(aws.iam.list_policy_versions(PolicyArn=ARN)["Versions"]) == 5


def test_other_partition_and_path_come_from_the_caller(moto, aws):
    result, dummy = run(moto, check_mode=True, path="/sp/", name="Other")
    assert result["policy"]["arn"] == "arn:aws:iam::123456789012:policy/sp/Other"


@pytest.mark.parametrize("account, region, arn", [
    ("123456789012", "us-east-1", "arn:aws:iam::123456789012:policy/SellingPartnerAPI"),
    ("arn:aws:iam::123456789012:user/SellingPartnerAPIUser", "us-east-1",
     "arn:aws:iam::123456789012:policy/SellingPartnerAPI"),
    # The 0.1.0 name of the option still works.
    ({"same_account_as": "arn:aws:iam::123456789012:root"}, "us-east-1",
     "arn:aws:iam::123456789012:policy/SellingPartnerAPI"),
])
def test_account_id_spares_the_identity_call(moto, account, region, arn):
    run(moto)
    options = account if isinstance(account, dict) else {"account_id": account}
    moto.start_recording()
    result, dummy = run(moto, region=region, **options)
    assert moto.stop_recording() == ["GetPolicy", "GetPolicyVersion"]
    assert result["changed"] is False
    assert result["policy"]["arn"] == arn


def test_an_account_id_takes_the_partition_of_the_region(moto):
    result, dummy = run(moto, check_mode=True, account_id="123456789012", region="cn-north-1")
    assert result["policy"]["arn"] == "arn:aws-cn:iam::123456789012:policy/SellingPartnerAPI"


@pytest.mark.parametrize("account", ["arn:aws:iam::aws:policy/ReadOnlyAccess", "12345", "123456789012\n"])
def test_account_id_must_be_an_id_or_an_account_arn(moto, account):
    moto.start_recording()
    with pytest.raises(ValidationError, match="option 'account_id'"):
        run(moto, account_id=account)
    assert moto.stop_recording() == []
