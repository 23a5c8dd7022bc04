#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: notification_destination
short_description: Register an SQS queue as an SP-API notifications destination
version_added: 0.2.0
description:
  - Ensures that the SQS queue O(queue_arn) is an SP-API notifications destination of the application whose LWA
    credentials are in the LWA vault file, with the grantless C(createDestination) of the Notifications API (a token of
    scope C(sellingpartnerapi::notifications)).
  - The destination is found again by C(getDestinations), by its queue ARN, so a re-run creates nothing. SP-API
    cannot rename a destination; a different O(name) is reported in a warning and the destination is kept.
  - O(state=absent) deletes the destination of O(queue_arn) (or, without it, the one named O(name)).
  - The rotation notifications (C(Application Client New Secret), C(Application Client Secret Expiry)) are not
    subscribed this way; they are set by hand in the Developer Console (see M(spapi.onboarding.lwa_rotate)). This
    module is for the application's other notifications, which a seller's authorisation then subscribes to.
  - The queue's policy must let SP-API send to it (M(spapi.onboarding.notification_queue) makes such a queue).
  - Runs on the controller, through its action plugin, because it reads the vault file. Never returns a secret or
    a token.
options:
  name:
    description:
      - Name of the destination (1-256 characters). Required with O(state=present).
    type: str
  queue_arn:
    description:
      - ARN of the standard SQS queue (C(arn:aws:sqs:<region>:<account>:<name>)). Required with O(state=present).
    type: str
  state:
    description:
      - V(present) registers the queue; V(absent) deletes its destination.
    type: str
    choices: [present, absent]
    default: present
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
    description: Reads the destinations and predicts the change without making it.
  diff_mode:
    support: none
    description: No diff is shown.
  platform:
    support: full
    platforms: all
    description: Runs on the controller.
notes:
  - Needs the vault secret of the LWA vault file (C(--vault-id) or C(--vault-password-file)).
seealso:
  - module: spapi.onboarding.notification_queue
  - module: spapi.onboarding.lwa_credentials
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: A queue for the application's notifications
  spapi.onboarding.notification_queue:
    name: sp-api-notifications
  register: queue

- name: Registered as an SP-API notifications destination
  spapi.onboarding.notification_destination:
    name: sp-api-notifications
    queue_arn: "{{ queue.queue.arn }}"
  register: destination
"""

RETURN = r"""
destination_id:
  description: The destination id (what C(createSubscription) takes); V(null) when there is none.
  returned: always
  type: str
  sample: 3acafc7e-121b-1329-8ae8-000000000000
destination:
  description: The destination as SP-API returns it (C(destinationId), C(name), C(resource)); empty when none.
  returned: always
  type: dict
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import LWA_ARGUMENT_SPEC, SPAPI_ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import refuse_outside_controller

ARGUMENT_SPEC = dict(
    LWA_ARGUMENT_SPEC,
    name=dict(type="str"),
    queue_arn=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    **SPAPI_ARGUMENT_SPEC
)


def main():
    refuse_outside_controller(ARGUMENT_SPEC, "notification_destination")


if __name__ == "__main__":
    main()
