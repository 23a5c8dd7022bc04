#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: access_key
short_description: Ensure the SP-API IAM user has one access key, stored in an Ansible Vault file
version_added: 0.1.0
description:
  - Ensures the IAM user has exactly one usable access key and that its secret is stored in an Ansible Vault file
    (step 2 of the SP-API IAM onboarding). AWS shows a secret access key only once, in the reply that creates it;
    this module writes it straight into the vault file, so it is never lost and never printed.
  - The vault file is a YAML mapping encrypted as a whole with the play's vault secret, with the keys
    C(aws_access_key_id), C(aws_secret_access_key), C(iam_user_arn) and C(created) (ISO 8601), so that
    C(ansible-vault view) and M(ansible.builtin.include_vars) read it. It is written atomically
    (temporary file in the same directory, fsync, rename) with mode V(0600).
  - The vault file may be a team's own vault file (for example C(group_vars/all/vault.yml)). Every key in it that
    is not one of the four above is kept, unchanged, when the key is written, rotated or removed. A file whose
    content is not a YAML mapping is refused and left untouched. An existing file is re-encrypted with the vault ID
    it already has, unless O(vault_id) says otherwise.
  - A vault file whose mode is not V(0600) is brought back to V(0600), and the task reports a change.
  - When the vault file holds an active key of the user and no rotation is due, the task makes one read call
    (C(iam:ListAccessKeys)), no write call, and does not rewrite the file.
  - Otherwise it creates a key and stores it. If the vault file cannot be written after the key was created,
    the new key is deleted again before the task fails, so no key is left whose secret nobody has.
  - When a key is replaced (O(rotate), O(max_age_days), or a vaulted key that was deactivated or deleted
    outside Ansible), the new key is created and stored first, then confirmed with C(sts:GetCallerIdentity)
    signed with the new key (waiting up to O(wait_timeout) seconds for IAM to propagate it), and only then is
    the old key deleted. At no moment does the vault hold no working key.
  - Keys of the user that the vault file does not hold are reported by ID in RV(unknown_key_ids);
    O(on_unknown_keys) decides what happens to them. AWS allows two keys per user; when no slot is free for a
    new key, the task fails before any change and says which keys are in the way.
  - This module runs on the controller, through its action plugin, because only the controller has the vault
    secret. Run C(ansible-playbook) with C(--vault-id <id>@prompt), C(--vault-id <id>@<password file>) or
    C(--vault-password-file <file>); without a vault secret the task fails before any AWS call.
options:
  user_name:
    description: Name of the IAM user whose access key is managed. The user must exist (see M(spapi.onboarding.iam_user)).
    type: str
    default: SellingPartnerAPIUser
  vault_file:
    description:
      - Path of the Ansible Vault file that holds the access key.
      - A relative path resolves against the directory C(ansible-playbook) runs from (its working directory on
        the controller), not against the playbook or the collection. RV(vault_file) returns the resolved path.
      - The directory must exist and be writable. A lock file C(<vault_file>.lock) (mode V(0600), holding only the
        process id of the last run that took it) is created beside it and kept, so that two runs for the same vault
        file take turns.
      - Refused before any AWS call, and never followed, when the path is a symbolic link or not a regular file, or
        when its directory is not owned by the user running the play or is writable by group or others. A lock
        file that is a symbolic link, or not a regular file owned by that user, is refused too.
    type: path
    required: true
  vault_id:
    description:
      - The vault ID whose secret encrypts the file, among those given to C(ansible-playbook) with C(--vault-id).
      - When not set, the default encryption rules of Ansible apply (the first loaded secret, or the one
        named by the C(DEFAULT_VAULT_ENCRYPT_IDENTITY) setting).
      - Reading the existing file uses every loaded secret.
    type: str
  rotate:
    description:
      - Replace the vaulted key with a new one on every run (create, store, verify, then delete the old key).
      - A task with O(rotate=true) always reports C(changed); use O(max_age_days) for periodic rotation.
    type: bool
    default: false
  max_age_days:
    description:
      - Replace the vaulted key when AWS reports it was created more than this many days ago.
      - When not set, the key is never replaced for its age. V(0) is refused, as it would replace the key on every run;
        use O(rotate=true) to replace it now.
    type: int
  on_unknown_keys:
    description:
      - What to do with keys of the user that the vault file does not hold (they are always reported by ID).
      - V(fail) fails the task, naming the active ones, and changes nothing. Inactive unknown keys are reported
        but do not fail the task.
      - V(deactivate) makes the active ones inactive and carries on.
      - V(delete) deletes them all, active or not, and carries on.
      - The same choice applies with O(state=absent).
    type: str
    choices: [fail, deactivate, delete]
    default: fail
  wait_timeout:
    description:
      - How many seconds to wait for STS to accept a newly created key before the old key is deleted during a
        replacement. IAM takes a few seconds to propagate a new key.
    type: int
    default: 60
  verify_role_arn:
    description:
      - The SP-API role (as M(spapi.onboarding.iam_role) returns it). When set, a new key must be able to
        C(sts:AssumeRole) this role, within O(wait_timeout), before the key it replaces is deleted; otherwise the old
        key stays and the task fails naming both. When not set, the new key only has to authenticate as the user
        (C(sts:GetCallerIdentity)).
      - The C(spapi.onboarding.iam) role sets it to the role of the chain.
    type: str
  state:
    description:
      - V(present) ensures the user has one usable key, held in the vault file.
      - V(absent) deletes the vaulted key in AWS, then removes the vault file; when the file also holds other
        variables, only the collection's four keys are taken out of it and the rest is kept. Other keys of the
        user are handled according to O(on_unknown_keys). The user itself is left alone.
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
    description: Makes no write call and writes no file; predicts C(changed), RV(created) and RV(rotated).
  diff_mode:
    support: full
    description: Shows the IDs and statuses of the user's access keys and which one is vaulted, before and after. Never a secret.
  platform:
    support: full
    platforms: all
    description: Runs on the controller, wherever boto3 can reach AWS.
