"""The LWA / SP-API HTTP client's decisions, without a network: retries, Retry-After, error texts.

A fake opener plays the server; nothing listens on a socket.
"""

import email.utils
import io
import json
import urllib.error

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import (
    HttpClient,
    HttpError,
    Reply,
    error_code,
    parse_retry_after,
    retry_delay,
)

SECRET = "amzn1.oa2-cs.v1.do-not-print-me"


@pytest.mark.parametrize("value, expected", [
    (None, None),
    ("3", 3.0),
    (" 0 ", 0.0),
    ("soon", None),
    ("-1", None),
    (email.utils.formatdate(1000 + 30, usegmt=True), 30.0),
    (email.utils.formatdate(1000 - 30, usegmt=True), 0.0),  # a date in the past: no wait
])
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, now=1000) == expected


@pytest.mark.parametrize("status, retry_after, attempt, expected", [
    (429, None, 1, 1.0),
    (429, None, 2, 2.0),
    (503, None, 3, 4.0),
    (429, 5.0, 1, 5.0),          # Retry-After wins over the backoff
    (429, 120.0, 1, None),       # longer than we sleep: give the caller the error
    (500, None, 4, None),        # attempts exhausted
    (None, None, 1, 1.0),        # no reply at all: retried
    (400, None, 1, None),        # refusals are answers, not accidents
    (401, None, 1, None),
    (403, None, 1, None),
    (409, None, 1, None),
])
def test_retry_delay(status, retry_after, attempt, expected):
    assert retry_delay(status, retry_after, attempt) == expected


@pytest.mark.parametrize("body, expected", [
    (b'{"error":"invalid_client","error_description":"Client authentication failed"}', "invalid_client"),
    (b'{"errors":[{"code":"InvalidInput","message":"x"}]}', "InvalidInput"),
    (b'{"error":"a secret with spaces ' + SECRET.encode() + b'"}', None),  # not code-shaped: never echoed
    (b"<html>oops</html>", None),
    (b"", None),
])
def test_error_code_only_when_it_looks_like_one(body, expected):
    assert error_code(Reply(400, {}, body)) == expected


class FakeOpener:
    """Answers requests from a script of (status, body, headers) or exceptions; records the requests."""

    def __init__(self, script):
        self.script = list(script)
        self.requests = []

    def open(self, request, timeout=None):
        self.requests.append(request)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        status, body, headers = step
        if status >= 400:
            raise urllib.error.HTTPError(request.full_url, status, "x", headers, io.BytesIO(body))

        class Response(io.BytesIO):
            pass

        response = Response(body)
        response.status, response.headers = status, headers
        return response


def client(script):
    waits = []
    opener = FakeOpener(script)
    return HttpClient(sleep=waits.append, opener=opener), waits, opener


def test_retries_throttling_then_succeeds_honouring_retry_after():
    http, waits, opener = client([(429, b"", {"Retry-After": "7"}), (503, b"", {}), (200, b'{"ok":1}', {})])
    reply = http.request("POST", "https://lwa.example/token", "the exchange", body=b"x")
    assert reply.json() == {"ok": 1} and waits == [7.0, 2.0] and len(opener.requests) == 3


def test_no_retry_when_the_caller_says_so():
    http, waits, opener = client([(429, b'{"errors":[{"code":"QuotaExceeded","message":"m"}]}', {})])
    with pytest.raises(HttpError) as caught:
        http.request("POST", "https://sp.example/rotate", "the rotation", retry=False)
    assert (caught.value.status, caught.value.code, waits) == (429, "QuotaExceeded", [])


def test_network_errors_are_retried_then_named_with_the_attempts():
    refused = urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
    http, waits, dummy = client([refused] * 4)
    with pytest.raises(HttpError) as caught:
        http.request("POST", "https://lwa.example/token", "the exchange")
    assert str(caught.value) == "the exchange at https://lwa.example/token failed after 4 attempts: Connection refused"
    assert caught.value.status is None and waits == [1.0, 2.0, 4.0]


def test_errors_never_quote_the_request_or_the_reply():
    body = json.dumps({"error": "invalid_client", "error_description": "bad secret " + SECRET}).encode()
    http, dummy, dummy = client([(401, body, {})])
    with pytest.raises(HttpError) as caught:
        http.request("POST", "https://lwa.example/token", "the exchange", body=("client_secret=" + SECRET).encode())
    assert str(caught.value) == "the exchange at https://lwa.example/token failed: HTTP 401 invalid_client"
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value.args)


def test_an_unexpected_success_status_is_an_error():
    http, dummy, dummy = client([(202, b"", {})])
    with pytest.raises(HttpError) as caught:
        http.request("POST", "https://sp.example/rotate", "the rotation", ok=(204,))
    assert caught.value.status == 202
