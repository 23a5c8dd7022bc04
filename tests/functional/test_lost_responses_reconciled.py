"""A create whose response was lost, and that botocore retried, ends converged: not failed, not doubled."""

import pytest

from tests.support.aws_proxy import AwsProxy
from tests.support.tasks import make_task

from ansible_collections.spapi.onboarding.plugins.modules import iam_policy, iam_role, iam_user
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.managed_policy import ensure_policy
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.role import ensure_role
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.user import ensure_user

USER_ARN = "arn:aws:iam::123456789012:user/SellingPartnerAPIUser"


@pytest.mark.parametrize("action, spec, ensure, params, listing", [
    ("CreateUser", iam_user.ARGUMENT_SPEC, ensure_user, {"tags": {"a": "b"}},
     lambda iam: [u["UserName"] for u in iam.list_users()["Users"]]),
    ("CreatePolicy", iam_policy.ARGUMENT_SPEC, ensure_policy, {},
     lambda iam: [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]),
    ("CreateRole", iam_role.ARGUMENT_SPEC, ensure_role, {"trusted_user_arn": USER_ARN},
     lambda iam: [r["RoleName"] for r in iam.list_roles()["Roles"]]),
])
def test_lost_create_response_is_adopted(moto, aws, action, spec, ensure, params, listing):
    with AwsProxy(moto.url) as proxy:
        proxy.add_fault([action], "ServiceUnavailable", times=1, after=True)
        result = ensure(make_task(spec, proxy.url, **params))
        assert proxy.calls[action] == 2  # the lost one, then botocore's retry
    assert result["changed"] is True
    assert len(listing(aws.iam)) == 1
    again = ensure(make_task(spec, moto.url, **params))
    assert again["changed"] is False


@pytest.mark.parametrize("action, spec, ensure, params", [
    ("DeleteUser", iam_user.ARGUMENT_SPEC, ensure_user, {}),
    ("DeletePolicy", iam_policy.ARGUMENT_SPEC, ensure_policy, {}),
    ("DeleteRole", iam_role.ARGUMENT_SPEC, ensure_role, {"trusted_user_arn": USER_ARN}),
])
def test_lost_delete_response_counts_as_deleted(moto, aws, action, spec, ensure, params):
    ensure(make_task(spec, moto.url, **params))
    with AwsProxy(moto.url) as proxy:
        proxy.add_fault([action], "ServiceUnavailable", times=1, after=True)
        result = ensure(make_task(spec, proxy.url, state="absent", **params))
        assert proxy.calls[action] == 2  # the lost one, then botocore's retry meeting NoSuchEntity
    assert result["changed"] is True
    assert ensure(make_task(spec, moto.url, state="absent", **params))["changed"] is False
