# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two notification queues as the rotation reads them, through task.aws.client("sqs").

A queue remembers the messages this run received and holds hidden, so that whatever happens
they are deleted (the vault holds their secret), made visible again (the run failed: the next
one adopts them) or set aside. Set aside means left alone: hidden until their visibility timeout
ends, then visible again, and moved to the queue's dead-letter queue once received more often
than its maxReceiveCount. That is what happens to what no run can use (unreadable, another client
id, a secret LWA refuses): reading the whole queue pages past them instead of meeting them again.
Peeking (check mode) receives with VisibilityTimeout 0 and hides nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import call
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.messages import parse_message
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.plan import VISIBILITY_TIMEOUT
from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue import find_queue
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

# A whole read stops here (a queue of notifications holds a handful; more is a flood): what is left
# unread keeps the run from requesting a rotation.
MAX_MESSAGES = 10000
MAX_PEEKS = 10  # check mode cannot page (it hides nothing): it looks at this many batches
LONG_POLL = 20  # SQS's longest WaitTimeSeconds
# SenderId names who sent a message (reported for a refused secret); SentTimestamp bounds its claimed dates.
ATTRIBUTES = ["SenderId", "SentTimestamp"]


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def _nothing():
    """The default before_write: a queue used alone locks nothing."""


class Queue:
    # Whether one short poll that brings nothing ends a read (dead_letter.py); else the queue's count is asked.
    EMPTY_AT_FIRST_LOOK = False
    dead_letter = False  # the new-secret queue's dead-letter queue (dead_letter.py): nothing is set aside there

    def __init__(self, sqs, url, name, now=_utcnow):
        self.sqs, self.url, self.name, self.now = sqs, url, name, now
        self.holding = {}  # MessageId -> Notification received hidden, not yet deleted, released or set aside
        # Called before the first delete: a run holds the vault's lock from its first write on (lwa_rotate).
        self.before_write = _nothing
        self.set_aside_count = 0
        self.complete = True  # whether the last read_all read every message
        self.unread_reason = None
        self._arn = None
        self._redrive = None  # the queue's RedrivePolicy (JSON text), read along with the first attribute read
        self._redrive_read = False

    @classmethod
    def open(cls, sqs, url, name, option, now=_utcnow):
        if url:
            return cls(sqs, url, url.rstrip("/").rsplit("/", 1)[-1], now)
        found = find_queue(sqs, name)
        if found is None:
            raise ValidationError(option, "there is no SQS queue %r in this account and region: create it with "
                                          "spapi.onboarding.notification_queue (or the lwa role's main entry "
                                          "point), or give the region where it is" % (name,))
        return cls(sqs, found, name, now)

    def _attribute(self, name, what):
        names = [name] if self._redrive_read or name == "RedrivePolicy" else [name, "RedrivePolicy"]
        reply = call("read the %s of SQS queue '%s'" % (what, self.name), self.sqs.get_queue_attributes,
                     QueueUrl=self.url, AttributeNames=names)
        attributes = reply.get("Attributes") or {}
        if not self._redrive_read:
            # Asked for with the first attribute the run reads anyway: the dead-letter queue costs no call of its own.
            self._redrive, self._redrive_read = attributes.get("RedrivePolicy"), True
        return attributes.get(name)

    def redrive_policy(self):
        """The queue's RedrivePolicy (JSON text naming its dead-letter queue), None when it has none."""
        if not self._redrive_read:
            self._attribute("RedrivePolicy", "redrive policy")
        return self._redrive

    def arn(self):
        if self._arn is None:
            self._arn = self._attribute("QueueArn", "ARN")
        return self._arn

    def hidden_count(self):
        """Messages received by someone and not yet deleted: possibly a new secret a stopped run held."""
        return int(self._attribute("ApproximateNumberOfMessagesNotVisible", "attributes") or 0)

    def visible_count(self):
        return int(self._attribute("ApproximateNumberOfMessages", "attributes") or 0)

    def receive(self, peek, wait=0):
        """One ReceiveMessage: a Notification per message, each parsed in its own guard (messages.py)."""
        reply = call("receive messages from SQS queue '%s'" % self.name, self.sqs.receive_message,
                     QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=int(wait), AttributeNames=ATTRIBUTES,
                     VisibilityTimeout=0 if peek else VISIBILITY_TIMEOUT)
        now = self.now()
        notifications = [parse_message(m, now) for m in reply.get("Messages") or []]
        if not peek:
            self.holding.update((n.message_id, n) for n in notifications)
        return notifications

    def read_all(self, peek, remaining):
        """Every message in the queue now, one Notification each, paged until a receive brings nothing new.

        Bounded by remaining() (the run's wait_timeout) and MAX_MESSAGES; self.complete says whether the
        read got to the end. Check mode peeks at MAX_PEEKS batches, complete when that is all the queue holds."""
        seen, wait = {}, 0
        self.complete, self.unread_reason = False, None
        for dummy in range(MAX_PEEKS if peek else MAX_MESSAGES):
            if remaining() <= 0 or len(seen) >= MAX_MESSAGES:
                break
            batch = self.receive(peek, wait)
            fresh = [n for n in batch if n.message_id not in seen]
            seen.update((n.message_id, n) for n in fresh)
            if fresh:
                wait = 0
                continue
            if not seen and self.EMPTY_AT_FIRST_LOOK:
                self.complete = True
            elif peek:  # the same messages again: peeking cannot page further
                self.complete = self.visible_count() <= len(seen)
            elif batch or wait:  # back after their timeout, or a long poll found nothing: all were read
                self.complete = True
            elif self.visible_count() == 0:
                self.complete = True
            else:  # short polls ask some of SQS's servers; a long poll asks all of them
                wait = max(1, min(2, int(remaining())))
                continue
            break
        if not self.complete:
            self.unread_reason = ("check mode peeks without hiding, so it cannot page" if peek else
                                  "wait_timeout ran out" if remaining() <= 0 else
                                  "it holds more than %d messages" % MAX_MESSAGES)
        return list(seen.values())

    def _held(self, notifications):
        return [self.holding.pop(n.message_id) for n in notifications if n.message_id in self.holding]

    def set_aside(self, notifications):
        """Left alone: hidden until their visibility timeout ends, then visible again (and, past the queue's
        maxReceiveCount, in its dead-letter queue). Never deleted: a secret LWA refuses now may be accepted later."""
        self.set_aside_count += len(self._held(notifications))

    def release(self, notifications):
        """Visible again at once (the run failed while holding them: the next run uses them). One call per
        message: the batch calls would need the same IAM actions under other names."""
        for notification in self._held(notifications):
            call("make a message of SQS queue '%s' visible again" % self.name, self.sqs.change_message_visibility,
                 QueueUrl=self.url, ReceiptHandle=notification.receipt, VisibilityTimeout=0)

    def release_all(self):
        self.release(list(self.holding.values()))

    def delete(self, notifications):
        """Deleted for good (after the vault holds the secret and LWA accepted it)."""
        held = list(self._held(notifications))
        if held:
            self.before_write()
        for notification in held:
            call("delete a message from SQS queue '%s'" % self.name, self.sqs.delete_message,
                 QueueUrl=self.url, ReceiptHandle=notification.receipt)
