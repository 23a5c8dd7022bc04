"""iam_role's shared logic in-process: the "Invalid principal" wait, validation, updates."""

import json
import time

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._iam import role as _role
from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.role import ensure_role
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.modules.iam_role import ARGUMENT_SPEC
from tests.support.moto import writes
from tests.support import errors
from tests.support.tasks import make_task

USER = "arn:aws:iam::123456789012:user/SellingPartnerAPIUser"
ROOT = "arn:aws:iam::123456789012:root"
POLICY = "arn:aws:iam::123456789012:policy/SellingPartnerAPI"
INVALID_PRINCIPAL = "Invalid principal in policy: \"AWS\":\"%s\"" % USER


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(_role, "RETRY_FIRST_DELAY", 0.05)
    monkeypatch.setattr(_role, "RETRY_MAX_DELAY", 0.1)


def task_for(moto, check_mode=False, diff_mode=False, **params):
    return make_task(ARGUMENT_SPEC, moto.url, check_mode, diff_mode, **params)


def inject(task, operation, failures, code="MalformedPolicyDocument", message=INVALID_PRINCIPAL):
    """Answer the first `failures` calls of operation with an IAM error; later calls reach moto."""
    return errors.inject(task.aws.iam, operation, errors.FailFirst(code, failures, message=message)).attempts


def trust_of(aws, name="SellingPartnerAPIRole"):
    return aws.iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]


def test_create_role_waits_out_invalid_principal(moto, aws):
    task = task_for(moto, trusted_user_arn=USER, wait_timeout=10)
    attempts = inject(task, "CreateRole", failures=3)
    result = ensure_role(task)
    assert len(attempts) == 4
    assert result["changed"] and result["created"]
    assert trust_of(aws)["Statement"][0]["Principal"] == {"AWS": USER}
    assert result["role"]["arn"] == "arn:aws:iam::123456789012:role/SellingPartnerAPIRole"


def test_trust_update_waits_out_invalid_principal(moto, aws):
    aws.iam.create_role(RoleName="SellingPartnerAPIRole", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT},
                                                 "Action": "sts:AssumeRole"}]}))
    task = task_for(moto, trusted_user_arn=USER, wait_timeout=10)
    attempts = inject(task, "UpdateAssumeRolePolicy", failures=2)
    result = ensure_role(task)
    assert len(attempts) == 3
    assert result["actions"] == ["update the trust policy of role SellingPartnerAPIRole"]
    assert trust_of(aws)["Statement"][0]["Principal"] == {"AWS": USER}


def test_timeout_gives_up_with_a_clear_message(moto, aws):
    task = task_for(moto, trusted_user_arn=USER, wait_timeout=1)
    attempts = inject(task, "CreateRole", failures=1000)
    started = time.monotonic()
    with pytest.raises(AwsFailure) as error:
        ensure_role(task)
    elapsed = time.monotonic() - started
    message = str(error.value)
    assert "Could not create IAM role 'SellingPartnerAPIRole': MalformedPolicyDocument: Invalid principal" in message
    assert "Gave up after %d attempts" % len(attempts) in message
    assert "wait_timeout=1" in message
    assert 2 <= len(attempts) and elapsed < 2
    assert aws.iam.list_roles()["Roles"] == []


def test_zero_wait_timeout_tries_once(moto, aws):
    task = task_for(moto, trusted_user_arn=USER, wait_timeout=0)
    attempts = inject(task, "CreateRole", failures=1)
    with pytest.raises(AwsFailure, match="Gave up after 1 attempts"):
        ensure_role(task)
    assert len(attempts) == 1


@pytest.mark.parametrize("code, message", [
    ("MalformedPolicyDocument", "Syntax errors in policy."),
    ("LimitExceeded", "Cannot exceed quota for RolesPerAccount: 1000"),
])
def test_other_errors_are_not_retried(moto, aws, code, message):
    task = task_for(moto, trusted_user_arn=USER, wait_timeout=10)
    attempts = inject(task, "CreateRole", failures=1000, code=code, message=message)
    with pytest.raises(AwsFailure) as error:
        ensure_role(task)
    assert len(attempts) == 1
    assert str(error.value) == "Could not create IAM role 'SellingPartnerAPIRole': %s: %s" % (code, message)


