# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SQS messages of the two LWA notification queues, read as hostile input.

Anyone allowed sqs:SendMessage on a queue can put a message shaped like Amazon's there, so a
message is information to verify, never proof (DESIGN.md, invariant 11). Every message is
parsed inside its own guard: a body too large, nested too deep, not JSON, with a date out of
range, or with any other surprise becomes a Notification with a `problem` (set aside by the
rotation) instead of an exception that would stop the run on every run. Dates are what the
message may claim at most: a publishTime later than SQS's SentTimestamp (or now) counts as
that, and an expiry never lies more than 180 days after the message was sent.

Pure: no I/O. Nothing here puts a secret or a body into a message or a repr.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import re

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import parse_time
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import SECRET_LIFETIME

NEW_SECRET = "APPLICATION_OAUTH_CLIENT_NEW_SECRET"
SECRET_EXPIRY = "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY"
# Amazon's notifications are about 1 KB and 4 levels deep: anything far beyond is not one of them.
MAX_BODY_CHARS = 32 * 1024
MAX_DEPTH = 16
OLD_SECRET_GRACE = datetime.timedelta(days=7)
# Dates outside these years are refused, so that no arithmetic on them can overflow.
EARLIEST, LATEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc), \
    datetime.datetime(3000, 1, 1, tzinfo=datetime.timezone.utc)
# A client secret from a message: printable ASCII without spaces, of a sane length (Amazon's are ~80).
SECRET_TEXT = re.compile(r"[\x21-\x7e]{1,512}\Z")
# The SQS SenderId (an IAM unique id, an account id, or id:session): echoed only when it looks like one.
SENDER = re.compile(r"[A-Za-z0-9:._@+=,-]{1,128}\Z")
NAME = re.compile(r"[A-Za-z0-9_.:-]{1,128}\Z")


class Unreadable(Exception):
    """Why a message is set aside; its text is fixed wording, never a piece of the body."""


class Notification:
    """One message read from a queue; repr never shows the secret.

    problem is None for a well-formed notification of one of the two kinds; otherwise it says why the
    message is set aside. sent is when it was sent, at the latest (never in the future)."""

    def __init__(self, message_id, receipt=None, sender=None, kind=None, client_id=None, secret=None,
                 expires=None, old_expires=None, sent=None, problem=None):
        self.message_id, self.receipt, self.sender = message_id, receipt, sender
        self.kind, self.client_id, self.secret = kind, client_id, secret
        self.expires, self.old_expires, self.sent = expires, old_expires, sent
        self.problem = problem

    def __repr__(self):
        aside = ", set aside: %s" % self.problem if self.problem else ""
        return "<Notification %s %s for %s%s>" % (self.message_id, self.kind, self.client_id, aside)

    def about(self, client_id, kind):
        """Whether this is a well-formed notification of this kind for this client id."""
        return self.problem is None and self.kind == kind and self.client_id == client_id

    def who(self):
        """What a report may say about it: ids, never the secret."""
        return {"message_id": self.message_id, "client_id": self.client_id, "sender": self.sender}


def too_deep(text, limit=MAX_DEPTH):
    """Whether JSON text nests arrays/objects deeper than limit (checked before json.loads can recurse)."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _when(value, what):
    """An aware datetime within EARLIEST..LATEST, None when absent; Unreadable otherwise."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise Unreadable("%s is not a date" % what)
    try:
        when = parse_time(value, what)
    except Exception:  # pylint: disable=broad-exception-caught
        raise Unreadable("%s is not an ISO 8601 date" % what)
    if not EARLIEST <= when < LATEST:
        raise Unreadable("%s is out of range" % what)
    return when


