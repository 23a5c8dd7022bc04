"""The test proxy itself: pass-through with signatures intact, faults before and after the server."""

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support.aws_proxy import AwsProxy


def iam_client(url, key="testing", secret="testing", attempts=1):
    return boto3.client("iam", endpoint_url=url, aws_access_key_id=key, aws_secret_access_key=secret,
                        region_name="us-east-1",
                        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}))


def test_passes_through_and_counts(moto):
    with AwsProxy(moto.url) as proxy:
        iam_client(proxy.url).create_user(UserName="alice")
        assert [u["UserName"] for u in iam_client(proxy.url).list_users()["Users"]] == ["alice"]
        assert proxy.calls == {"CreateUser": 1, "ListUsers": 1}


def test_signatures_still_verify_under_enforcement(moto, aws):
    aws.iam.create_user(UserName="admin")
    aws.iam.put_user_policy(UserName="admin", PolicyName="all",
                            PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}')
    key = aws.iam.create_access_key(UserName="admin")["AccessKey"]
    moto.set_auth(0)
    with AwsProxy(moto.url) as proxy:
        admin = iam_client(proxy.url, key["AccessKeyId"], key["SecretAccessKey"])
        assert admin.get_user(UserName="admin")["User"]["UserName"] == "admin"
        with pytest.raises(ClientError) as denied:
            iam_client(proxy.url, key["AccessKeyId"], "wrong" * 8).get_user(UserName="admin")
        assert denied.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_fault_before_server_is_retried_by_botocore(moto, aws):
    with AwsProxy(moto.url) as proxy:
        proxy.add_fault(["CreateUser"], "Throttling", times=2)
        iam_client(proxy.url, attempts=5).create_user(UserName="bob")
        assert proxy.calls["CreateUser"] == 3
        assert aws.iam.get_user(UserName="bob")["User"]["UserName"] == "bob"


def test_fault_after_server_loses_the_response(moto, aws):
    with AwsProxy(moto.url) as proxy:
        proxy.add_fault(["CreateUser"], "ServiceUnavailable", times=1, after=True)
        with pytest.raises(ClientError) as lost:
            iam_client(proxy.url).create_user(UserName="carol")
        assert lost.value.response["Error"]["Code"] == "ServiceUnavailable"
        # The server acted although the client saw an error.
        assert aws.iam.get_user(UserName="carol")["User"]["UserName"] == "carol"


def test_latency_is_added(moto):
    import time
    with AwsProxy(moto.url, latency=0.05) as proxy:
        start = time.monotonic()
        for dummy in range(3):
            iam_client(proxy.url).list_users()
        assert time.monotonic() - start >= 0.15