@pytest.mark.parametrize("params, message", [
    ({"name": "Selling Partner Role"}, "option 'name': 'Selling Partner Role' is not a valid IAM role name"),
    ({"name": "r" * 65}, "option 'name': IAM role names are at most 64 characters"),
    ({"trusted_user_arn": ROOT}, "option 'trusted_user_arn': 'arn:aws:iam::123456789012:root' is not an IAM user ARN"),
    ({"trusted_user_arn": "arn:aws:iam::123456789012:role/x"}, "option 'trusted_user_arn': "),
    ({"trusted_user_arn": None, "trusted_principals": ["arn:aws:s3:::bucket"]}, "option 'trusted_principals': "),
    ({"max_session_duration": 3599}, "option 'max_session_duration': must be between 3600 and 43200 seconds"),
    ({"max_session_duration": 43201}, "option 'max_session_duration': must be between 3600 and 43200 seconds"),
    ({"managed_policy_arns": ["SellingPartnerAPI"]}, "option 'managed_policy_arns': 'SellingPartnerAPI' is not an IAM policy ARN"),
    ({"external_id": "x"}, "option 'external_id': must be 2-1224 characters"),
    ({"path": "sp"}, "option 'path': 'sp' is not a valid IAM path"),
    ({"wait_timeout": -1}, "option 'wait_timeout': must be zero or more"),
    ({"description": "d" * 1001}, "option 'description': IAM role descriptions are at most 1000 characters"),
])
def test_bad_input_refused_before_any_call(moto, params, message):
    params = dict({"trusted_user_arn": USER}, **params)
    params = dict((k, v) for k, v in params.items() if v is not None)
    moto.start_recording()
    with pytest.raises(ValidationError) as error:
        ensure_role(task_for(moto, **params))
    assert moto.stop_recording() == []
    assert message in str(error.value)


def test_description_duration_tags_and_external_id_converge(moto, aws):
    ensure_role(task_for(moto, trusted_user_arn=USER, tags={"a": "1"}))
    moto.start_recording()
    result = ensure_role(task_for(moto, diff_mode=True, trusted_user_arn=USER, external_id="sp-api-42",
                                  description="SP-API", max_session_duration=7200, tags={"b": "2"}))
    calls = moto.stop_recording()
    assert writes(calls) == ["UpdateAssumeRolePolicy", "UpdateRole", "UntagRole", "TagRole"]
    role = aws.iam.get_role(RoleName="SellingPartnerAPIRole")["Role"]
    assert role["Description"] == "SP-API" and role["MaxSessionDuration"] == 7200
    assert role["Tags"] == [{"Key": "b", "Value": "2"}]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] == {
        "StringEquals": {"sts:ExternalId": "sp-api-42"}}
    assert result["diff"]["before"]["max_session_duration"] == 3600
    assert result["diff"]["after"]["max_session_duration"] == 7200
    assert result["role"]["description"] == "SP-API"

    again = ensure_role(task_for(moto, trusted_user_arn=USER, external_id="sp-api-42", description="SP-API",
                                 max_session_duration=7200, tags={"b": "2"}))
    assert again["changed"] is False


def test_trusted_principals_and_unpurged_policies(moto, aws):
    other = "arn:aws:iam::123456789012:role/Ops"
    aws.iam.create_policy(PolicyName="SellingPartnerAPI", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}))
    ensure_role(task_for(moto, trusted_principals=[other, USER], managed_policy_arns=[POLICY]))
    principal = trust_of(aws)["Statement"][0]["Principal"]["AWS"]
    assert sorted(principal) == sorted([USER, other])
    result = ensure_role(task_for(moto, trusted_principals=[USER, other], managed_policy_arns=[],
                                  purge_policies=False))
    assert result["changed"] is False
    assert result["role"]["attached_policy_arns"] == [POLICY]


def test_moving_path_only_warns(moto, aws):
    ensure_role(task_for(moto, trusted_user_arn=USER))
    task = task_for(moto, trusted_user_arn=USER, path="/sp/")
    result = ensure_role(task)
    assert result["changed"] is False
    assert len(task.warnings) == 1 and "cannot move an existing role" in task.warnings[0]
