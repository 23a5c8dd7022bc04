# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Login with Amazon (LWA) and SP-API: endpoints, input rules, the two token grants, and what LWA's errors mean.

Only the two form posts LWA documents (refresh_token and client_credentials grants); the
access token they return is used in memory and never returned, logged or put in a message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import re
import urllib.parse

from ansible_collections.spapi.onboarding.plugins.module_utils._common.vault_options import VAULT_STORE_SPEC
from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import HttpError
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
# Endpoints and the HTTP client live in endpoints.py; imported here for the callers that know them from common.
# pylint: disable-next=unused-import
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.endpoints import (  # noqa: F401
    DEFAULT_LWA_ENDPOINT,
    LWA_ENDPOINT_ENV,
    SPAPI_ENDPOINT_ENV,
    SPAPI_HOSTS,
    check_connection_options,
    check_endpoint,
    http_client,
    lwa_endpoint,
    spapi_endpoint,
)

SCOPE_NOTIFICATIONS = "sellingpartnerapi::notifications"
SCOPE_ROTATION = "sellingpartnerapi::client_credential:rotation"
DEFAULT_VAULT_FILE = "spapi-onboarding/lwa.vault.yml"
# The keys of the LWA vault file the collection owns; any other key is a team's own and is kept.
LWA_VAULT_KEYS = ("lwa_client_id", "lwa_client_secret", "lwa_client_secret_expires", "lwa_previous_client_secret",
                  "lwa_previous_client_secret_expires", "lwa_refresh_token", "lwa_application_id", "updated",
                  "lwa_client_secret_fingerprints", "lwa_fingerprint_salt")  # _lwa/fingerprints.py
SECRET_KEYS = ("lwa_client_secret", "lwa_previous_client_secret", "lwa_refresh_token")

# The options every LWA module shares (doc fragment spapi.onboarding.lwa), and those of the SP-API callers
# (spapi.onboarding.lwa.spapi).
LWA_ARGUMENT_SPEC = dict(
    VAULT_STORE_SPEC,
    vault_file=dict(type="path", default=DEFAULT_VAULT_FILE),
    vault_id=dict(type="str"),
    lwa_endpoint=dict(type="str"),
    lwa_ca_bundle=dict(type="path"),
    # Independent of the AWS validate_certs: turning that off for a stand-in never exposes the LWA secret.
    lwa_validate_certs=dict(type="bool", default=True),
    lwa_allow_other_hosts=dict(type="bool", default=False),
)
SPAPI_ARGUMENT_SPEC = dict(
    spapi_endpoint=dict(type="str"),
    spapi_region=dict(type="str", choices=sorted(SPAPI_HOSTS), default="na"),
)

# What Amazon issues: the prefixes catch a value pasted into the wrong field.
CLIENT_ID = re.compile(r"amzn1\.application-oa2-client\.[A-Za-z0-9]{1,128}\Z")
APPLICATION_ID = re.compile(r"amzn1\.sp\.solution\.[A-Za-z0-9-]{1,128}\Z")
# Secrets are not checked against a format (Amazon may change it), only for what a paste adds.
TOKEN_TEXT = re.compile(r"[\x21-\x7e]{1,2048}\Z")

HINTS = {
    "invalid_client": "LWA did not accept the client id and client secret: the secret is wrong, or it has expired "
                      "(a secret expires 180 days after it was issued, and the old one 7 days after a rotation). "
                      "Copy the current client secret from Developer Central (Seller Central > Apps and Services > "
                      "Develop Apps > LWA credentials > View)",
    "invalid_grant": "LWA did not accept the refresh token: it is wrong, revoked, or belongs to another app. "
                     "Authorise the app again (Develop Apps > Authorize app) and use the new refresh token",
    "invalid_scope": "LWA refused the scope: the application may not request it (grantless operations need an "
                     "SP-API developer application)",
    "unauthorized_client": "this LWA client may not use this grant: check that the client id is the one of the "
                           "SP-API application",
    "invalid_request": "LWA found the request malformed (a missing, repeated or extra parameter); check lwa_endpoint "
                       "names the LWA token endpoint",
    "unsupported_grant_type": "LWA does not support this grant at this endpoint; check lwa_endpoint",
    "access_denied": "LWA denied the request: the application or its owner may be suspended",
    "server_error": "LWA had an internal error: try again later",
    "temporarily_unavailable": "LWA is temporarily unavailable: try again later",
}


class LwaError(SpapiError):
    """An LWA or SP-API call failed; the message explains it and never holds a secret or token."""

    def __init__(self, message, status=None, code=None, retry_after=None):
        super(LwaError, self).__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after


class Token:
    """An access token; repr never shows it."""

    def __init__(self, access_token, expires_in, grant):
        self.access_token = access_token
        self.expires_in = expires_in
        self.grant = grant

    def __repr__(self):
        return "<Token %s, %s s>" % (self.grant, self.expires_in)


