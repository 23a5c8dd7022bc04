# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two notification queues as the rotation reads them, through task.aws.client("sqs").

A queue remembers the messages this run received and holds hidden, so that whatever happens
they are deleted (the vault holds their secret) or made visible again, never left hidden
longer than needed. Peeking (check mode) receives with VisibilityTimeout 0 and hides nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import call
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.rotate_plan import (
    NEW_SECRET,
    VISIBILITY_TIMEOUT,
    parse_message,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue import find_queue
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

MAX_BATCHES = 10  # a queue of notifications holds a handful; 100 messages bound a read
LONG_POLL = 20  # SQS's longest WaitTimeSeconds


class Queue:
    def __init__(self, sqs, url, name):
        self.sqs, self.url, self.name = sqs, url, name
        self.holding = {}  # MessageId -> Notification received hidden, not yet deleted or released
        self._arn = None

    @classmethod
    def open(cls, sqs, url, name, option):
        if url:
            return cls(sqs, url, url.rstrip("/").rsplit("/", 1)[-1])
        found = find_queue(sqs, name)
        if found is None:
            raise ValidationError(option, "there is no SQS queue %r in this account and region: create it with "
                                          "spapi.onboarding.notification_queue (or the lwa role's main entry "
                                          "point), or give the region where it is" % (name,))
        return cls(sqs, found, name)

    def arn(self):
        if self._arn is None:
            reply = call("read the ARN of SQS queue '%s'" % self.name, self.sqs.get_queue_attributes,
                         QueueUrl=self.url, AttributeNames=["QueueArn"])
            self._arn = reply["Attributes"]["QueueArn"]
        return self._arn

    def hidden_count(self):
        """Messages received by someone and not yet deleted: possibly a new secret a stopped run held."""
        reply = call("read the attributes of SQS queue '%s'" % self.name, self.sqs.get_queue_attributes,
                     QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
        return int(reply.get("Attributes", {}).get("ApproximateNumberOfMessagesNotVisible", 0))

    def receive(self, peek, wait=0):
        reply = call("receive messages from SQS queue '%s'" % self.name, self.sqs.receive_message,
                     QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=int(wait),
                     VisibilityTimeout=0 if peek else VISIBILITY_TIMEOUT)
        notifications = [parse_message(m) for m in reply.get("Messages") or []]
        if not peek:
            self.holding.update((n.message["MessageId"], n) for n in notifications)
        return notifications

    def read_all(self, peek):
        """Every message in the queue now (at most MAX_BATCHES receives), one Notification per message."""
        seen = {}
        for dummy in range(MAX_BATCHES):
            fresh = [n for n in self.receive(peek) if n.message["MessageId"] not in seen]
            if not fresh:
                break
            seen.update((n.message["MessageId"], n) for n in fresh)
        return list(seen.values())

    def _held(self, notifications):
        return [self.holding.pop(n.message["MessageId"]) for n in notifications
                if n.message["MessageId"] in self.holding]

    def release(self, notifications):
        """Visible again at once, for whoever they are for. (One call per message: a queue of notifications
        holds a handful, and the batch calls would need the same IAM actions under other names.)"""
        for notification in self._held(notifications):
            call("make a message of SQS queue '%s' visible again" % self.name, self.sqs.change_message_visibility,
                 QueueUrl=self.url, ReceiptHandle=notification.message["ReceiptHandle"], VisibilityTimeout=0)

    def release_all(self):
        self.release(list(self.holding.values()))

    def delete(self, notifications):
        """Deleted for good (after the vault holds the secret and LWA accepted it)."""
        for notification in self._held(notifications):
            call("delete a message from SQS queue '%s'" % self.name, self.sqs.delete_message,
                 QueueUrl=self.url, ReceiptHandle=notification.message["ReceiptHandle"])

    def wait_for(self, client_id, held_secrets, remaining, clock):
        """Long-poll until a new secret for client_id that the vault does not hold arrives: (it, spent ones),
        or None when remaining() runs out. Every other message is made visible again at once."""
        spent = []
        while True:
            left = remaining()
            batch = self.receive(False, wait=min(LONG_POLL, int(left)))
            ours = [n for n in batch if n.kind == NEW_SECRET and n.client_id == client_id]
            self.release([n for n in batch if n not in ours])
            new = [n for n in ours if n.secret not in held_secrets]
            spent.extend(n for n in ours if n.secret in held_secrets)
            if new:
                latest = max(new, key=lambda n: (n.expires is not None, n.expires))
                return latest, spent + [n for n in new if n is not latest]
            if remaining() < 1:
                return None
            if batch:  # only others' messages, visible again: do not spin on them
                clock.sleep(min(1.0, remaining()))
