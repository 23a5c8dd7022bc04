"""sts_policy's shared logic in-process: validation before any call, canonical comparison."""

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.sts_policy import ensure_sts_policy
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.modules.sts_policy import ARGUMENT_SPEC
from tests.support.moto import writes
from tests.support.tasks import make_task

ROLE = "arn:aws:iam::123456789012:role/SellingPartnerAPIRole"


def run(moto, check_mode=False, diff_mode=False, **params):
    task = make_task(ARGUMENT_SPEC, moto.url, check_mode, diff_mode, **params)
    return ensure_sts_policy(task)


@pytest.mark.parametrize("params, message", [
    ({"user_name": "Selling Partner", "role_arn": ROLE}, "option 'user_name': 'Selling Partner' is not a valid IAM user"),
    ({"user_name": "u" * 65, "role_arn": ROLE}, "option 'user_name': IAM user names are at most 64 characters"),
    ({"policy_name": "a/b", "role_arn": ROLE}, "option 'policy_name': 'a/b' is not a valid IAM policy name"),
    ({"role_arn": "arn:aws:iam::123456789012:user/SellingPartnerAPIUser"}, "option 'role_arn': "),
    ({"role_arn": "SellingPartnerAPIRole"}, "is not an IAM role ARN"),
    ({"role_arns": [ROLE, "arn:aws:iam::123456789012:root"]}, "option 'role_arns': "),
])
def test_bad_input_refused_before_any_call(moto, params, message):
    moto.start_recording()
    with pytest.raises(ValidationError) as error:
        run(moto, **params)
    assert moto.stop_recording() == []
    assert message in str(error.value)


def test_several_roles_and_canonical_comparison(moto, aws):
    aws.iam.create_user(UserName="SellingPartnerAPIUser")
    other = "arn:aws:iam::123456789012:role/Other"
    result = run(moto, role_arns=[other, ROLE])
    assert result["changed"] is True
    assert result["document"]["Statement"][0]["Resource"] == sorted([ROLE, other])
    moto.start_recording()
    again = run(moto, role_arns=[ROLE, other, ROLE])
    assert moto.stop_recording() == ["GetUserPolicy"]
    assert again["changed"] is False


def test_missing_user_is_a_clear_failure(moto, aws):
    from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure
    with pytest.raises(AwsFailure) as error:
        run(moto, role_arn=ROLE)
    assert "Could not put inline policy 'SellingPartnerAPIAssumeRole' on IAM user 'SellingPartnerAPIUser'" \
        in str(error.value)
    assert "NoSuchEntity" in str(error.value)


def test_absent_when_missing_changes_nothing(moto, aws):
    aws.iam.create_user(UserName="SellingPartnerAPIUser")
    moto.start_recording()
    result = run(moto, state="absent")
    assert writes(moto.stop_recording()) == []
    assert result["changed"] is False and result["document"] is None
