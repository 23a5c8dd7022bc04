"""LWA input rules, endpoint resolution, the token forms and what each LWA error says. Pure."""

import datetime

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa import common as _lwa
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

UTC = datetime.timezone.utc


@pytest.mark.parametrize("params, environ, expected", [
    ({}, {}, "https://api.amazon.com/auth/o2/token"),
    ({}, {"SPAPI_LWA_ENDPOINT": "http://127.0.0.1:8910/auth/o2/token"}, "http://127.0.0.1:8910/auth/o2/token"),
    ({"lwa_endpoint": "https://lwa.example/auth/o2/token", "lwa_allow_other_hosts": True},
     {"SPAPI_LWA_ENDPOINT": "http://127.0.0.1:1/x"},
     "https://lwa.example/auth/o2/token"),
    ({"lwa_endpoint": "http://localhost:8910/auth/o2/token"}, {}, "http://localhost:8910/auth/o2/token"),
    ({"lwa_endpoint": "http://[::1]:8910/auth/o2/token"}, {}, "http://[::1]:8910/auth/o2/token"),
])
def test_lwa_endpoint_resolution(params, environ, expected):
    assert _lwa.lwa_endpoint(params, environ) == expected


@pytest.mark.parametrize("params, environ, expected", [
    ({}, {}, "https://sellingpartnerapi-na.amazon.com"),
    ({"spapi_region": "eu"}, {}, "https://sellingpartnerapi-eu.amazon.com"),
    ({"spapi_region": "fe"}, {}, "https://sellingpartnerapi-fe.amazon.com"),
    ({"spapi_region": "eu"}, {"SPAPI_ENDPOINT": "http://127.0.0.1:8910/"}, "http://127.0.0.1:8910"),
    ({"spapi_endpoint": "https://sp.example", "lwa_allow_other_hosts": True}, {"SPAPI_ENDPOINT": "http://127.0.0.1:1"},
     "https://sp.example"),
])
def test_spapi_endpoint_resolution(params, environ, expected):
    assert _lwa.spapi_endpoint(params, environ) == expected


@pytest.mark.parametrize("params, environ, option, rule", [
    ({"lwa_endpoint": "http://lwa.example/token"}, {}, "lwa_endpoint", "https://"),
    ({"lwa_endpoint": "https://user:pw@lwa.example/token"}, {}, "lwa_endpoint", "no user"),
    ({"lwa_endpoint": "https://lwa.example/token?x=1"}, {}, "lwa_endpoint", "no user, query"),
    ({"lwa_endpoint": "https://lwa.example/token\n"}, {}, "lwa_endpoint", "without spaces"),
    ({"lwa_endpoint": "ftp://127.0.0.1/token"}, {}, "lwa_endpoint", "https://"),
    ({}, {"SPAPI_LWA_ENDPOINT": "http://10.0.0.1/token"}, "lwa_endpoint (from SPAPI_LWA_ENDPOINT)", "127.0.0.1"),
])
def test_bad_lwa_endpoints_are_refused_naming_the_option(params, environ, option, rule):
    with pytest.raises(ValidationError) as caught:
        _lwa.lwa_endpoint(params, environ)
    assert caught.value.option == option and rule in caught.value.rule


def test_bad_spapi_region_is_refused():
    with pytest.raises(ValidationError) as caught:
        _lwa.spapi_endpoint({"spapi_region": "us"}, {})
    assert caught.value.option == "spapi_region"


@pytest.mark.parametrize("check, value, ok", [
    (_lwa.check_client_id, "amzn1.application-oa2-client.0123abcd", True),
    (_lwa.check_client_id, "amzn1.oa2-cs.v1.0123abcd", False),  # the secret pasted as the id
    (_lwa.check_client_id, "amzn1.application-oa2-client.0123abcd\n", False),
    (_lwa.check_client_id, "", False),
    (_lwa.check_application_id, "amzn1.sp.solution.7f7b1f4e-0000-4000", True),
    (_lwa.check_application_id, "amzn1.application-oa2-client.x", False),
])
def test_identifier_rules(check, value, ok):
    if ok:
        assert check(value) == value
    else:
        with pytest.raises(ValidationError):
            check(value)


