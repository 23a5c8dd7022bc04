# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The new-secret queue's dead-letter queue, where a pending new secret may have gone (DESIGN.md, invariants 1, 11).

Every receive counts toward the queue's maxReceiveCount: check-mode peeks included, and runs that stopped
because LWA could not judge a candidate and made it visible again. After a few of those a real new secret
moves to the dead-letter queue, and Amazon retires the old secret 7 days after the rotation. So step 1 of
the rotation looks there too, when the queue has a redrive policy (no call at all otherwise), with the same
guards as in the queue: each message parsed in its own guard, LWA's proof before trusting, dates capped. A
secret LWA accepts is adopted and its message deleted once the vault holds it. Everything else is left
there as it was: made visible again at once, never deleted, never set aside again (the dead-letter queue is
where the operator looks at what no run could use).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import effective_expiry
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation import plan
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.sqs import Queue

# A standard queue's dead-letter queue is a standard queue of the same account and region (SQS's rule).
DEAD_LETTER_ARN = re.compile(r"arn:[a-z0-9-]+:sqs:[a-z0-9-]+:(\d{12}):([A-Za-z0-9_-]{1,80})\Z")
NOT_JUDGED = "wait_timeout ran out before LWA judged every new secret in it"


class DeadLetterQueue(Queue):
    """Read like the queue (paged, hidden while the run decides), but nothing is set aside here: whatever the
    run does not adopt is made visible again at once."""

    # Read by every daily run: a short poll that brings nothing ends the read (one call). SQS's short poll
    # samples its servers, so it may miss a message once; the next run looks again, days before it matters.
    EMPTY_AT_FIRST_LOOK = True
    dead_letter = True

    def set_aside(self, notifications):
        self.release(notifications)


def dead_letter_url(queue_url, redrive_policy):
    """The URL of the dead-letter queue a RedrivePolicy names; None when there is none (or it is not one SQS
    would accept). It is in the queue's account and region, so its URL is the queue's with the ARN's account
    and name: no GetQueueUrl."""
    try:
        target = json.loads(redrive_policy).get("deadLetterTargetArn") if redrive_policy else None
    except (ValueError, TypeError, AttributeError):
        return None
    found = DEAD_LETTER_ARN.match(target) if isinstance(target, str) else None
    if found is None:
        return None
    return "%s/%s/%s" % (queue_url.rstrip("/").rsplit("/", 2)[0], found.group(1), found.group(2))


def open_dead_letter(queue):
    """The DeadLetterQueue of queue (a Queue), None when it has no redrive policy."""
    url = dead_letter_url(queue.url, queue.redrive_policy())
    if url is None:
        return None
    dead = DeadLetterQueue(queue.sqs, url, url.rsplit("/", 1)[-1], queue.now)
    dead.before_write = queue.before_write
    return dead


def newer_than_vaulted(candidates, current):
    """(newer, older) among candidates. A rotation's new secret always outlives the one it replaces, so a
    secret that expires no later than the vaulted one is an older rotation's: LWA still accepts it for up to
    7 days after the newer rotation, and adopting it would put an older secret back. The dead-letter queue
    keeps such messages (nothing there is deleted unless adopted). When the vault does not say when its
    secret expires, every candidate counts as newer."""
    dummy, told, dummy = effective_expiry(current.get("lwa_client_secret_expires"), current.get("updated"))
    if told is None:
        return list(candidates), []
    older = [n for n in candidates if n.expires is None or n.expires <= told]
    return [n for n in candidates if n not in older], older


def first_accepted(dead, judge, current, check, remaining, warn):
    """(notification, grant) of a new secret waiting in the dead-letter queue that LWA accepts, else None.

    What it does not return is visible again in the dead-letter queue (the candidates after an accepted one
    are released by the caller, after it deleted the adopted message). A dead-letter queue that cannot be
    read or judged whole is reported, and stops nothing: what waits there for days is junk as often as not,
    and a rotation made now supersedes an older secret it may hold."""
    try:
        found = dead.read_all(check, remaining)
    except AwsFailure as exc:
        try:
            dead.release_all()
        except AwsFailure:
            pass  # they come back by themselves after the visibility timeout
        warn(plan.dead_letter_unreadable(dead.name, exc))
        return None
    candidates, spent, others = plan.sort_new_secrets(found, current["lwa_client_id"], current)
    candidates, older = newer_than_vaulted(candidates, current)
    dead.set_aside(spent + older + others)
    accepted = judge.first_accepted(dead, candidates, current)
    if not dead.complete or judge.unjudged:
        warn(plan.dead_letter_unread(dead.name, len(found), dead.unread_reason or NOT_JUDGED))
    return accepted
