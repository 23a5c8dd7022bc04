#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: lwa_credentials
short_description: Store an SP-API application's LWA credentials in an Ansible Vault file, after proving them
version_added: 0.2.0
description:
  - Since October 2023 SP-API authenticates with Login with Amazon (LWA) credentials alone, that is the LWA client
    id and client secret of the application, and for a private application the refresh token of its
    self-authorisation.
    This module keeps them in the LWA vault file (see O(vault_file)) instead of a plaintext file.
  - Before anything is written, the credentials are proven with a live token exchange at the LWA token endpoint,
    with the refresh-token grant when a refresh token is given (or vaulted), else a grantless client-credentials grant
    with the scope C(sellingpartnerapi::notifications). When LWA refuses them, the task fails with LWA's error code
    (C(invalid_client) for a wrong or expired client secret, C(invalid_grant) for a wrong refresh token) explained,
    and the vault file is left untouched.
  - The file is written atomically (temporary file in the same directory, fsync, rename) with mode V(0600). When the
    vaulted values are already the ones given, nothing is written and the task reports no change (the credentials
    are still proven, so a re-run also tells that they work). A vault file whose mode is not V(0600) is brought back
    to V(0600), which is a change.
  - The token, the client secret and the refresh token are never returned, printed, logged or put in a diff.
  - This module runs on the controller, through its action plugin, because only the controller has the vault
    secret. Run C(ansible-playbook) with C(--vault-id <id>@prompt), C(--vault-id <id>@<password file>) or
    C(--vault-password-file <file>); without a vault secret the task fails before any call.
options:
  client_id:
    description:
      - The LWA client id of the SP-API application (C(amzn1.application-oa2-client.…)), from Developer Central
        (Seller Central > Apps and Services > Develop Apps > LWA credentials > View).
      - Required with O(state=present).
    type: str
  client_secret:
    description:
      - The LWA client secret of the application, from the same place as O(client_id).
      - Required with O(state=present). Never returned or shown; a value with spaces or line breaks (a paste that
        took too much) is refused without quoting it.
      - Pass it from a vaulted variable or a prompt (C(playbooks/lwa_store.yml) prompts for it), never on the
        command line.
    type: str
  refresh_token:
    description:
      - The refresh token of the application's self-authorisation (Develop Apps > Authorize app), for a private
        application (C(Atzr|…)).
      - When not set, the vaulted refresh token of the same client id is kept. The empty string removes it.
    type: str
  application_id:
    description:
      - The SP-API application id (C(amzn1.sp.solution.…)), kept in the vault file for reference.
      - When not set, the vaulted one of the same client id is kept. The empty string removes it.
    type: str
  client_secret_expires:
    description:
      - When the client secret expires, in ISO 8601 (C(2025-07-08) or C(2025-07-08T22:09:17Z)); Developer Central
        shows it beside the secret. Secrets expire 180 days after they are issued.
      - When not set, the vaulted expiry is kept while the secret stays the same; for a new secret it is unknown
        (V(null)) until given here or learnt by the rotation. M(spapi.onboarding.lwa_check) warns about an unknown
        expiry.
    type: str
  prove:
    description:
      - Prove the credentials with a live token exchange before storing them.
      - V(false) stores them unproven, with a warning (for example on a controller that cannot reach LWA).
    type: bool
    default: true
  state:
    description:
      - V(present) stores the credentials.
      - V(absent) removes the collection's keys from the vault file, and the file when it holds nothing else. No
        call to LWA is made and the credentials stay valid at Amazon.
    type: str
    choices: [present, absent]
    default: present
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
    description: Writes nothing; proves the credentials all the same (a token exchange changes nothing) and predicts C(changed).
  diff_mode:
    support: full
    description: Shows which keys of the vault file change; secrets appear as C(<secret>) or C(<new secret>), never their values.
  platform:
    support: full
    platforms: all
    description: Runs on the controller, wherever the LWA token endpoint can be reached.
notes:
  - The task does the same work whatever the target host is; run it once (on V(localhost), or with C(run_once)).
  - The client secret must be rotated every 180 days; see M(spapi.onboarding.lwa_check) for the days left.
seealso:
  - module: spapi.onboarding.lwa_check
  - name: Amazon SP-API, connecting to the Selling Partner API
    description: How LWA credentials and tokens work.
    link: https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
# ansible-playbook lwa_store.yml --vault-id spapi@prompt   (the secrets come from prompts, never the command line)
- name: Store the LWA credentials of a private SP-API application, proven with its refresh token
  spapi.onboarding.lwa_credentials:
    vault_file: spapi-onboarding/lwa.vault.yml
    vault_id: spapi
    client_id: amzn1.application-oa2-client.0123456789abcdef0123456789abcdef
    client_secret: "{{ lwa_client_secret }}"
    refresh_token: "{{ lwa_refresh_token }}"
    client_secret_expires: "2025-07-08"
  register: lwa

- name: Use them
  ansible.builtin.include_vars:
    file: "{{ lwa.vault_file }}"
    name: sp_api

- name: Take the credentials out of the team's vault file
  spapi.onboarding.lwa_credentials:
    vault_file: group_vars/all/vault.yml
    state: absent
"""

RETURN = r"""
client_id:
  description: The LWA client id held in the vault file after the task (V(null) after O(state=absent)).
  returned: always
  type: str
  sample: amzn1.application-oa2-client.0123456789abcdef0123456789abcdef
vault_file:
  description: Absolute path of the vault file.
  returned: always
  type: str
  sample: /home/ops/onboarding/spapi-onboarding/lwa.vault.yml
proven:
  description:
    - The token grants that succeeded with the credentials in this run, before anything was written.
    - V(refresh_token) or V(client_credentials); empty with O(prove=false) or O(state=absent).
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
  sample: 172
application_id:
  description: The SP-API application id held in the vault file, V(null) when none.
  returned: always
  type: str
  sample: amzn1.sp.solution.7f7b1f4e-0000-4000-8000-000000000000
changed_keys:
  description: The keys of the vault file that were (or, in check mode, would be) written or removed. Names only.
  returned: always
  type: list
  elements: str
  sample: [lwa_client_id, lwa_client_secret, updated]
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import LWA_ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import refuse_outside_controller

ARGUMENT_SPEC = dict(
    LWA_ARGUMENT_SPEC,
    client_id=dict(type="str"),
    client_secret=dict(type="str", no_log=True),
    refresh_token=dict(type="str", no_log=True),
    application_id=dict(type="str"),
    client_secret_expires=dict(type="str", no_log=False),
    prove=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    refuse_outside_controller(ARGUMENT_SPEC, "lwa_credentials")


if __name__ == "__main__":
    main()
