#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: lwa_rotate
short_description: Rotate an SP-API application's LWA client secret end to end, safe to run every day
version_added: 0.2.0
description:
  - Amazon requires the LWA client secret of every SP-API application to be rotated every 180 days; once it lapses,
    every integration using the application stops. The new secret is delivered asynchronously, as an
    C(APPLICATION_OAUTH_CLIENT_NEW_SECRET) notification, to the SQS queue registered in the Developer Console
    (Notification Preferences, row C(Application Client New Secret)); the old secret keeps working for 7 days.
  - 'Every run, forced or not, does in this order: (1) reads the whole queue O(queue_name) (paged, within
    O(wait_timeout)) for a new secret for the vaulted client id that the vault file does not hold, left by a run that
    stopped or timed out, and adopts it once LWA accepts it (a duplicate of the vaulted secret is deleted and is no
    change); (2) when O(expiry_queue_name) is given, reads the C(APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY) notifications
    for the client id and records in the vault file the earliest expiry those sent after the current secret was
    vaulted give, when it is earlier than the vaulted one (older ones are stale; read ones are deleted); (3) unless
    O(force), stops when the secret expires later than O(days_before_expiry) days from now, or when its expiry is
    unknown (and says so); (4) gets a grantless token (scope C(sellingpartnerapi::client_credential:rotation)), calls
    C(rotateApplicationClientSecret), long-polls the queue for the notification, proves the new secret with a token
    exchange, writes the vault file (the new secret and its expiry, the old one as C(lwa_previous_client_secret) with
    its 7-day expiry), and only then deletes the message.'
  - A new secret is never lost. The message is deleted only once the vault file holds the secret and LWA accepted it;
    when anything fails, the messages the run holds are made visible again at once, and a re-run adopts the secret
    without rotating again.
  - 'Nothing read from a queue is trusted, since anyone allowed C(sqs:SendMessage) on it can send a message shaped like
    Amazon''s. A new secret LWA refuses is never vaulted and never demotes the vaulted one: it is reported (result
    RV(refused) and a warning naming the message id and the SQS sender) and set aside. Dates from messages can bring
    the vaulted expiry earlier, never later (a new secret lives at most 180 days from its message''s C(publishTime), a
    C(publishTime) in the future counts as now). Each message is parsed on its own, with size and depth limits: one
    that does not parse, names another client id or another notification type is set aside and the run goes on.
    Set aside means left in the queue, hidden for 60 seconds, then visible again and, once received more often than
    the queue''s C(maxReceiveCount), moved to its dead-letter queue. When not every message of the new-secret queue
    could be read and judged within O(wait_timeout), no rotation is requested.'
  - 'Step (1) also looks in the queue''s dead-letter queue when the queue has a redrive policy (the
    C(deadLetterTargetArn) of its C(RedrivePolicy); no option to set). Every receive counts toward the queue''s
    C(maxReceiveCount), check-mode peeks and runs that stopped because LWA could not judge a secret included, so a real
    new secret can move there. One found there for the client id, expiring later than the vaulted one (an older
    rotation''s is never put back), that LWA accepts is adopted like one from the queue, and its message is deleted once
    the vault file holds it. Everything else there is left as it was, visible: never deleted, never hidden. An empty
    dead-letter queue costs one C(ReceiveMessage) (the policy comes with a C(GetQueueAttributes) the run makes anyway);
    a queue without a redrive policy, no call. A dead-letter queue that cannot be read, or not whole within
    O(wait_timeout), is reported in a warning and holds nothing back.'
  - A run that stopped while holding messages (killed, for example) leaves them hidden for 60 seconds at most. A run
    that finds hidden messages in the queue does not request a rotation, because they may hold a new secret; it fails
    saying to re-run a minute later.
  - SP-API allows one rotation call a minute. An HTTP 429 is waited out (C(Retry-After), else 60 seconds) within
    O(wait_timeout); when the wait does not fit, nothing is rotated and the task says to re-run. HTTP 400 (the
    application is not enrolled for rotation notification) names the Developer Console setting and the queue ARN to
    paste; nothing is rotated. A server error or a lost reply of the rotation call is not retried (the rotation may
    have been made); the run waits for the notification all the same.
  - Check mode reads the queues without hiding any message (C(VisibilityTimeout) 0) and says whether the run would
    adopt, rotate or do nothing. Diff mode shows which keys of the vault file change, never their values.
  - Runs on the controller, through its action plugin, because only the controller has the vault secret. Writes
    hold the lock file C(<vault_file>.lock), so that a concurrent rotation or M(spapi.onboarding.lwa_credentials) of
    the same vault file waits its turn. Never returns, prints or logs a secret or a token.
options:
  queue_name:
    description:
      - Name of the SQS queue registered in the Developer Console, row C(Application Client New Secret), in the
        account and region of the AWS options.
      - One of O(queue_name) and O(queue_url) is required.
    type: str
  queue_url:
    description:
      - URL of that queue, instead of O(queue_name).
    type: str
  expiry_queue_name:
    description:
      - Name of the SQS queue registered in the Developer Console, row C(Application Client Secret Expiry).
      - When neither this nor O(expiry_queue_url) is given, the expiry comes from the vault file only.
    type: str
  expiry_queue_url:
    description:
      - URL of that queue, instead of O(expiry_queue_name).
    type: str
  force:
    description:
      - Rotate even when the secret is not expiring. A new secret adopted from the queue, or a vaulted secret whose
        notification was still in the queue, counts as the rotation asked for.
    type: bool
    default: false
  days_before_expiry:
    description:
      - Rotate when the secret expires in fewer than this many whole days.
    type: int
    default: 30
  wait_timeout:
    description:
      - Seconds the whole run may take, waits for the rate limit and for the notification included (1-3600).
    type: int
    default: 300
