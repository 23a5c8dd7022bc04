# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The LWA vault file's content, planned without I/O: what lwa_credentials writes, what lwa_check reads.

Pure functions over plain dicts, so that every rule (what is kept, what changes, what a diff
may show) is unit-tested from tables.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import (
    LWA_VAULT_KEYS,
    SECRET_KEYS,
    check_application_id,
    check_client_id,
    check_endpoint,
    check_token_text,
    days_left,
    iso,
    parse_time,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.fingerprints import KEYS as FINGERPRINT_KEYS

# No client secret lives longer (Amazon's rule since 2023); an upper bound on every expiry.
SECRET_LIFETIME = datetime.timedelta(days=180)
# The keys a change of which is a change (updated only records when one happened).
# The fingerprints follow the secrets (kept and extended at every write): never a change of their own.
COMPARED_KEYS = tuple(k for k in LWA_VAULT_KEYS if k not in ("updated",) + FINGERPRINT_KEYS)


def validate_credentials_params(params):
    """Every rule of lwa_credentials' options, before the vault file is read and before any exchange."""
    if params.get("state", "present") == "present":
        for option in ("client_id", "client_secret"):
            if not params.get(option):
                raise ValidationError(option, "is required with state=present")
    if params.get("client_id"):
        check_client_id(params["client_id"])
    if params.get("client_secret") is not None:
        check_token_text(params["client_secret"], "client_secret", "client secret")
    if params.get("refresh_token"):  # "" removes the vaulted refresh token
        check_token_text(params["refresh_token"], "refresh_token", "refresh token")
    if params.get("application_id"):
        check_application_id(params["application_id"])
    if params.get("client_secret_expires"):
        parse_time(params["client_secret_expires"], "client_secret_expires")
    if params.get("lwa_endpoint"):
        check_endpoint(params["lwa_endpoint"], "lwa_endpoint")


def _text(value):
    return None if value is None else str(value)


def plan_store(current, params, now):
    """The collection's keys after storing params over the vaulted ones (current, {} when none).

    Left unset, refresh_token and application_id keep the vaulted values of the same client id
    ("" removes them); client_secret_expires keeps the vaulted expiry while the secret is the same,
    and is unknown (None) for a new secret. The previous secret stays while the client id is the same.
    Returns (desired, changed_keys); updated moves only when a compared key changes."""
    current = dict((k, _text(current.get(k))) for k in LWA_VAULT_KEYS if k in (current or {}))
    same_app = current.get("lwa_client_id") == params["client_id"]
    same_secret = same_app and current.get("lwa_client_secret") == params["client_secret"]

    def kept(option, key):
        value = params.get(option)
        if value is None:
            return current.get(key) if same_app else None
        return str(value) or None

    expires = params.get("client_secret_expires")
    desired = {
        "lwa_client_id": str(params["client_id"]),
        "lwa_client_secret": str(params["client_secret"]),
        "lwa_client_secret_expires": iso(parse_time(expires, "client_secret_expires")) if expires
        else (current.get("lwa_client_secret_expires") if same_secret else None),
        "lwa_previous_client_secret": current.get("lwa_previous_client_secret") if same_app else None,
        "lwa_previous_client_secret_expires": current.get("lwa_previous_client_secret_expires") if same_app else None,
        "lwa_refresh_token": kept("refresh_token", "lwa_refresh_token"),
        "lwa_application_id": kept("application_id", "lwa_application_id"),
    }
    changed = [k for k in COMPARED_KEYS if desired.get(k) != current.get(k)]
    desired["updated"] = iso(now) if changed else current.get("updated")
    return desired, changed


def redacted(data):
    """A view of the collection's keys for a diff: secrets as a placeholder, never their values."""
    if not data:
        return {}
    view = {}
    for key in LWA_VAULT_KEYS:
        if key not in data:
            continue
        value = data[key]
        view[key] = ("<secret>" if value else None) if key in SECRET_KEYS else _text(value)
    return view


def store_diff(current, desired, path):
    """before/after for diff mode: which keys change; a changed secret shows as a new placeholder."""
    before, after = redacted(current), redacted(desired)
    for key in SECRET_KEYS:
        if desired and desired.get(key) and current and current.get(key) and desired[key] != current[key]:
            after[key] = "<new secret>"
    return {"before": before, "after": after, "before_header": path, "after_header": path}


class NoCredentials(SpapiError):
    """The LWA vault holds no credentials to use; the message says how to store them."""


def vaulted_credentials(data, path):
    """The credentials a vault file holds (every lwa_* key, as text), or NoCredentials saying what is missing."""
    if data is None:
        raise NoCredentials("the LWA vault file %s does not exist: store the credentials first with "
                            "spapi.onboarding.lwa_credentials (or playbooks/lwa_store.yml)" % path)
    missing = [k for k in ("lwa_client_id", "lwa_client_secret") if not data.get(k)]
    if missing:
        raise NoCredentials("the vault file %s holds no %s: store the credentials with "
                            "spapi.onboarding.lwa_credentials" % (path, " and no ".join(missing)))
    return dict((k, _text(data.get(k))) for k in LWA_VAULT_KEYS)


def expiry_bound(updated_text):
    """The latest the vaulted client secret can expire: 180 days after the vault file was last updated (it
    held the secret by then, and no secret lives longer). None when the vault file does not say."""
    if not updated_text:
        return None
    try:
        return parse_time(updated_text, "updated") + SECRET_LIFETIME
    except (ValidationError, OverflowError):
        return None


def effective_expiry(expires_text, updated_text):
    """(expires, told, bound): what the secret is judged by, the earlier of what the vault file was told
    (lwa_client_secret_expires) and what it knows (expiry_bound). Each None when unknown."""
    try:
        told = parse_time(expires_text, "lwa_client_secret_expires") if expires_text else None
    except ValidationError:
        told = None
    bound = expiry_bound(updated_text)
    known = [when for when in (told, bound) if when is not None]
    return (min(known) if known else None), told, bound


def expiry_report(expires_text, now, min_days_left, vaulted_at=None):
    """(expires, days_left, problem, warning) for the vaulted expiry; problem fails lwa_check.

    Judged by the earlier of the vaulted expiry and 180 days after vaulted_at (the vault file's updated),
    so that an expiry that was recorded too late (a forged notification) cannot hide a secret about to lapse."""
    expires, told, dummy = effective_expiry(expires_text, vaulted_at)
    warning = None
    if expires_text and told is None:
        warning = "the vault file's lwa_client_secret_expires is not an ISO 8601 time; ignored"
    elif told is None:
        warning = ("the vault file does not say when the client secret expires: lwa_check cannot warn before it does. "
                   "Set client_secret_expires with lwa_credentials (Developer Central shows it), or let the rotation "
                   "record it")
    elif expires < told:
        warning = ("the vault file says the client secret expires %s, later than it can live: the vault file already "
                   "held it at its last update (%s) and no secret lives more than 180 days, so it expires by %s at "
                   "the latest, and is judged by that (a forged expiry notification may have recorded the later "
                   "date). Rotate it, or store the expiry Developer Central shows with lwa_credentials"
                   % (iso(told), vaulted_at, iso(expires)))
    if expires is None:
        return None, None, None, warning
    left = days_left(expires, now)
    problem = None
    if left < min_days_left:
        problem = ("the LWA client secret %s%s (%s): fewer than min_days_left=%d days. Rotate it now "
                   "(playbooks/lwa_rotate.yml, or spapi.onboarding.lwa_rotate with force: true)"
                   % ("expired %d days ago" % -left if left < 0 else "expires in %d days" % left,
                      " at the latest" if expires != told else "", iso(expires), min_days_left))
    if told is None:  # still unknown, as the result says; only a certain lapse fails
        warning += " (it expires by %s at the latest: 180 days after the vault file was updated)" % iso(expires)
        return None, None, problem, warning
    return iso(expires), left, problem, warning