@pytest.mark.parametrize("value", ["has space", "line\nbreak", "tab\there", "", "x" * 2049])
def test_secret_rules_never_quote_the_value(value):
    with pytest.raises(ValidationError) as caught:
        _lwa.check_token_text(value, "client_secret", "client secret")
    assert caught.value.option == "client_secret" and (not value or value not in str(caught.value))


@pytest.mark.parametrize("kwargs, expected", [
    (dict(refresh_token="R"), [("grant_type", "refresh_token"), ("refresh_token", "R"), ("client_id", "C"),
                               ("client_secret", "S")]),
    (dict(scope=_lwa.SCOPE_NOTIFICATIONS), [("grant_type", "client_credentials"),
                                            ("scope", "sellingpartnerapi::notifications"),
                                            ("client_id", "C"), ("client_secret", "S")]),
])
def test_token_forms(kwargs, expected):
    assert _lwa.token_form("C", "S", **kwargs) == expected


@pytest.mark.parametrize("kwargs", [dict(refresh_token="R", scope="s"), dict()])
def test_a_token_form_has_a_refresh_token_or_a_scope_never_both(kwargs):
    with pytest.raises(ValueError):
        _lwa.token_form("C", "S", **kwargs)


@pytest.mark.parametrize("status, code, expected", [
    (401, "invalid_client", "Developer Central"),
    (400, "invalid_grant", "Authorize app"),
    (400, "invalid_scope", "scope"),
    (503, None, "try again later"),
    (None, None, "SPAPI_LWA_ENDPOINT"),
    (418, None, None),
])
def test_every_lwa_failure_gets_a_hint(status, code, expected):
    message = _lwa.explain(status, code, "the exchange failed")
    assert message.startswith("the exchange failed")
    assert (expected in message) if expected else message == "the exchange failed"


@pytest.mark.parametrize("value, expected", [
    ("2025-07-08", datetime.datetime(2025, 7, 8, tzinfo=UTC)),
    ("2025-07-08T22:09:17.198Z", datetime.datetime(2025, 7, 8, 22, 9, 17, 198000, tzinfo=UTC)),
    ("2025-07-08T23:09:17+01:00", datetime.datetime(2025, 7, 8, 22, 9, 17, tzinfo=UTC)),
    (datetime.date(2025, 7, 8), datetime.datetime(2025, 7, 8, tzinfo=UTC)),
])
def test_parse_time(value, expected):
    assert _lwa.parse_time(value, "client_secret_expires") == expected


def test_parse_time_refuses_naming_the_option():
    with pytest.raises(ValidationError) as caught:
        _lwa.parse_time("next tuesday", "client_secret_expires")
    assert caught.value.option == "client_secret_expires"


@pytest.mark.parametrize("delta, expected", [
    (datetime.timedelta(days=7), 7), (datetime.timedelta(days=6, hours=23), 6),
    (datetime.timedelta(hours=-1), -1), (datetime.timedelta(0), 0),
])
def test_days_left(delta, expected):
    now = datetime.datetime(2025, 1, 1, tzinfo=UTC)
    assert _lwa.days_left(now + delta, now) == expected


def test_a_missing_ca_bundle_is_refused_before_any_call(tmp_path, monkeypatch):
    monkeypatch.delenv("SPAPI_LWA_ENDPOINT", raising=False)
    with pytest.raises(ValidationError) as caught:
        _lwa.check_connection_options({"lwa_ca_bundle": str(tmp_path / "none.pem")})
    assert caught.value.option == "lwa_ca_bundle"
    (tmp_path / "ca.pem").write_text("x")
    assert _lwa.check_connection_options({"lwa_ca_bundle": str(tmp_path / "ca.pem")}) == _lwa.DEFAULT_LWA_ENDPOINT