notes:
  - The secret access key is never returned, printed, logged or put in a diff; only key IDs are.
  - Read the stored key with M(ansible.builtin.include_vars) (for example O(ansible.builtin.include_vars#module:file=)
    pointing at RV(vault_file)) or C(ansible-vault view <file>).
  - The task does the same work whatever the target host is; run it once (on V(localhost), or with C(run_once)).
  - A lost or retried C(CreateAccessKey) reply is reconciled; a key that appeared during the run and that the vault
    does not hold is deleted again.
  - Runs with the same O(vault_file) take turns on its lock. A run that has to wait says so in a warning naming the
    lock file (and the process holding it), and gives up after 600 seconds. A run with another vault file that creates
    a key for the same user at the same time is detected after the new key is stored; the task then fails naming the
    other key and deletes nothing.
  - What the collection refuses, and what stays Ansible's own behaviour, is described in C(docs/security.md).
seealso:
  - module: spapi.onboarding.iam_user
  - module: spapi.onboarding.verify
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
# ansible-playbook onboard.yml --vault-id spapi@prompt
- name: Ensure the SP-API user has an access key, kept in a vault file beside the playbook run
  spapi.onboarding.access_key:
    user_name: SellingPartnerAPIUser
    vault_file: sp-api-access-key.vault.yml
    vault_id: spapi
  register: sp_key

- name: Use the stored key
  ansible.builtin.include_vars:
    file: "{{ sp_key.vault_file }}"
    name: sp_credentials

- name: Rotate the key when it is older than 90 days, deleting keys nobody stored
  spapi.onboarding.access_key:
    vault_file: sp-api-access-key.vault.yml
    max_age_days: 90
    on_unknown_keys: delete

- name: Rotate now
  spapi.onboarding.access_key:
    vault_file: sp-api-access-key.vault.yml
    rotate: true

- name: Keep the key in the team's vault file, beside its other variables
  spapi.onboarding.access_key:
    vault_file: group_vars/all/vault.yml

- name: Offboarding, delete the key and the vault file (or only its keys, when it holds other variables)
  spapi.onboarding.access_key:
    vault_file: sp-api-access-key.vault.yml
    state: absent
"""

RETURN = r"""
access_key_id:
  description:
    - ID of the access key held in the vault file after the task. Never the secret.
    - V(null) in check mode when a key would be created, and after O(state=absent).
  returned: always
  type: str
  sample: AKIAIOSFODNN7EXAMPLE
vault_file:
  description: Absolute path of the vault file.
  returned: always
  type: str
  sample: /home/ops/onboarding/sp-api-access-key.vault.yml
user_name:
  description: Name of the IAM user.
  returned: always
  type: str
  sample: SellingPartnerAPIUser
iam_user_arn:
  description: ARN of the user, as stored in the vault file. V(null) when neither the vault nor the task needed it.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:user/SellingPartnerAPIUser
created:
  description: Whether a new key was (or, in check mode, would be) created and stored.
  returned: always
  type: bool
rotated:
  description: Whether a previously vaulted key was (or would be) replaced by the new one.
  returned: always
  type: bool
unknown_key_ids:
  description: IDs of the user's keys that the vault file did not hold when the task started.
  returned: always, and on failure when unknown keys were found
  type: list
  elements: str
  sample: [AKIAIOSFODNN7EXAMPLE]
deleted_key_ids:
  description: IDs of the keys deleted by the task (unknown keys, a replaced key, or the vaulted key with O(state=absent)).
  returned: always
  type: list
  elements: str
deactivated_key_ids:
  description: IDs of the unknown keys made inactive (O(on_unknown_keys=deactivate)).
  returned: always
  type: list
  elements: str
old_access_key_id:
  description:
    - The previously vaulted key, still active in AWS, when a rotation failed after the new key was stored (the new key
      was not accepted by STS in time, or its old key could not be deleted). Delete it once the new key works.
  returned: on such a failure
  type: str
  sample: AKIAIOSFODNN7EXAMPLE
actions:
  description: What the task changed, or would change in check mode, in words. Key IDs only.
  returned: always
  type: list
  elements: str
  sample: ["create an access key for IAM user SellingPartnerAPIUser (the vault file holds no key) and store it in /home/ops/sp.vault.yml"]
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._common.vault_options import VAULT_STORE_SPEC
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import DEFAULT_USER_NAME
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import refuse_outside_controller

ARGUMENT_SPEC = dict(
    VAULT_STORE_SPEC,
    user_name=dict(type="str", default=DEFAULT_USER_NAME),
    vault_file=dict(type="path", required=True),
    vault_id=dict(type="str"),
    rotate=dict(type="bool", default=False),
    max_age_days=dict(type="int"),
    on_unknown_keys=dict(type="str", choices=["fail", "deactivate", "delete"], default="fail"),
    wait_timeout=dict(type="int", default=60),
    verify_role_arn=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    refuse_outside_controller(ARGUMENT_SPEC, "access_key")


if __name__ == "__main__":
    main()
