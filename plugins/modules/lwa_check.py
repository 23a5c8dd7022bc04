#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: lwa_check
short_description: Prove the vaulted LWA credentials with a live token exchange and report when the secret expires
version_added: 0.2.0
description:
  - Read-only. Decrypts the LWA vault file in memory (see M(spapi.onboarding.lwa_credentials)) and proves the
    credentials with a live token exchange at the LWA token endpoint, with the refresh-token grant when a refresh
    token is vaulted, else a grantless client-credentials grant with the scope C(sellingpartnerapi::notifications).
  - Reports the days until the client secret expires, and fails when fewer than O(min_days_left) are left, so that a
    scheduled run warns before every integration using the application stops.
  - The expiry is judged by the earlier of the vaulted one and 180 days after the vault file's last update (no secret
    lives longer), so that a later date recorded by mistake, or by a forged notification, hides nothing. An unknown
    expiry (the vault file does not record it) passes with a warning, unless even that latest date is too close.
  - Every failure says what to do. C(invalid_client) means the vaulted client secret is wrong or has expired (for
    example the old secret, 7 days after a rotation; run the rotation, which also adopts a new secret waiting in the
    queue); C(invalid_grant) means the refresh token is no longer valid; a missing vault file, or one that the loaded
    vault password cannot decrypt, is named as such.
  - Never returns, prints or logs a secret, refresh token or access token. Writes nothing.
options:
  min_days_left:
    description:
      - Fail when the client secret expires in fewer than this many whole days. V(0) fails only once it has expired.
    type: int
    default: 7
extends_documentation_fragment:
  - spapi.onboarding.lwa
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
    description: Read-only; does the same in check mode (a token exchange changes nothing).
  diff_mode:
    support: none
    description: Changes nothing, so shows no diff.
  platform:
    support: full
    platforms: all
    description: Runs on the controller, wherever the LWA token endpoint can be reached.
notes:
  - Needs the vault secret of the LWA vault file (C(--vault-id) or C(--vault-password-file)).
seealso:
  - module: spapi.onboarding.lwa_credentials
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Prove the LWA credentials and fail when the secret expires within 30 days
  spapi.onboarding.lwa_check:
    vault_file: spapi-onboarding/lwa.vault.yml
    min_days_left: 30
  register: lwa_status

- name: Say how long the secret lasts
  ansible.builtin.debug:
    msg: "The LWA client secret expires in {{ lwa_status.days_left }} days"
  when: lwa_status.days_left is not none
"""

RETURN = r"""
ok:
  description: Whether the credentials were proven and the secret has at least O(min_days_left) days left.
  returned: always
  type: bool
client_id:
  description: The vaulted LWA client id; V(null) when the vault file could not be read.
  returned: always
  type: str
  sample: amzn1.application-oa2-client.0123456789abcdef0123456789abcdef
vault_file:
  description: Absolute path of the vault file.
  returned: always
  type: str
proven:
  description: The token grants that succeeded (V(refresh_token) or V(client_credentials)).
  returned: always
  type: list
  elements: str
  sample: [refresh_token]
client_secret_expires:
  description: When the vaulted client secret expires (ISO 8601, UTC), V(null) when unknown.
  returned: always
  type: str
  sample: "2025-07-08T22:09:17Z"
days_left:
  description: Whole days until the client secret expires (negative once past), V(null) when unknown.
  returned: always
  type: int
  sample: 42
min_days_left:
  description: The threshold the task was run with.
  returned: always
  type: int
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import LWA_ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import refuse_outside_controller

ARGUMENT_SPEC = dict(
    LWA_ARGUMENT_SPEC,
    min_days_left=dict(type="int", default=7),
)


def main():
    refuse_outside_controller(ARGUMENT_SPEC, "lwa_check")


if __name__ == "__main__":
    main()