# --- input rules --------------------------------------------------------------------------------

def check_client_id(value, option="client_id"):
    if not isinstance(value, str) or not CLIENT_ID.match(value):
        raise ValidationError(option, "must be an LWA client id (amzn1.application-oa2-client.<letters and digits>), "
                                      "as shown under LWA credentials in Developer Central")
    return value


def check_application_id(value, option="application_id"):
    if not isinstance(value, str) or not APPLICATION_ID.match(value):
        raise ValidationError(option, "must be an SP-API application id (amzn1.sp.solution.<id>), as shown in "
                                      "Developer Central")
    return value


def check_token_text(value, option, what):
    """A secret or token: printable, no whitespace (a pasted line break is the usual mistake). Never quoted."""
    if not isinstance(value, str) or not TOKEN_TEXT.match(value):
        raise ValidationError(option, "the %s must be 1-2048 printable characters without spaces or line breaks "
                                      "(its value is not shown)" % what)
    return value


def parse_time(value, option):
    """An ISO 8601 date or time (a date means midnight UTC; no zone means UTC), as an aware datetime."""
    if isinstance(value, datetime.datetime):
        when = value
    elif isinstance(value, datetime.date):
        when = datetime.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        try:
            when = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        except ValueError:
            raise ValidationError(option, "%r is not an ISO 8601 date or time (for example 2025-07-08 or "
                                          "2025-07-08T22:09:17Z)" % (text,))
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.astimezone(datetime.timezone.utc)


def iso(when):
    """The form the vault file keeps: UTC, seconds, a Z."""
    return when.astimezone(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def days_left(expires, now):
    """Whole days until expires (negative once past); None when unknown."""
    if expires is None:
        return None
    return int((expires - now).total_seconds() // 86400)


# --- the two grants -----------------------------------------------------------------------------

def token_form(client_id, client_secret, refresh_token=None, scope=None):
    """The form of a token request: the refresh-token grant, or the client-credentials grant with a scope.

    LWA refuses scope together with a refresh token, so the two are never mixed."""
    if refresh_token and scope:
        raise ValueError("a token request takes a refresh token or a scope, never both")
    if not refresh_token and not scope:
        raise ValueError("a token request needs a refresh token or a scope")
    if refresh_token:
        return [("grant_type", "refresh_token"), ("refresh_token", refresh_token),
                ("client_id", client_id), ("client_secret", client_secret)]
    return [("grant_type", "client_credentials"), ("scope", scope),
            ("client_id", client_id), ("client_secret", client_secret)]


def explain(status, code, what):
    """A message for a failed exchange: the operation, the status and LWA's code, and what to do."""
    hint = HINTS.get(code)
    if hint is None and status in (500, 502, 503, 504, 429):
        hint = "LWA is unavailable or throttling: try again later"
    if hint is None and status is None:
        hint = "check that lwa_endpoint (or %s) names a reachable LWA token endpoint" % LWA_ENDPOINT_ENV
    return "%s%s" % (what, ": " + hint if hint else "")


def exchange(http, endpoint, client_id, client_secret, refresh_token=None, scope=None):
    """Do one token exchange; return a Token or raise LwaError (with LWA's code) explaining the refusal."""
    grant = "refresh_token" if refresh_token else "client_credentials"
    what = "the LWA token exchange (%s grant%s)" % (grant, ", scope %s" % scope if scope else "")
    body = urllib.parse.urlencode(token_form(client_id, client_secret, refresh_token, scope)).encode("ascii")
    headers = {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8", "Accept": "application/json"}
    try:
        reply = http.request("POST", endpoint, what, headers=headers, body=body)
    except HttpError as exc:
        raise LwaError(explain(exc.status, exc.code, str(exc)), exc.status, exc.code, exc.retry_after)
    data = reply.json()
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str) or not data["access_token"]:
        raise LwaError("%s at %s: the reply (HTTP %d) holds no access token; check lwa_endpoint"
                       % (what, endpoint, reply.status), reply.status)
    return Token(data["access_token"], data.get("expires_in"), grant)


def prove(http, endpoint, client_id, client_secret, refresh_token=None):
    """Prove credentials as the collection does everywhere: the refresh-token grant when there is a
    refresh token, else a grantless client-credentials grant (scope notifications). Returns the grant."""
    scope = None if refresh_token else SCOPE_NOTIFICATIONS
    return exchange(http, endpoint, client_id, client_secret, refresh_token, scope).grant


def spapi_request(http, base, method, path, token, what, body=None, ok=(200,), retry=True):
    """One SP-API call with an access token in x-amz-access-token; JSON in and out."""
    headers = {"x-amz-access-token": token.access_token, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    try:
        return http.request(method, base + path, what, headers=headers, body=data, ok=ok, retry=retry)
    except HttpError as exc:
        raise LwaError(str(exc), exc.status, exc.code, exc.retry_after)
