"""Where LWA credentials and SP-API access tokens may go (invariant 11), and the TLS setting that guards them. Pure.

Only Amazon's LWA and SP-API hosts and loopback stand-ins pass, from an option or an environment variable,
unless lwa_allow_other_hosts says otherwise; the AWS option validate_certs never touches LWA's TLS.
"""

import pytest
import yaml

from ansible_collections.spapi.onboarding.plugins.doc_fragments.lwa import ModuleDocFragment
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa import common as _lwa
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa import endpoints
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import is_loopback
from ansible_collections.spapi.onboarding.plugins.modules import lwa_check, lwa_credentials, lwa_rotate
from ansible_collections.spapi.onboarding.plugins.modules import notification_destination

LWA_OK = [
    "https://api.amazon.com/auth/o2/token",
    "https://api.amazon.co.uk/auth/o2/token",
    "https://api.amazon.co.jp/auth/o2/token",
    "https://API.Amazon.com/auth/o2/token",  # host names are case-insensitive
    "https://api.amazon.com:443/auth/o2/token",
    "http://127.0.0.1:8910/auth/o2/token",
    "https://127.0.0.1:8443/auth/o2/token",
    "http://127.7.0.1/auth/o2/token",
    "http://[::1]:8910/auth/o2/token",
    "http://localhost:8910/auth/o2/token",
]
SPAPI_OK = ["https://%ssellingpartnerapi-%s.amazon.com" % (sandbox, region)
            for sandbox in ("", "sandbox.") for region in ("na", "eu", "fe")] + ["http://127.0.0.1:8910"]
# Hosts that are not Amazon's (look-alikes included) or are Amazon's for the other service.
OTHER_LWA = [
    "https://lwa.example/auth/o2/token",
    "https://api.amazon.com.evil.example/auth/o2/token",
    "https://evilapi.amazon.com/auth/o2/token",
    "https://api.amazon.de/auth/o2/token",
    "https://localhost.evil.example/auth/o2/token",
    "https://127.0.0.1.nip.io/auth/o2/token",
    "https://10.0.0.1/auth/o2/token",
    "https://0.0.0.0/auth/o2/token",
    "https://sellingpartnerapi-na.amazon.com/auth/o2/token",
]
OTHER_SPAPI = ["https://sp.example", "https://sellingpartnerapi-us.amazon.com", "https://api.amazon.com",
               "https://sandbox.sellingpartnerapi-na.amazon.com.evil.example"]


@pytest.mark.parametrize("url", LWA_OK)
def test_amazon_lwa_hosts_and_loopback_pass_from_the_option_and_the_environment(url):
    assert endpoints.lwa_endpoint({"lwa_endpoint": url}, {}) == url
    assert endpoints.lwa_endpoint({}, {"SPAPI_LWA_ENDPOINT": url}) == url


@pytest.mark.parametrize("url", SPAPI_OK)
def test_amazon_spapi_hosts_and_loopback_pass_from_the_option_and_the_environment(url):
    assert endpoints.spapi_endpoint({"spapi_endpoint": url + "/"}, {}) == url
    assert endpoints.spapi_endpoint({}, {"SPAPI_ENDPOINT": url}) == url


@pytest.mark.parametrize("url", OTHER_LWA)
def test_other_lwa_hosts_are_refused_naming_amazons_hosts_and_the_option(url):
    for params, environ, option in (({"lwa_endpoint": url}, {}, "lwa_endpoint"),
                                    ({}, {"SPAPI_LWA_ENDPOINT": url}, "lwa_endpoint (from SPAPI_LWA_ENDPOINT)")):
        with pytest.raises(ValidationError) as caught:
            endpoints.lwa_endpoint(params, environ)
        assert caught.value.option == option
        for named in ("api.amazon.com", "api.amazon.co.uk", "api.amazon.co.jp", "127.0.0.1", "lwa_allow_other_hosts",
                      "client secret"):
            assert named in caught.value.rule
    # The user's own relay, said out loud.
    assert endpoints.lwa_endpoint({"lwa_endpoint": url, "lwa_allow_other_hosts": True}, {}) == url
    assert endpoints.lwa_endpoint({"lwa_allow_other_hosts": True}, {"SPAPI_LWA_ENDPOINT": url}) == url


