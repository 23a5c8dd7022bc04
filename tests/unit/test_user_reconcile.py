"""A CreateUser whose response was lost and that botocore retried ends converged, not failed."""

from tests.support.aws_proxy import AwsProxy
from tests.support.tasks import make_task

from ansible_collections.spapi.onboarding.plugins.modules.iam_user import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.module_utils._user import ensure_user


def test_lost_create_response_is_adopted(moto, aws):
    with AwsProxy(moto.url) as proxy:
        proxy.add_fault(["CreateUser"], "ServiceUnavailable", times=1, after=True)
        task = make_task(ARGUMENT_SPEC, proxy.url, name="SellingPartnerAPIUser", tags={"a": "b"})
        result = ensure_user(task)
        assert proxy.calls["CreateUser"] == 2  # the lost one, then botocore's retry
    assert result["changed"] is True
    live = aws.iam.get_user(UserName="SellingPartnerAPIUser")["User"]
    assert result["user"]["arn"] == live["Arn"]
    assert aws.iam.list_users()["Users"][0]["UserName"] == "SellingPartnerAPIUser"
