# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where LWA credentials and SP-API access tokens may go, and the HTTP client that takes them there.

A token request carries the client secret and the refresh token; an SP-API request carries an
access token. Both go only to Amazon's hosts, or to a stand-in on a loopback address, unless the
user names another host and says so with lwa_allow_other_hosts (invariant 11). TLS to them is
verified by lwa_validate_certs, never by the AWS option validate_certs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import urllib.parse

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import HttpClient, is_loopback

DEFAULT_LWA_ENDPOINT = "https://api.amazon.com/auth/o2/token"
SPAPI_HOSTS = {"na": "https://sellingpartnerapi-na.amazon.com", "eu": "https://sellingpartnerapi-eu.amazon.com",
               "fe": "https://sellingpartnerapi-fe.amazon.com"}
LWA_ENDPOINT_ENV = "SPAPI_LWA_ENDPOINT"
SPAPI_ENDPOINT_ENV = "SPAPI_ENDPOINT"
# Amazon's LWA token hosts: api.amazon.com for SP-API everywhere; Amazon's LWA pages also document the
# regional api.amazon.co.uk (EU) and api.amazon.co.jp (FE) token endpoints.
LWA_HOSTS = ("api.amazon.com", "api.amazon.co.uk", "api.amazon.co.jp")
# SP-API's regional hosts and their sandboxes (Amazon's "SP-API endpoints" and "Selling Partner API sandbox").
SPAPI_HOST_NAMES = tuple("%ssellingpartnerapi-%s.amazon.com" % (sandbox, region)
                         for sandbox in ("", "sandbox.") for region in ("na", "eu", "fe"))
STANDINS = "a stand-in on a loopback address (127.0.0.1, ::1, localhost)"
URL_TEXT = re.compile(r"[\x21-\x7e]{1,2048}\Z")


def check_endpoint(value, option):
    """An https URL without credentials, query or fragment; plain http only to a loopback stand-in.

    The form only: which hosts may receive what is check_host's rule, applied where an endpoint is resolved."""
    if not isinstance(value, str) or not URL_TEXT.match(value):
        raise ValidationError(option, "must be a URL without spaces or control characters")
    try:
        parts = urllib.parse.urlsplit(value)
        host, dummy = parts.hostname, parts.port
    except ValueError:
        raise ValidationError(option, "%r is not a valid URL" % (value,))
    if not host or parts.username or parts.password or parts.query or parts.fragment:
        raise ValidationError(option, "%r must be a URL with a host and no user, query or fragment" % (value,))
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(host)):
        raise ValidationError(option, "%r must be an https:// URL (plain http:// is allowed only to %s): the secret "
                                      "travels in the request" % (value, STANDINS))
    return value


# Per option: whose hosts, which of them, and what a request there carries (for the refusal's message).
RECEIVERS = {
    "lwa_endpoint": ("LWA", LWA_HOSTS, "the client secret and the refresh token"),
    "spapi_endpoint": ("SP-API", SPAPI_HOST_NAMES, "an LWA access token"),
}


def check_host(value, option, allow_other_hosts=False, named=None):
    """Refuse, before any connection, a URL whose host is neither one of Amazon's hosts for option nor loopback.

    named: how the message names the source (an environment variable stands in for the option)."""
    service, hosts, carried = RECEIVERS[option]
    host = urllib.parse.urlsplit(value).hostname
    if host in hosts or is_loopback(host) or allow_other_hosts:
        return value
    raise ValidationError(named or option, "%r is not one of Amazon's %s hosts (%s) nor %s, and a request there "
                                           "carries %s. Use Amazon's endpoint, or set lwa_allow_other_hosts: true "
                                           "only for a host you trust with them"
                          % (value, service, ", ".join(hosts), STANDINS, carried))


def _resolve(params, environ, option, env_name):
    """The option, else the environment variable, checked (form, then host); None when neither is set."""
    allow = params.get("lwa_allow_other_hosts") is True
    if params.get(option):
        return check_host(check_endpoint(params[option], option), option, allow)
    if environ.get(env_name):
        named = "%s (from %s)" % (option, env_name)
        return check_host(check_endpoint(environ[env_name], named), option, allow, named)
    return None


def lwa_endpoint(params, environ=None):
    environ = os.environ if environ is None else environ
    return _resolve(params, environ, "lwa_endpoint", LWA_ENDPOINT_ENV) or DEFAULT_LWA_ENDPOINT


def spapi_endpoint(params, environ=None):
    environ = os.environ if environ is None else environ
    found = _resolve(params, environ, "spapi_endpoint", SPAPI_ENDPOINT_ENV)
    if found:
        return found.rstrip("/")
    region = params.get("spapi_region") or "na"
    if region not in SPAPI_HOSTS:
        raise ValidationError("spapi_region", "must be one of %s, got %r" % (", ".join(sorted(SPAPI_HOSTS)), region))
    return SPAPI_HOSTS[region]


def check_connection_options(params):
    """The endpoints and the CA bundle, checked before any file is read or any call is made; the LWA endpoint.

    A module that calls SP-API (its options include spapi_region) has its SP-API endpoint checked here too."""
    endpoint = lwa_endpoint(params)
    if "spapi_region" in params:
        spapi_endpoint(params)
    bundle = params.get("lwa_ca_bundle")
    if bundle and not os.path.isfile(bundle):
        raise ValidationError("lwa_ca_bundle", "%s is not a file: give the path of a PEM CA bundle" % bundle)
    return endpoint


def http_client(params):
    """The HTTP client for a task's options: lwa_validate_certs and lwa_ca_bundle, never the AWS validate_certs."""
    return HttpClient(validate_certs=params.get("lwa_validate_certs", True) is not False,
                      ca_bundle=params.get("lwa_ca_bundle"))
