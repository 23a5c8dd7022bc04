#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vault_lock
short_description: Hold the lock of an S3 vault across several tasks of one run
version_added: 0.3.0
description:
  - Takes (O(state=present)) or releases (O(state=absent)) the lock object C(KEY.lock) of a vault kept in S3
    (O(vault_file=s3://BUCKET/KEY)), so that a run that writes in several tasks (the C(iam) role writes the user, the policy, the role,
    the STS policy, then the access key into the vault) holds it from its first write to its last, and no other
    controller (an AWX job, another operator's machine) writes the same vault in between.
  - The lock is an S3 object created only if none exists (C(If-None-Match) header), holding JSON that names its C(owner) (user@host and a
    run id, which is the AWX job id, the ansible-runner job, or the ansible-playbook process id) and when its lease
    C(expires). Tasks of the same run that find the lock theirs go on; every vault writer of the collection
    (M(spapi.onboarding.access_key), M(spapi.onboarding.lwa_credentials), M(spapi.onboarding.lwa_rotate)) takes it too.
  - A live lock of another run refuses after O(vault_lock_timeout) seconds, naming its owner and when it expires,
    changing nothing. An expired lock is taken over, atomically, with a warning.
  - A local vault file needs no such lock (each writer takes the file's own lock), so the task changes nothing.
  - Release it in an C(always:) section, so that a failed run does not leave it until its lease ends.
options:
  vault_file:
    description:
      - The vault, V(s3://BUCKET/KEY) or a local path (nothing to do).
    type: str
    required: true
  state:
    description:
      - V(present) takes the lock (or finds it this run's), V(absent) releases it when this run holds it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
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
    description: Takes no lock in check mode (a check-mode run writes nothing).
  diff_mode:
    support: none
    description: No diff.
  platform:
    support: full
    platforms: all
    description: Runs on the controller.
seealso:
  - module: spapi.onboarding.access_key
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Write a team's S3 vault in several tasks, one run at a time
  block:
    - name: Take the vault's lock
      spapi.onboarding.vault_lock:
        vault_file: s3://acme-spapi-vault/sellers/SellingPartnerAPIUser.vault.yml

    - name: Ensure one usable access key, stored in the vault
      spapi.onboarding.access_key:
        user_name: SellingPartnerAPIUser
        vault_file: s3://acme-spapi-vault/sellers/SellingPartnerAPIUser.vault.yml
  always:
    - name: Release the vault's lock
      spapi.onboarding.vault_lock:
        vault_file: s3://acme-spapi-vault/sellers/SellingPartnerAPIUser.vault.yml
        state: absent
"""

RETURN = r"""
lock:
  description: The lock object, its owner (this run) and whether this task took or released it; V(null) for a local
    vault file.
  returned: always
  type: dict
  sample: {"location": "s3://acme-spapi-vault/sellers/SellingPartnerAPIUser.vault.yml.lock",
           "owner": "ops@awx-1 run awx-job-4242", "taken": true}
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import refuse_outside_controller
from ansible_collections.spapi.onboarding.plugins.module_utils._common.vault_options import VAULT_STORE_SPEC

ARGUMENT_SPEC = dict(
    VAULT_STORE_SPEC,
    vault_file=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    refuse_outside_controller(ARGUMENT_SPEC, "vault_lock")


if __name__ == "__main__":
    main()
