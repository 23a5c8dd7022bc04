"""What a user reads when AWS refuses the credentials or cannot be reached: the cause and where to look.

Pure: botocore's own exception classes and configuration objects, no client, no network.
"""

import botocore.config
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, SSOTokenLoadError

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure, call


class FakeClient:
    """What _invoke reads of a boto3 client: who signs, and its configuration."""

    def __init__(self, operator=True, retries=None):
        self.spapi_operator_credentials = operator

        class Meta:
            config = botocore.config.Config(retries=retries or {"mode": "standard", "total_max_attempts": 3})
            endpoint_url = "http://127.0.0.1:9"

        self.meta = Meta

    def failing(self, exc):
        def get_user(**kwargs):
            raise exc
        get_user.__self__ = self
        return get_user


def refused(code):
    return ClientError({"Error": {"Code": code, "Message": "The security token included in the request is invalid."}},
                       "GetUser")


def failure(client, exc):
    with pytest.raises(AwsFailure) as error:
        call("read IAM user 'u'", client.failing(exc))
    return str(error.value)


@pytest.mark.parametrize("exc", [
    NoCredentialsError(),
    SSOTokenLoadError(error_msg="The SSO session has expired"),
    refused("InvalidClientTokenId"),
    refused("ExpiredToken"),
    refused("SignatureDoesNotMatch"),
])
def test_refused_operator_credentials_say_where_to_look(exc):
    message = failure(FakeClient(), exc)
    assert message.startswith("Could not read IAM user 'u': ")
    for hint in ("AWS_PROFILE", "aws sso login", "iam_aws", "module_defaults for group/spapi.onboarding.aws"):
        assert hint in message


@pytest.mark.parametrize("exc", [refused("InvalidClientTokenId"), NoCredentialsError()])
def test_a_vaulted_key_being_proven_gets_no_operator_advice(exc):
    assert "AWS_PROFILE" not in failure(FakeClient(operator=False), exc)


@pytest.mark.parametrize("exc", [refused("AccessDenied"), refused("NoSuchEntityX"), refused("Throttling")])
def test_other_refusals_get_no_credentials_advice(exc):
    assert "AWS_PROFILE" not in failure(FakeClient(), exc)


@pytest.mark.parametrize("retries, attempts", [
    ({"mode": "standard", "total_max_attempts": 3}, "after 3 attempts"),
    ({"mode": "legacy", "max_attempts": 4}, "after 5 attempts"),
])
def test_an_unreachable_endpoint_says_how_many_attempts_and_where(retries, attempts):
    message = failure(FakeClient(retries=retries), EndpointConnectionError(endpoint_url="http://127.0.0.1:9/"))
    assert "Could not connect to the endpoint URL" in message
    assert "Gave up %s" % attempts in message
    assert "to reach http://127.0.0.1:9" in message and "AWS_ENDPOINT_URL" in message
