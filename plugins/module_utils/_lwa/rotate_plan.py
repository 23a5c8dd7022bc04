# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LWA client-secret rotation, planned without I/O: which notifications to adopt, keep or leave,
whether to rotate, what the vault file becomes, and the messages of every way it can stop.

The executor (_lwa_rotate_run.py) reads the queues and the vault file, asks this module what to
do, and does it. Everything here is a pure function over plain values, tested from tables.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import re

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import (
    check_endpoint,
    days_left,
    iso,
    parse_time,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import COMPARED_KEYS
from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue import QUEUE_NAME
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

NEW_SECRET = "APPLICATION_OAUTH_CLIENT_NEW_SECRET"
SECRET_EXPIRY = "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY"
ROTATE_PATH = "/applications/2023-11-30/clientSecret"
RATE_INTERVAL = 60  # rotateApplicationClientSecret: 0.0167 requests per second, burst 1
OLD_SECRET_GRACE_DAYS = 7
# How long a received notification stays hidden from other readers while a run vaults and proves
# it. A run killed meanwhile leaves it hidden this long at most, then any run sees it again.
VISIBILITY_TIMEOUT = 60
MAX_WAIT_TIMEOUT = 3600  # the grantless token lives one hour
QUEUE_URL = re.compile(r"https?://[^\s/?#]+/\d{12}/[A-Za-z0-9_-]{1,80}\Z")
CONSOLE_ROW = ('Developer Console (Seller Central > Apps and Services > Develop Apps > Notification Preferences), '
               'row "Application Client New Secret"')


class Notification:
    """One notification read from a queue; repr never shows the secret."""

    def __init__(self, message, kind=None, client_id=None, secret=None, expires=None, old_expires=None, sent=None):
        self.message = message  # the SQS message: MessageId, ReceiptHandle
        self.kind = kind
        self.client_id = client_id
        self.secret = secret
        self.expires = expires
        self.old_expires = old_expires
        self.sent = sent

    def __repr__(self):
        return "<Notification %s %s for %s>" % (self.message.get("MessageId"), self.kind, self.client_id)


def validate_rotate_params(params):
    """Every rule of lwa_rotate's options, before the vault file is read and before any call."""
    for url_option, name_option, required in (("queue_url", "queue_name", True),
                                              ("expiry_queue_url", "expiry_queue_name", False)):
        url, name = params.get(url_option), params.get(name_option)
        if url and name:
            raise ValidationError(url_option, "give %s or %s, not both" % (url_option, name_option))
        if required and not (url or name):
            raise ValidationError(name_option, "give the queue of the %s, row \"Application Client New Secret\": "
                                               "%s or %s" % (CONSOLE_ROW.split(" (", maxsplit=1)[0], name_option, url_option))
        if url and not QUEUE_URL.match(url):
            raise ValidationError(url_option, "%r is not an SQS queue URL (https://sqs.<region>.amazonaws.com/"
                                              "<account>/<name>)" % (url,))
        if name and (name.endswith(".fifo") or not QUEUE_NAME.match(name)):
            raise ValidationError(name_option, "%r is not the name of a standard SQS queue (1-80 letters, digits, "
                                               "hyphens or underscores; SP-API never delivers to FIFO queues)" % (name,))
    if params.get("days_before_expiry", 0) < 0:
        raise ValidationError("days_before_expiry", "must be zero or more days, got %s" % params["days_before_expiry"])
    if not 1 <= params.get("wait_timeout", 1) <= MAX_WAIT_TIMEOUT:
        raise ValidationError("wait_timeout", "must be between 1 and %d seconds (it bounds the whole run, waits for "
                                              "the rate limit included), got %s" % (MAX_WAIT_TIMEOUT, params["wait_timeout"]))
    for option in ("lwa_endpoint", "spapi_endpoint"):
        if params.get(option):
            check_endpoint(params[option], option)


# --- reading notifications ---------------------------------------------------------------------

def _time(value):
    try:
        return parse_time(value, "notification") if value else None
    except ValidationError:
        return None


def parse_message(message):
    """A Notification for an SQS message; kind None when it is not a notification this module reads."""
    try:
        body = json.loads(message.get("Body") or "")
    except ValueError:
        return Notification(message)
    if not isinstance(body, dict) or not isinstance(body.get("payload"), dict):
        return Notification(message)
    payload, meta = body["payload"], body.get("notificationMetadata") or {}
    sent = _time(meta.get("publishTime") if isinstance(meta, dict) else None) or _time(body.get("eventTime"))
    kind = body.get("notificationType")
    if kind == NEW_SECRET and isinstance(payload.get("applicationOAuthClientNewSecret"), dict):
        inner = payload["applicationOAuthClientNewSecret"]
        if isinstance(inner.get("newClientSecret"), str) and inner["newClientSecret"]:
            return Notification(message, kind, inner.get("clientId"), inner["newClientSecret"],
                                _time(inner.get("newClientSecretExpiryTime")),
                                _time(inner.get("oldClientSecretExpiryTime")), sent)
    if kind == SECRET_EXPIRY and isinstance(payload.get("applicationOAuthClientSecretExpiry"), dict):
        inner = payload["applicationOAuthClientSecretExpiry"]
        expires = _time(inner.get("clientSecretExpiryTime"))
        if expires is not None:
            return Notification(message, kind, inner.get("clientId"), None, expires, None, sent)
    return Notification(message)


def _latest(notifications, key):
    floor = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    return max(notifications, key=lambda n: (key(n) or floor, n.sent or floor)) if notifications else None


def sort_new_secrets(notifications, client_id, vaulted_secret, previous_secret=None):
    """(adopt, spent, foreign) among what the new-secret queue holds.

    adopt: the newest new secret for this client id that the vault does not hold (None if none);
    spent: this client id's other new-secret notifications (duplicates of the vaulted or previous
    secret, or superseded by adopt), deleted once the vault holds the current secret;
    foreign: everything else (another client id, another kind), made visible again at once."""
    ours = [n for n in notifications if n.kind == NEW_SECRET and n.client_id == client_id]
    foreign = [n for n in notifications if n not in ours]
    held = set(s for s in (vaulted_secret, previous_secret) if s)
    adopt = _latest([n for n in ours if n.secret not in held], lambda n: n.expires)
    spent = [n for n in ours if n is not adopt]
    return adopt, spent, foreign


def sort_expiry(notifications, client_id, vaulted_at):
    """(expiry, read, foreign) among what the expiry queue holds: expiry is the one the latest notification
    for this client id sent after the current secret was vaulted gives (None when none); older ones are
    stale. read (all of this client id's) are deleted; foreign ones are made visible again at once."""
    ours = [n for n in notifications if n.kind == SECRET_EXPIRY and n.client_id == client_id]
    foreign = [n for n in notifications if n not in ours]
    fresh = [n for n in ours if vaulted_at is None or n.sent is None or n.sent >= vaulted_at]
    latest = _latest(fresh, lambda n: n.sent)
    return (latest.expires if latest else None), ours, foreign


# --- deciding -----------------------------------------------------------------------------------

def decide(expires, now, force, days_before_expiry):
    """(rotate, why): whether step 4 rotates, and the reason said in the result."""
    if force:
        return True, "force=true"
    if expires is None:
        return False, ("the vault file does not say when the client secret expires, so it is not rotated: give "
                       "expiry_queue_name (the queue of the row \"Application Client Secret Expiry\"), set "
                       "client_secret_expires with lwa_credentials, or rotate now with force=true")
    left = days_left(expires, now)
    if left >= days_before_expiry:
        return False, ("the client secret expires in %d days (%s), not within days_before_expiry=%d"
                       % (left, iso(expires), days_before_expiry))
    return True, "the client secret expires in %d days (%s), within days_before_expiry=%d" % (
        left, iso(expires), days_before_expiry)


def vault_with_secret(current, notification, now):
    """The collection's keys once a new secret is vaulted: the vaulted one becomes the previous secret,
    with the expiry Amazon gave it (7 days after the rotation)."""
    desired = dict(current)
    old_expires = notification.old_expires or (now + datetime.timedelta(days=OLD_SECRET_GRACE_DAYS))
    desired.update(lwa_client_secret=notification.secret,
                   lwa_client_secret_expires=iso(notification.expires) if notification.expires else None,
                   lwa_previous_client_secret=current.get("lwa_client_secret"),
                   lwa_previous_client_secret_expires=iso(old_expires), updated=iso(now))
    return desired


def vault_with_expiry(current, expires, now):
    """The collection's keys with the expiry an expiry notification gave; None when nothing changes."""
    if current.get("lwa_client_secret_expires") == iso(expires):
        return None
    return dict(current, lwa_client_secret_expires=iso(expires), updated=iso(now))


def changed_keys(current, desired):
    return [k for k in COMPARED_KEYS if (desired or {}).get(k) != (current or {}).get(k)]


# --- messages of the ways a run stops -------------------------------------------------------------

def not_enrolled(queue_arn):
    return ("SP-API refused the rotation (HTTP 400 InvalidInput): the application is not enrolled for rotation "
            "notification, so Amazon has nowhere to send the new secret. In the %s, paste the queue ARN %s, save, "
            "then run the rotation again. Nothing was rotated and the vault file is untouched"
            % (CONSOLE_ROW, queue_arn))


def rate_limited(wait, remaining):
    return ("SP-API's rotation limit (one call a minute) answered HTTP 429 and asks to wait %d seconds, more than "
            "the %d seconds left of wait_timeout. Nothing was rotated and the vault file is untouched: run the "
            "rotation again in a minute" % (wait, remaining))


def no_notification(queue, old_expires, uncertain=None):
    asked = ("the rotation was requested (HTTP 204)" if uncertain is None else
             "the rotation call failed (%s), so it may or may not have been made" % uncertain)
    return ("%s, but no APPLICATION_OAUTH_CLIENT_NEW_SECRET notification for this client id arrived in the queue "
            "%s within wait_timeout. The new secret waits in the queue (for the queue's retention period) and "
            "running the rotation again adopts it without rotating again; the vaulted secret keeps working %s. "
            "If nothing arrives, check that the %s names this queue"
            % (asked, queue, "until %s" % old_expires if old_expires else "for 7 days after the rotation",
               CONSOLE_ROW))


def messages_in_flight(count, queue):
    return ("%d message(s) of the queue %s are hidden: another run is reading them, or a run stopped (killed or "
            "timed out) while it held them. They may hold a new secret, so no rotation is requested now (one more "
            "would replace it). They are visible again within %d seconds: run the rotation again then, and it "
            "adopts the secret. The vaulted secret is unchanged" % (count, queue, VISIBILITY_TIMEOUT))


def vault_unwritable(error):
    return ("%s. The new secret was left in the queue, visible, for the next run: make the vault file writable and "
            "run the rotation again, which adopts it without rotating again" % (error,))