def _sent_at(meta, body, attributes, now):
    """The latest time the message can have been sent: publishTime (or eventTime), never later than SQS's
    SentTimestamp or now. A message cannot make itself newer than it is."""
    claimed = _when(meta.get("publishTime"), "publishTime") or _when(body.get("eventTime"), "eventTime")
    limits = [claimed] if claimed else []
    stamp = attributes.get("SentTimestamp")
    if isinstance(stamp, str) and stamp.isdigit() and len(stamp) <= 15:
        limits.append(datetime.datetime.fromtimestamp(int(stamp) / 1000.0, datetime.timezone.utc))
    if now is not None:
        limits.append(now)
    return min(limits) if limits else None


def _capped(when, sent, most):
    """when, but never later than sent + most (a message cannot promise more than that); sent + most when
    the message does not say."""
    if sent is None:
        return when
    limit = sent + most
    return limit if when is None or when > limit else when


def _read(text, attributes, now):
    """(kind, client_id, secret, expires, old_expires, sent) of a body; Unreadable when it is none of ours."""
    if not isinstance(text, str) or not text:
        raise Unreadable("empty body")
    if len(text) > MAX_BODY_CHARS:
        raise Unreadable("larger than %d characters" % MAX_BODY_CHARS)
    if too_deep(text):
        raise Unreadable("nested deeper than %d levels" % MAX_DEPTH)
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        raise Unreadable("not JSON")
    if not isinstance(body, dict) or not isinstance(body.get("payload"), dict):
        raise Unreadable("not an SP-API notification")
    kind = body.get("notificationType")
    if kind not in (NEW_SECRET, SECRET_EXPIRY):
        raise Unreadable("another notification type" if isinstance(kind, str) else "no notificationType")
    inner = body["payload"].get("applicationOAuthClientNewSecret" if kind == NEW_SECRET
                                else "applicationOAuthClientSecretExpiry")
    if not isinstance(inner, dict):
        raise Unreadable("no %s payload" % kind)
    client_id = inner.get("clientId")
    if not isinstance(client_id, str) or not NAME.match(client_id):
        raise Unreadable("no client id")
    meta = body.get("notificationMetadata")
    sent = _sent_at(meta if isinstance(meta, dict) else {}, body, attributes, now)
    if kind == SECRET_EXPIRY:
        expires = _when(inner.get("clientSecretExpiryTime"), "clientSecretExpiryTime")
        if expires is None:
            raise Unreadable("no clientSecretExpiryTime")
        # The secret it speaks of was issued before the message: it cannot live past sent + 180 days.
        return kind, client_id, None, _capped(expires, sent, SECRET_LIFETIME), None, sent
    secret = inner.get("newClientSecret")
    if not isinstance(secret, str) or not SECRET_TEXT.match(secret):
        raise Unreadable("no usable newClientSecret")
    expires = _capped(_when(inner.get("newClientSecretExpiryTime"), "newClientSecretExpiryTime"), sent, SECRET_LIFETIME)
    old = _capped(_when(inner.get("oldClientSecretExpiryTime"), "oldClientSecretExpiryTime"), sent, OLD_SECRET_GRACE)
    return kind, client_id, secret, expires, old, sent


def parse_message(message, now=None):
    """A Notification for an SQS message (MessageId, ReceiptHandle, Body, Attributes); never raises.

    now (an aware datetime) bounds every date the message claims; None leaves publishTime as it is."""
    message = message if isinstance(message, dict) else {}
    attributes = message.get("Attributes") if isinstance(message.get("Attributes"), dict) else {}
    sender = attributes.get("SenderId")
    found = Notification(message.get("MessageId"), message.get("ReceiptHandle"),
                         sender if isinstance(sender, str) and SENDER.match(sender) else None)
    try:
        (found.kind, found.client_id, found.secret, found.expires, found.old_expires,
         found.sent) = _read(message.get("Body"), attributes, now)
    except Unreadable as exc:
        found.problem = str(exc)
    except Exception:  # pylint: disable=broad-exception-caught
        # The guard: whatever a body provokes (RecursionError, OverflowError, MemoryError of a parser...)
        # sets this one message aside and the run goes on.
        found.problem = "unreadable"
    return found
