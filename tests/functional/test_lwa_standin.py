"""The LWA / SP-API stand-in refuses what Amazon refuses, and the collection's client reads it as Amazon.

The calls go through the collection's own HTTP client (plugins/module_utils/_lwa*.py), so these
tests also show the client's grants, scopes and error codes against Amazon's documented answers.
"""

import json
import urllib.parse
import urllib.request

import boto3
import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa import common as _lwa
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import HttpClient
from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  pylint: disable=unused-import

CLIENT = "amzn1.application-oa2-client.0123456789abcdef"
SECRET = "amzn1.oa2-cs.v1.0123456789abcdef0123456789abcdef"
REFRESH = "Atzr|IwEBIexample-refresh-token"


@pytest.fixture
def http():
    return HttpClient(sleep=lambda seconds: None)


def raw_token(lwa, form, content_type="application/x-www-form-urlencoded"):
    request = urllib.request.Request(lwa.token_url, data=urllib.parse.urlencode(form).encode(),
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_token_grants_and_their_refusals(lwa, http):
    lwa.register(CLIENT, SECRET, [REFRESH])
    token = _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, refresh_token=REFRESH)
    assert token.grant == "refresh_token" and token.access_token.startswith("Atza|") and token.expires_in == 3600
    assert token.access_token not in repr(token)
    assert _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, scope=_lwa.SCOPE_ROTATION).grant == "client_credentials"

    refusals = [
        (dict(client_secret="amzn1.oa2-cs.v1.wrong"), 401, "invalid_client"),
        (dict(client_id="amzn1.application-oa2-client.other"), 401, "invalid_client"),
        (dict(refresh_token="Atzr|not-this-one"), 400, "invalid_grant"),
    ]
    for change, status, code in refusals:
        args = dict(client_id=CLIENT, client_secret=SECRET, refresh_token=REFRESH)
        args.update(change)
        with pytest.raises(_lwa.LwaError) as caught:
            _lwa.exchange(http, lwa.token_url, **args)
        assert (caught.value.status, caught.value.code) == (status, code)
        assert _lwa.HINTS[code] in str(caught.value)
        assert args["client_secret"] not in str(caught.value) and args["refresh_token"] not in str(caught.value)
    with pytest.raises(_lwa.LwaError) as caught:
        _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, scope="sellingpartnerapi::everything")
    assert caught.value.code == "invalid_scope"

    base = dict(client_id=CLIENT, client_secret=SECRET)
    assert raw_token(lwa, dict(base, grant_type="refresh_token", refresh_token=REFRESH, scope=_lwa.SCOPE_ROTATION)) \
        == (400, {"error": "invalid_request", "error_description": "The request has an invalid parameter : scope"})
    assert raw_token(lwa, dict(base, grant_type="client_credentials"))[1]["error"] == "invalid_request"
    assert raw_token(lwa, dict(base, grant_type="password"))[1]["error"] == "unsupported_grant_type"
    assert raw_token(lwa, dict(base, grant_type="refresh_token", refresh_token=REFRESH),
                     content_type="application/json")[1]["error"] == "invalid_request"


def test_rotation_needs_its_scope_a_queue_and_one_minute(lwa, http, moto):
    sqs = boto3.client("sqs", endpoint_url=moto.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    queue_url = sqs.create_queue(QueueName="lwa-new-secret")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lwa.register(CLIENT, SECRET, [REFRESH], application_id="amzn1.sp.solution.demo")

    def rotate(token):
        return _lwa.spapi_request(http, lwa.url, "POST", "/applications/2023-11-30/clientSecret", token,
                                  "the rotation", ok=(204,), retry=False)

    seller = _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, refresh_token=REFRESH)
    notifications = _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, scope=_lwa.SCOPE_NOTIFICATIONS)
    for wrong in (seller, notifications):
        with pytest.raises(_lwa.LwaError) as caught:
            rotate(wrong)
        assert (caught.value.status, caught.value.code) == (403, "Unauthorized")
    grantless = _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, scope=_lwa.SCOPE_ROTATION)
    with pytest.raises(_lwa.LwaError) as caught:
        rotate(grantless)
    assert (caught.value.status, caught.value.code) == (400, "InvalidInput")

    lwa.set_preferences(CLIENT, new_secret=queue_arn)
    with pytest.raises(_lwa.LwaError) as caught:  # the refused call above counts against the 1-a-minute rate
        rotate(grantless)
    assert caught.value.status == 429
    lwa.advance(61)
    grantless = _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, scope=_lwa.SCOPE_ROTATION)
    assert rotate(grantless).status == 204

    message = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"][0]
    body = json.loads(message["Body"])
    assert body["notificationType"] == "APPLICATION_OAUTH_CLIENT_NEW_SECRET"
    assert body["payloadVersion"] == "2023-11-30" and body["notificationVersion"] == "1.0"
    assert body["notificationMetadata"]["applicationId"] == "amzn1.sp.solution.demo"
    new = body["payload"]["applicationOAuthClientNewSecret"]
    assert set(new) == {"clientId", "newClientSecret", "newClientSecretExpiryTime", "oldClientSecretExpiryTime"}
    assert new["clientId"] == CLIENT and new["newClientSecret"] != SECRET
    assert new["newClientSecretExpiryTime"].endswith("Z")

    # Both secrets work for 7 days; then only the new one.
    for secret in (SECRET, new["newClientSecret"]):
        _lwa.exchange(http, lwa.token_url, CLIENT, secret, refresh_token=REFRESH)
    lwa.advance(7 * 86400 + 60)
    _lwa.exchange(http, lwa.token_url, CLIENT, new["newClientSecret"], refresh_token=REFRESH)
    with pytest.raises(_lwa.LwaError) as caught:
        _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, refresh_token=REFRESH)
    assert caught.value.code == "invalid_client"
    assert lwa.calls["POST /applications/2023-11-30/clientSecret 204"] == 1

    # The expiry notification goes to the other row's queue, in Amazon's shape.
    expiry_url = sqs.create_queue(QueueName="lwa-expiry")["QueueUrl"]
    lwa.set_preferences(CLIENT, new_secret=queue_arn, secret_expiry=expiry_url)
    lwa.send_expiry_notification(CLIENT, "2031-01-02T03:04:05Z")
    expiry = json.loads(sqs.receive_message(QueueUrl=expiry_url, WaitTimeSeconds=1)["Messages"][0]["Body"])
    assert expiry["payload"] == {"applicationOAuthClientSecretExpiry": {
        "clientId": CLIENT, "clientSecretExpiryTime": "2031-01-02T03:04:05.000Z",
        "clientSecretExpiryReason": "PERIODIC_ROTATION"}}