extends_documentation_fragment:
  - spapi.onboarding.lwa
  - spapi.onboarding.lwa.spapi
  - spapi.onboarding.aws
  - spapi.onboarding.vault_store
attributes:
  action:
    support: full
    description: Runs on the controller through an action plugin of the same name.
  async:
    support: none
    description: Cannot run asynchronously.
  check_mode:
    support: full
    description: Reads the queues without hiding or deleting messages, writes nothing, calls no rotation.
  diff_mode:
    support: full
    description: Shows the vault file's keys that change, secrets as placeholders.
  platform:
    support: full
    platforms: all
    description: Runs on the controller.
notes:
  - Needs the vault secret of the LWA vault file (C(--vault-id) or C(--vault-password-file)).
  - The AWS identity needs C(sqs:GetQueueUrl), C(sqs:GetQueueAttributes), C(sqs:ReceiveMessage),
    C(sqs:ChangeMessageVisibility) and C(sqs:DeleteMessage) on the queues.
  - Not callable by sandbox applications (Amazon's rule).
seealso:
  - module: spapi.onboarding.lwa_credentials
  - module: spapi.onboarding.lwa_check
  - module: spapi.onboarding.notification_queue
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Rotate the LWA client secret when it expires within 30 days (run daily)
  spapi.onboarding.lwa_rotate:
    vault_file: spapi-onboarding/lwa.vault.yml
    queue_name: sp-api-application-client-new-secret
    expiry_queue_name: sp-api-application-client-secret-expiry
  register: rotation

- name: Rotate now, whatever the expiry
  spapi.onboarding.lwa_rotate:
    queue_name: sp-api-application-client-new-secret
    force: true
"""

RETURN = r"""
action:
  description:
    - V(rotated), V(adopted) (a new secret waiting in the queue was vaulted), V(none); in check mode V(rotate),
      V(adopt) or V(none), what a run would do.
  returned: always
  type: str
  sample: rotated
rotated:
  description: Whether this run rotated the secret.
  returned: always
  type: bool
adopted:
  description: Whether this run vaulted a new secret that was waiting in the queue, without rotating.
  returned: always
  type: bool
rotation_requested:
  description: Whether SP-API accepted a rotation call in this run (HTTP 204), even if its notification did not arrive.
  returned: when a rotation was called
  type: bool
reason:
  description: Why the run rotated, adopted or did nothing.
  returned: success
  type: str
client_id:
  description: The vaulted LWA client id.
  returned: when the vault file could be read
  type: str
client_secret_expires:
  description: When the vaulted client secret expires (ISO 8601, UTC), V(null) when unknown.
  returned: when the vault file could be read
  type: str
  sample: "2026-07-08T22:09:17Z"
days_left:
  description: Whole days until the vaulted client secret expires, V(null) when unknown.
  returned: when the vault file could be read
  type: int
previous_client_secret_expires:
  description: When the previous client secret (the one before the last rotation) stops working.
  returned: when the vault file could be read
  type: str
  sample: "2026-01-15T22:09:17Z"
expiry_learned:
  description: The expiry the expiry notifications of this run gave, when it was earlier than the vaulted one.
  returned: when one was recorded
  type: str
read:
  description: How many messages of the new-secret queue this run read.
  returned: when the queue was read
  type: int
refused:
  description:
    - The new secrets read from the queues that LWA refused (never vaulted), each with its C(message_id),
      C(client_id) and C(sender) (the SQS C(SenderId) of the message).
  returned: always
  type: list
  elements: dict
set_aside:
  description:
    - How many messages this run set aside (not a notification for this client id, unreadable, or refused by LWA),
      left in the queue and visible again after 60 seconds.
  returned: always
  type: int
proven:
  description: The token grants with which the new secret was proven.
  returned: when a secret was rotated or adopted
  type: list
  elements: str
vault_file:
  description: Absolute path of the vault file.
  returned: always
  type: str
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import LWA_ARGUMENT_SPEC, SPAPI_ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import refuse_outside_controller

ARGUMENT_SPEC = dict(
    LWA_ARGUMENT_SPEC,
    queue_name=dict(type="str"),
    queue_url=dict(type="str"),
    expiry_queue_name=dict(type="str"),
    expiry_queue_url=dict(type="str"),
    force=dict(type="bool", default=False),
    days_before_expiry=dict(type="int", default=30),
    wait_timeout=dict(type="int", default=300),
    **SPAPI_ARGUMENT_SPEC
)
CONSTRAINTS = dict(mutually_exclusive=[("queue_name", "queue_url"), ("expiry_queue_name", "expiry_queue_url")],
                   required_one_of=[("queue_name", "queue_url")])


def main():
    refuse_outside_controller(ARGUMENT_SPEC, "lwa_rotate", **CONSTRAINTS)


if __name__ == "__main__":
    main()
