#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: notification_queue
short_description: Ensure an SQS queue that SP-API can deliver notifications to
version_added: 0.2.0
description:
  - Creates, updates or deletes a standard SQS queue whose policy lets the Selling Partner API's sender account
    send messages to it. Amazon delivers a rotated LWA client secret (notification
    C(APPLICATION_OAUTH_CLIENT_NEW_SECRET)) and secret expiry warnings (C(APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY))
    only to queues registered in the Developer Console under Notification Preferences; paste RV(queue.arn) there.
  - The queue policy holds one statement of the collection, found again by its C(Sid) C(SpApiNotificationsSender),
    allowing exactly O(sender_account) C(sqs:SendMessage) and C(sqs:GetQueueAttributes) on exactly this queue.
  - Other statements someone added to the policy are kept, unless they name everyone (C(*)) as principal, use
    C(NotPrincipal), or have a resource other than exactly this queue's ARN; those are removed, with a warning
    naming their C(Sid) and why. The policy therefore never opens the queue to everyone.
  - The queue carries every new LWA client secret, so an C(Allow) statement for a principal outside this account
    and O(sender_account) (another account, a service) is removed too, with a warning naming the principals,
    unless O(keep_principals) lists them. This account's statements and C(Deny) statements are kept.
  - Converges the message retention period, the KMS key, the dead-letter queue and the tags. A converged run
    makes two read calls (three when O(tags) is set) and no write.
  - A name ending in C(.fifo) is refused before any AWS call, since SP-API delivers only to standard queues.
options:
  name:
    description: Name of the queue (1-80 letters, digits, hyphens or underscores; not a C(.fifo) name).
    type: str
    required: true
  sender_account:
    description: The AWS account SP-API sends notifications from. Amazon documents V(437568002678).
    type: str
    default: "437568002678"
  message_retention_seconds:
    description:
      - How long SQS keeps a message, 60 to 1209600 seconds. The default, 14 days, is SQS's maximum, so that a
        new client secret waits long enough for the next rotation run (the old secret stops working 7 days after
        a rotation).
    type: int
    default: 1209600
  kms_master_key_id:
    description:
      - KMS key (ID, alias or ARN) that encrypts the queue. Not set leaves the queue's encryption alone; V('')
        removes the key.
      - A customer managed key gets a warning, because its key policy must allow O(sender_account)
        C(kms:GenerateDataKey) and C(kms:Decrypt) (this module does not change key policies). The AWS managed key
        C(alias/aws/sqs) cannot allow another account, so SP-API could not send to the queue.
    type: str
  dead_letter_queue:
    description: Where messages go after too many failed receives. Not set leaves the redrive policy alone.
    type: dict
    suboptions:
      arn:
        description: ARN of a standard SQS queue. V('') removes the redrive policy.
        type: str
        required: true
      max_receive_count:
        description: Receives after which a message moves to the dead-letter queue (1-1000).
        type: int
        default: 5
  keep_principals:
    description:
      - Principals outside this account and O(sender_account) whose C(Allow) statements in the queue policy are kept,
        as 12-digit account ids (every principal of that account), IAM principal ARNs, or AWS service principals
        such as V(sns.amazonaws.com). Wildcards are refused.
      - Any other account's grant is removed, since it could read every new LWA client secret from the queue.
    type: list
    elements: str
    default: []
  tags:
    description: Tags of the queue, as a dictionary. When not set, tags are left alone (and not read).
    type: dict
  purge_tags:
    description: Remove tags that are not in O(tags). Has no effect when O(tags) is not set.
    type: bool
    default: true
  state:
    description: Whether the queue should exist. V(absent) deletes it with any messages in it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - spapi.onboarding.aws
  - spapi.onboarding.aws.resource
notes:
  - SQS allows no new queue with the name of a queue deleted less than 60 seconds ago.
  - The operator needs C(sqs:GetQueueUrl), C(sqs:GetQueueAttributes), C(sqs:CreateQueue),
    C(sqs:SetQueueAttributes), C(sqs:ListQueueTags), C(sqs:TagQueue), C(sqs:UntagQueue), C(sqs:DeleteQueue),
    and C(sts:GetCallerIdentity) to predict the ARN of a new queue (see the operator policy in C(docs/guide.md)).
seealso:
  - module: spapi.onboarding.lwa_export
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Queue for "Application Client New Secret"
  spapi.onboarding.notification_queue:
    name: sp-api-lwa-new-secret
    tags:
      purpose: sp-api
  register: new_secret_queue

- name: Queue for "Application Client Secret Expiry", with a dead-letter queue
  spapi.onboarding.notification_queue:
    name: sp-api-lwa-secret-expiry
    dead_letter_queue:
      arn: arn:aws:sqs:us-east-1:123456789012:sp-api-dlq
      max_receive_count: 5

- name: Keep the grant that lets the monitoring account read the queue's attributes (other accounts' are removed)
  spapi.onboarding.notification_queue:
    name: sp-api-lwa-secret-expiry
    keep_principals:
      - "210987654321"

- name: Paste this ARN into Notification Preferences
  ansible.builtin.debug:
    msg: "{{ new_secret_queue.queue.arn }}"

- name: Remove the queue
  spapi.onboarding.notification_queue:
    name: sp-api-lwa-new-secret
    state: absent
"""

RETURN = r"""
queue:
  description: The queue as it is (or, in check mode, would be) after the task. Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    url:
      description: URL of the queue, predicted from the endpoint, account and name in check mode.
      type: str
      sample: https://sqs.us-east-1.amazonaws.com/123456789012/sp-api-lwa-new-secret
    arn:
      description: ARN of the queue, predicted from the account, partition and region in check mode.
      type: str
      sample: arn:aws:sqs:us-east-1:123456789012:sp-api-lwa-new-secret
    name:
      description: Name of the queue.
      type: str
      sample: sp-api-lwa-new-secret
    policy:
      description: The queue policy.
      type: dict
      sample: {"Version": "2012-10-17", "Statement": [{"Sid": "SpApiNotificationsSender", "Effect": "Allow",
               "Principal": {"AWS": "arn:aws:iam::437568002678:root"},
               "Action": ["sqs:GetQueueAttributes", "sqs:SendMessage"],
               "Resource": "arn:aws:sqs:us-east-1:123456789012:sp-api-lwa-new-secret"}]}
created:
  description: Whether the queue was (or, in check mode, would be) created.
  returned: when O(state=present)
  type: bool
actions:
  description: What the task changed, or would change in check mode, in words.
  returned: always
  type: list
  elements: str
  sample: ["create queue sp-api-lwa-new-secret"]
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue import (
    DEFAULT_RETENTION,
    ensure_notification_queue,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue_policy import SP_API_SENDER_ACCOUNT
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import run_module

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    sender_account=dict(type="str", default=SP_API_SENDER_ACCOUNT),
    message_retention_seconds=dict(type="int", default=DEFAULT_RETENTION),
    kms_master_key_id=dict(type="str"),
    dead_letter_queue=dict(type="dict", options=dict(
        arn=dict(type="str", required=True),
        max_receive_count=dict(type="int", default=5),
    )),
    keep_principals=dict(type="list", elements="str", default=[]),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    run_module(ARGUMENT_SPEC, ensure_notification_queue)


if __name__ == "__main__":
    main()
