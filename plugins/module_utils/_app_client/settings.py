# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seller Central's "Add new app client" form: the settings, their checks, and the document that holds them.

Pure: no I/O. Every check is made before anything is written, and every problem is reported at once,
each message naming the option (or, with a prefix, the role variable) and what it must be.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from urllib.parse import urlsplit

from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError

# SP-API seller roles Amazon documents; the default selects those open to every developer. Left out of
# the default, with why (the sheet says it): the Restricted roles (customers' personal data, Amazon's
# separate vetting) and Account Information Service Provider (regulated providers only).
DEFAULT_ROLES = [
    "Brand Analytics", "Product Listing", "Pricing", "Amazon Fulfillment", "Buyer Communication",
    "Buyer Solicitation", "Selling Partner Insights", "Finance and Accounting", "Inventory and Order Tracking",
    "Amazon Warehousing and Distribution",
]
_RESTRICTED = "restricted role with personal data; needs Amazon's approval"
LEFT_OUT_ROLES = [
    ("Account Information Service Provider", "regulated account-information service providers only"),
    ("Direct-to-Consumer Shipping (Restricted)", _RESTRICTED),
    ("Tax Invoicing (Restricted)", _RESTRICTED),
    ("Tax Remittance (Restricted)", _RESTRICTED),
]
KNOWN_ROLES = DEFAULT_ROLES + [name for name, _note in LEFT_OUT_ROLES]

# Amazon trademarks an app or listing name must not use: refused at the start of a word in any case
# ("amz sync") or anywhere in this spelling ("MyAMZApp"); "Dreamzone" passes.
TRADEMARKS = ["Amazon", "AMZ", "Alexa", "Kindle"]
_MARKS = "|".join(re.escape(mark) for mark in TRADEMARKS)
TRADEMARK = re.compile(r"(?i:(^|[^a-z0-9])(%s))|(%s)" % (_MARKS, _MARKS))
# Patterns end in \Z, not $: "$" also matches before a final line break.
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}\Z")
QUEUE_ARN = re.compile(r"arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}\Z")
# Text shown in the Markdown sheet: no control characters (a line break would add a line of its own),
# no backtick (it ends a code span), no angle brackets (HTML).
UNSAFE_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029`<>]")
# URIs are parsed only once none of these is in them.
URI_FORBIDDEN = re.compile("[\\s\x00-\x1f\x7f-\x9f\u2028\u2029`<>\"'\\\\{}|^\\[\\]]")

FIELDS = [("app_name", "App name"), ("api_type", "API Type"), ("iam_arn", "IAM ARN"),
          ("business_entities", "Business Entities Supported"), ("roles", "Roles"),
          ("oauth_login_uri", "OAuth Login URI"), ("oauth_redirect_uri", "OAuth Redirect URI")]
NOTIFICATION_ROWS = [("new_secret_queue_arn", "Application Client New Secret"),
                     ("secret_expiry_queue_arn", "Application Client Secret Expiry")]

# Steps only a person can do, in the order Seller Central asks for them.
DEVELOPER_REGISTRATION = [
    "Sign in to Seller Central with the account the developer profile belongs to; open Apps & Services > Develop Apps.",
    "Data Access: select \"My organization builds and offers publicly available applications\".",
    "Use Cases: select Selling Partner APIs only; say which data you need and how it helps the seller's business on "
    "Amazon.",
    "Security Controls: describe the controls that protect the synchronised data, show compliance with Amazon's data "
    "protection and acceptable use policies, and provide your incident response policy.",
    "Submit, then wait for the \"Your developer registration is under review\" banner to go; Amazon notifies you when "
    "the review is done.",
]
APP_LISTING = [
    "Seller Central navigation bar: Partner Network > Develop Apps.",
    "In the app client list, choose Authorise in the Action column of this app.",
    "Back in Developer Central, click View App listings, then Add App Listing.",
    "List your App: complete App information, Pricing and Details.",
    "Upload the images the form asks for, at exactly the dimensions it states.",
    "Listing name: no Amazon trademarks (for example \"AMZ\").",
    "Descriptions: none of the characters \" ' & < >.",
    "Click Save and submit. Amazon's review can take up to two weeks; after approval, publishing takes about two more "
    "weeks.",
]