@pytest.mark.parametrize("url", OTHER_SPAPI)
def test_other_spapi_hosts_are_refused_naming_amazons_hosts_and_the_option(url):
    for params, environ, option in (({"spapi_endpoint": url}, {}, "spapi_endpoint"),
                                    ({}, {"SPAPI_ENDPOINT": url}, "spapi_endpoint (from SPAPI_ENDPOINT)")):
        with pytest.raises(ValidationError) as caught:
            endpoints.spapi_endpoint(params, environ)
        assert caught.value.option == option
        assert "sellingpartnerapi-eu.amazon.com" in caught.value.rule and "lwa_allow_other_hosts" in caught.value.rule
    assert endpoints.spapi_endpoint({"spapi_endpoint": url, "lwa_allow_other_hosts": True}, {}) == url


@pytest.mark.parametrize("url, rule", [
    ("http://lwa.example/auth/o2/token", "https://"),
    ("http://api.amazon.com/auth/o2/token", "https://"),
    ("https://user:pw@lwa.example/token", "no user"),
    ("https://lwa.example/token?x=1", "no user, query"),
])
def test_allowing_other_hosts_keeps_the_other_refusals(url, rule):
    with pytest.raises(ValidationError) as caught:
        endpoints.lwa_endpoint({"lwa_endpoint": url, "lwa_allow_other_hosts": True}, {})
    assert caught.value.option == "lwa_endpoint" and rule in caught.value.rule


@pytest.mark.parametrize("allow", [None, False, "yes", 1])  # only the boolean true that Ansible hands over allows
def test_only_true_allows_other_hosts(allow):
    with pytest.raises(ValidationError):
        endpoints.lwa_endpoint({"lwa_endpoint": "https://lwa.example/t", "lwa_allow_other_hosts": allow}, {})


def test_the_option_wins_over_the_environment_and_both_are_checked():
    environ = {"SPAPI_LWA_ENDPOINT": "https://evil.example/t", "SPAPI_ENDPOINT": "https://evil.example"}
    assert endpoints.lwa_endpoint({"lwa_endpoint": "https://api.amazon.co.uk/auth/o2/token"}, environ) \
        == "https://api.amazon.co.uk/auth/o2/token"
    assert endpoints.spapi_endpoint({"spapi_endpoint": "https://sellingpartnerapi-fe.amazon.com"}, environ) \
        == "https://sellingpartnerapi-fe.amazon.com"
    with pytest.raises(ValidationError):
        endpoints.lwa_endpoint({}, environ)
    with pytest.raises(ValidationError):
        endpoints.spapi_endpoint({"spapi_region": "eu"}, environ)


def test_connection_options_check_the_spapi_endpoint_of_modules_that_call_spapi(monkeypatch):
    monkeypatch.delenv("SPAPI_LWA_ENDPOINT", raising=False)
    monkeypatch.setenv("SPAPI_ENDPOINT", "https://sp.example")
    assert endpoints.check_connection_options({}) == endpoints.DEFAULT_LWA_ENDPOINT  # no SP-API call: not read
    with pytest.raises(ValidationError) as caught:
        endpoints.check_connection_options({"spapi_region": "na"})
    assert caught.value.option == "spapi_endpoint (from SPAPI_ENDPOINT)"
    assert endpoints.check_connection_options({"spapi_region": "na", "lwa_allow_other_hosts": True}) \
        == endpoints.DEFAULT_LWA_ENDPOINT


@pytest.mark.parametrize("host, expected", [
    ("localhost", True), ("127.0.0.1", True), ("127.255.0.9", True), ("::1", True),
    ("0.0.0.0", False), ("10.0.0.1", False), ("::", False), ("localhost.example", False), ("", False), (None, False),
])
def test_loopback(host, expected):
    assert is_loopback(host) is expected


@pytest.mark.parametrize("params, verified", [
    ({}, True),
    ({"validate_certs": False}, True),  # the AWS option: never LWA's
    ({"validate_certs": False, "lwa_validate_certs": True}, True),
    ({"validate_certs": True, "lwa_validate_certs": False}, False),
])
def test_lwa_tls_is_verified_independently_of_the_aws_validate_certs(params, verified):
    client = endpoints.http_client(params)
    assert client.validate_certs is verified
    assert _lwa.http_client is endpoints.http_client  # the callers' import path


@pytest.mark.parametrize("module", [lwa_credentials, lwa_check, lwa_rotate, notification_destination])
def test_every_module_that_calls_lwa_has_the_options_documented_with_their_defaults(module):
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    for option, default in (("lwa_validate_certs", True), ("lwa_allow_other_hosts", False)):
        assert module.ARGUMENT_SPEC[option] == {"type": "bool", "default": default}
        assert documented[option]["type"] == "bool" and documented[option]["default"] is default