def test_destinations_are_grantless_and_conflicts_are_refused(lwa, http):
    lwa.register(CLIENT, SECRET, [REFRESH])
    token = _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, scope=_lwa.SCOPE_NOTIFICATIONS)
    path = "/notifications/v1/destinations"
    arn = "arn:aws:sqs:us-east-1:123456789012:sp-api-notifications"
    body = {"name": "orders", "resourceSpecification": {"sqs": {"arn": arn}}}
    created = _lwa.spapi_request(http, lwa.url, "POST", path, token, "createDestination", body=body).json()["payload"]
    assert created["name"] == "orders" and created["resource"] == {"sqs": {"arn": arn}}
    with pytest.raises(_lwa.LwaError) as caught:
        _lwa.spapi_request(http, lwa.url, "POST", path, token, "createDestination", body=body)
    assert caught.value.status == 409
    listed = _lwa.spapi_request(http, lwa.url, "GET", path, token, "getDestinations").json()["payload"]
    assert listed == [created]
    one = path + "/" + created["destinationId"]
    assert _lwa.spapi_request(http, lwa.url, "GET", one, token, "getDestination").json()["payload"] == created
    assert _lwa.spapi_request(http, lwa.url, "DELETE", one, token, "deleteDestination").json() == {}
    with pytest.raises(_lwa.LwaError) as caught:
        _lwa.spapi_request(http, lwa.url, "GET", one, token, "getDestination")
    assert caught.value.status == 404
    rotation = _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, scope=_lwa.SCOPE_ROTATION)
    with pytest.raises(_lwa.LwaError) as caught:
        _lwa.spapi_request(http, lwa.url, "GET", path, rotation, "getDestinations")
    assert caught.value.status == 403


def test_client_retries_throttling_and_honours_retry_after(lwa):
    lwa.register(CLIENT, SECRET, [REFRESH])
    waits = []
    http = HttpClient(sleep=waits.append)
    lwa.add_fault("POST", "/auth/o2/token", 429, times=1, retry_after=2)
    lwa.add_fault("POST", "/auth/o2/token", 503, times=1)
    assert _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, refresh_token=REFRESH).grant == "refresh_token"
    assert waits == [2.0, 2.0]  # Retry-After, then the backoff of a second retry
    lwa.add_fault("POST", "/auth/o2/token", 503, times=10)
    with pytest.raises(_lwa.LwaError) as caught:
        _lwa.exchange(http, lwa.token_url, CLIENT, SECRET, refresh_token=REFRESH)
    assert caught.value.status == 503 and "after 4 attempts" in str(caught.value)


def test_admin_interface_over_http(lwa):
    def call(method, path, data=None):
        request = urllib.request.Request(lwa.url + path, method=method,
                                         data=json.dumps(data).encode() if data is not None else None)
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read() or b"{}")

    app = call("POST", "/_standin/applications", {"client_id": CLIENT, "client_secret": SECRET,
                                                  "refresh_tokens": [REFRESH],
                                                  "client_secret_expires": "2030-01-01T00:00:00Z"})
    assert app["client_secret_expires"] == "2030-01-01T00:00:00.000Z"
    call("PUT", "/_standin/applications/%s/notification-preferences" % CLIENT, {"new_secret": "arn:aws:sqs:x:1:q"})
    assert call("GET", "/_standin/applications/" + CLIENT)["new_secret_queue"] == "arn:aws:sqs:x:1:q"
    before = call("GET", "/_standin/clock")["now"]
    after = call("POST", "/_standin/clock", {"advance_seconds": 86400})["now"]
    assert after[:10] > before[:10]
    raw_token(lwa, dict(grant_type="refresh_token", refresh_token=REFRESH, client_id=CLIENT, client_secret=SECRET))
    assert call("GET", "/_standin/calls")["POST /auth/o2/token 200"] == 1
    call("POST", "/_standin/reset")
    assert call("GET", "/_standin/calls") == {}