class SettingsError(SpapiError):
    """The settings break the form's rules: every problem, in one message; option names the first one at fault."""

    def __init__(self, found):
        super(SettingsError, self).__init__("; ".join(found))
        self.problems = found
        self.option = found[0].split(":", 1)[0]


def role_list(value):
    """The roles as a list: "Pricing" (a string, as -e gives it) is one role, "Pricing, Brand Analytics" two."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(role) for role in value]


def _shown(value):
    return json.dumps(value)


def _unique(values):
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _bad_uri(uri):
    if URI_FORBIDDEN.search(uri):
        return True
    try:
        parts = urlsplit(uri)
        return parts.scheme != "https" or not parts.hostname or "@" in parts.netloc
    except ValueError:
        return True


def problems(settings, prefix=""):
    """Every problem of the settings (dict with the module's option names), each message naming prefix + option."""
    name, arn, roles = settings["name"], settings["role_arn"], settings["roles"]
    found = []

    def say(option, rule):
        found.append("%s%s: %s" % (prefix, option, rule))

    if not name.strip():
        say("name", "must not be empty")
    if TRADEMARK.search(name):
        say("name", "must not use an Amazon trademark (%s), got %s" % (", ".join(TRADEMARKS), _shown(name)))
    if not arn:
        say("role_arn", "required; run the spapi.onboarding.iam role first (it sets iam_role_arn) or give the IAM "
                        "role ARN")
    elif not ROLE_ARN.match(arn):
        say("role_arn", "must be an IAM role ARN (arn:<partition>:iam::<account>:role/[path/]<name>, no wildcards), "
                        "got %s" % _shown(arn))
    queues = [settings[option] for option, _row in NOTIFICATION_ROWS if settings[option]]
    bad_queues = [queue for queue in queues if not QUEUE_ARN.match(queue)]
    if bad_queues:
        found.append("%s: must be standard SQS queue ARNs (arn:<partition>:sqs:<region>:<account>:<name>), got %s" % (
            ", ".join(prefix + option for option, _row in NOTIFICATION_ROWS), _shown(bad_queues)))
    if not roles:
        say("roles", "must list at least one role")
    unknown = _unique(role for role in roles if role not in KNOWN_ROLES)
    if unknown and not settings["allow_unknown_roles"]:
        say("roles", "unknown role(s) %s; known roles are %s (set %sallow_unknown_roles=true for a role Amazon added "
                     "since)" % (", ".join(unknown), ", ".join(KNOWN_ROLES), prefix))
    if UNSAFE_TEXT.search(name):
        say("name", "must not contain control characters (such as a line break) nor the characters ` < >, which would "
                    "break the sheet; got %s" % _shown(name))
    unsafe_roles = [role for role in roles if UNSAFE_TEXT.search(role)]
    if unsafe_roles:
        say("roles", "role names must not contain control characters (such as a line break) nor the characters "
                     "` < >; got %s" % _shown(unsafe_roles))
    for option in ("oauth_login_uri", "oauth_redirect_uri"):
        if _bad_uri(settings[option]):
            say(option, "must be an https:// URI with a host name, without spaces, control characters, quotes, "
                        "backticks, brackets or angle brackets; got %s" % _shown(settings[option]))
    stem = settings.get("file_stem", "app-client")
    if stem in ("", ".", "..") or "/" in stem or "\0" in stem:
        say("file_stem", "must be a file name without a directory, got %s" % _shown(stem))
    return found


def check(settings, prefix=""):
    """Raise SettingsError with every problem of the settings, before anything is written."""
    found = problems(settings, prefix)
    if found:
        raise SettingsError(found)


def document(settings):
    """What the machine-readable file holds; its app_client part is the role's app_client_settings."""
    values = {"app_name": settings["name"], "api_type": "SP API", "iam_arn": settings["role_arn"],
              "business_entities": ["Sellers"], "roles": settings["roles"],
              "oauth_login_uri": settings["oauth_login_uri"], "oauth_redirect_uri": settings["oauth_redirect_uri"]}
    return {
        "form": "Add new app client",
        "app_client": dict((key, values[key]) for key, _label in FIELDS),
        "labels": dict(FIELDS),
        "notification_preferences": [{"row": row, "queue_arn": settings[option]}
                                     for option, row in NOTIFICATION_ROWS if settings[option]],
        "checklists": {"developer_registration": list(DEVELOPER_REGISTRATION), "app_listing": list(APP_LISTING)},
    }
