# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LWA client-secret rotation, planned without I/O: which notifications are candidates, spent or set aside,
whether to rotate, what the vault file becomes, and the messages of every way it can stop.

The executor (rotate_run.py) reads the queues and the vault file, asks this module what to do, and does
it. Everything here is a pure function over plain values, tested from tables. Nothing read from a queue
is trusted (DESIGN.md, invariant 11): a new secret is only a candidate until LWA accepts it, and dates
from messages can bring the vaulted expiry earlier, never later.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import (
    check_endpoint,
    days_left,
    iso,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.fingerprints import held
# Re-exported: the names the tests and the executor know the notifications by.
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.messages import (  # noqa: F401 pylint: disable=unused-import
    NEW_SECRET,
    SECRET_LIFETIME,
    SECRET_EXPIRY,
    Notification,
    parse_message,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import COMPARED_KEYS, effective_expiry
from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue import QUEUE_NAME
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

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


# --- sorting what the queues hold ------------------------------------------------------------------

def _newest_first(notifications):
    floor = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
    return sorted(notifications, key=lambda n: (n.sent or floor, n.expires or floor), reverse=True)


def sort_new_secrets(notifications, client_id, current):
    """(candidates, spent, others) among what the new-secret queue holds.

    candidates: this client id's new secrets that the vault (current: its content) does not hold and has
    not held, newest first: each is vaulted only once LWA accepts it; spent: this client id's notifications
    of a secret the vault holds or held (duplicates, stale), deleted once the vault holds the current secret;
    others: everything else (another client id, another kind, unreadable), set aside."""
    ours = [n for n in notifications if n.about(client_id, NEW_SECRET)]
    others = [n for n in notifications if n not in ours]
    spent = [n for n in ours if held(current, n.secret)]
    return _newest_first([n for n in ours if n not in spent]), spent, others


def superseded(candidates, adopted):
    """The candidates a proven newer secret makes useless: those sent no later than it (an older rotation's,
    or a forgery dated back). Later ones were tried first and refused: they are set aside, not deleted."""
    def older(n):
        return n.sent is None or adopted.sent is None or n.sent <= adopted.sent
    return [n for n in candidates if n is not adopted and older(n)]


def sort_expiry(notifications, client_id, vaulted_at):
    """(expiry, read, others) among what the expiry queue holds: expiry is the earliest one this client id's
    notifications sent after the current secret was vaulted give (None when none); older ones are stale.
    read (all of this client id's) are deleted; others are set aside. The earliest, not the latest: a
    notification can only bring the expiry earlier, so a forged later one hides nothing."""
    ours = [n for n in notifications if n.about(client_id, SECRET_EXPIRY)]
    others = [n for n in notifications if n not in ours]
    fresh = [n.expires for n in ours if vaulted_at is None or n.sent is None or n.sent >= vaulted_at]
    return (min(fresh) if fresh else None), ours, others


# --- deciding -----------------------------------------------------------------------------------

def decide(expires, now, force, days_before_expiry, bounded=False):
    """(rotate, why): whether step 4 rotates, and the reason said in the result.

    expires: the earlier of the vaulted expiry and the latest the secret can live (effective_expiry);
    bounded: it is that latest time, the vault file's own expiry being later or unknown."""
    if force:
        return True, "force=true"
    if expires is None:
        return False, ("the vault file does not say when the client secret expires, so it is not rotated: give "
                       "expiry_queue_name (the queue of the row \"Application Client Secret Expiry\"), set "
                       "client_secret_expires with lwa_credentials, or rotate now with force=true")
    left = days_left(expires, now)
    said = "the client secret expires %s%d days (%s%s)" % (
        "at the latest in " if bounded else "in ", left, iso(expires),
        ": 180 days after the vault file was last updated" if bounded else "")
    if left >= days_before_expiry:
        if bounded:
            return False, ("the vault file does not say when the client secret expires, so it is not rotated (%s, "
                           "not within days_before_expiry=%d): give expiry_queue_name, set client_secret_expires "
                           "with lwa_credentials, or rotate now with force=true" % (said, days_before_expiry))
        return False, "%s, not within days_before_expiry=%d" % (said, days_before_expiry)
    return True, "%s, within days_before_expiry=%d" % (said, days_before_expiry)


def judged_expiry(current):
    """(expires, bounded) for decide(): what the vaulted secret is judged by (store.effective_expiry)."""
    expires, told, dummy = effective_expiry(current.get("lwa_client_secret_expires"), current.get("updated"))
    return expires, expires is not None and (told is None or expires < told)


def vault_with_secret(current, notification, now):
    """The collection's keys once a proven new secret is vaulted: the vaulted one becomes the previous secret,
    with the expiry Amazon gave it (7 days after the rotation). Both expiries are what the message says, but
    never later than it can be (messages.py caps them from the time it was sent, and it was sent by now)."""
    desired = dict(current)
    old_expires = min(notification.old_expires or now + datetime.timedelta(days=OLD_SECRET_GRACE_DAYS),
                      now + datetime.timedelta(days=OLD_SECRET_GRACE_DAYS))
    expires = min(notification.expires or now + SECRET_LIFETIME, now + SECRET_LIFETIME)
    desired.update(lwa_client_secret=notification.secret, lwa_client_secret_expires=iso(expires),
                   lwa_previous_client_secret=current.get("lwa_client_secret"),
                   lwa_previous_client_secret_expires=iso(old_expires), updated=iso(now))
    return desired


def vault_with_expiry(current, expires, now):
    """The collection's keys with the expiry an expiry notification gave; None when nothing changes.

    A notification can only bring the expiry earlier than what the vault file says (or, when it says
    nothing, than 180 days after it was last updated): a later one changes nothing."""
    known, dummy = judged_expiry(current)
    if known is not None and expires >= known:
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


def no_notification(queue, old_expires, uncertain=None, refused=0):
    asked = ("the rotation was requested (HTTP 204)" if uncertain is None else
             "the rotation call failed (%s), so it may or may not have been made" % uncertain)
    arrived = ("no APPLICATION_OAUTH_CLIENT_NEW_SECRET notification for this client id arrived" if not refused else
               "no new secret that LWA accepts arrived (it refused %d that did: see the warnings; each was set aside, "
               "and is tried again by the next run)" % refused)
    return ("%s, but %s in the queue %s within wait_timeout. The new secret waits in the queue (for the queue's "
            "retention period) and running the rotation again adopts it without rotating again; the vaulted secret "
            "keeps working %s. If nothing arrives, check that the %s names this queue"
            % (asked, arrived, queue, "until %s" % old_expires if old_expires else "for 7 days after the rotation",
               CONSOLE_ROW))


def messages_in_flight(count, queue):
    return ("%d message(s) of the queue %s are hidden: another run is reading them, a run set them aside (messages it "
            "could not use) or stopped (killed or timed out) while it held them. They may hold a new secret, so no "
            "rotation is requested now (one more would replace it). They are visible again within %d seconds: run "
            "the rotation again then, and it adopts the secret. The vaulted secret is unchanged"
            % (count, queue, VISIBILITY_TIMEOUT))


def unread_messages(queue, read, why):
    return ("not every message of the queue %s was read and judged (%d read; %s). A new secret may wait among the "
            "others, so no rotation is requested now (one more would replace it); the vaulted secret is unchanged. "
            "Run the rotation again with a longer wait_timeout; give the queue a dead-letter queue "
            "(notification_queue's dead_letter_queue) so that messages no run can use move out of it, and look "
            "at what fills it"
            % (queue, read, why))


def proof_failed(error, rotated=False):
    return ("%s. LWA could not judge the new secret read from the queue, so it was not vaulted: its message was made "
            "visible again, and running the rotation again adopts it %s. The vaulted secret is unchanged"
            % (error, "without rotating again" if rotated else "once LWA accepts it"))


def refused_warning(notification, queue, dead_letter=False):
    who = notification.who()
    where = ("the dead-letter queue %s" % queue if dead_letter else "the queue %s" % queue)
    kept = ("left there, visible, for you to look at: the rotation never deletes it (delete it yourself once you "
            "know who sent it)" if dead_letter else
            "set aside (visible again in %d seconds; moved to the queue's dead-letter queue after its "
            "maxReceiveCount)" % VISIBILITY_TIMEOUT)
    return ("LWA refused the new client secret of message %s in %s (client id %s, sent by %s): it was not vaulted, "
            "the vaulted secret is unchanged, and the message was %s. A message that LWA refuses was not sent by "
            "Amazon, or not for this secret: anyone allowed sqs:SendMessage on the queue can send one. Check the "
            "queue's policy, and who the sender is"
            % (who["message_id"], where, who["client_id"], who["sender"] or "an unknown sender", kept))


def dead_letter_unread(queue, read, why):
    return ("not every message of the dead-letter queue %s was read and judged (%d read; %s): a new secret waiting "
            "there may not have been seen by this run. Nothing was deleted there; the next run looks again. Look at "
            "what fills it, delete what no run can use, or give the rotation a longer wait_timeout"
            % (queue, read, why))


def dead_letter_unreadable(queue, error):
    return ("%s. The dead-letter queue %s (named by the RedrivePolicy of the new-secret queue) was not read, so a new "
            "secret waiting there was not looked for: allow sqs:ReceiveMessage and sqs:ChangeMessageVisibility on it, "
            "or create it again (the lwa role's lwa_dead_letter_queue_name)" % (error, queue))


def vault_unwritable(error):
    return ("%s. The new secret was left in the queue, visible, for the next run: make the vault file writable and "
            "run the rotation again, which adopts it without rotating again" % (error,))
