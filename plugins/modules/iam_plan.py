#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: iam_plan
short_description: Predict, read-only, what onboarding or offboarding one SP-API identity would change, and refuse what it must not do
version_added: 0.2.0
description:
  - Runs the logic of M(spapi.onboarding.iam_user), M(spapi.onboarding.iam_policy), M(spapi.onboarding.iam_role),
    M(spapi.onboarding.sts_policy) and M(spapi.onboarding.access_key) in check mode, in the order the
    C(spapi.onboarding.iam) role runs them, each fed with what the previous one predicts. It makes read calls only.
  - It fails, before anything is written anywhere, when the tasks would fail or must not run - an invalid name or
    path, an existing role that trusts another identity, a user's STS policy pointing at another role, keys the
    vault file does not hold, a vault file that cannot be written, no vault secret loaded, an unknown O(vault_id) -
    so a run that cannot finish is refused before its first AWS write.
  - The C(spapi.onboarding.iam) role runs it first and skips the tasks that write when RV(would_change) is V(false),
    so a converged onboarding reads each link once.
  - With O(state=absent), it says what offboarding the identity removes (RV(remove)) and what it keeps because
    others still use it (RV(keep)).
  - An identity is an IAM user. A role belongs to the identity whose user it trusts, and only to it; the managed
    policy is shared by every identity whose role it is attached to.
options:
  state:
    description: Plan onboarding (V(present)) or offboarding (V(absent)) of the identity.
    type: str
    choices: [present, absent]
    default: present
  scope:
    description:
      - With O(state=present), V(chain) plans every link; V(access_key) plans the access key only (rotation).
    type: str
    choices: [chain, access_key]
    default: chain
  user_name:
    description: Name of the identity's IAM user.
    type: str
    default: SellingPartnerAPIUser
  policy_name:
    description: Name of the customer-managed SP-API policy.
    type: str
    default: SellingPartnerAPI
  role_name:
    description: Name of the identity's IAM role.
    type: str
    default: SellingPartnerAPIRole
  sts_policy_name:
    description: Name of the user's inline STS policy.
    type: str
    default: SellingPartnerAPIAssumeRole
  path:
    description: IAM path of the user, the policy and the role, as given to their modules.
    type: str
  tags:
    description: Tags of the user, the policy and the role, as given to their modules.
    type: dict
  permissions_boundary:
    description: As M(spapi.onboarding.iam_user)'s option.
    type: str
  external_id:
    description: As M(spapi.onboarding.iam_role)'s option.
    type: str
  max_session_duration:
    description: As M(spapi.onboarding.iam_role)'s option.
    type: int
  vault_file:
    description:
      - The vault file of the access key, as given to M(spapi.onboarding.access_key). Its directory may not exist
        yet; the nearest existing parent must then be writable.
    type: path
    required: true
  vault_id:
    description: As M(spapi.onboarding.access_key)'s option.
    type: str
  rotate:
    description: As M(spapi.onboarding.access_key)'s option.
    type: bool
    default: false
  max_age_days:
    description: As M(spapi.onboarding.access_key)'s option.
    type: int
  on_unknown_keys:
    description: As M(spapi.onboarding.access_key)'s option.
    type: str
    choices: [fail, deactivate, delete]
    default: fail
  on_conflict:
    description:
      - As the option of M(spapi.onboarding.iam_role), M(spapi.onboarding.sts_policy) and
        M(spapi.onboarding.iam_policy). V(refuse) refuses to take over another identity's role or STS policy and
        keeps, when offboarding, what others still use; V(replace) allows both.
    type: str
    choices: [refuse, replace]
    default: refuse
  wait_timeout:
    description: As the option of M(spapi.onboarding.iam_role) and M(spapi.onboarding.access_key).
    type: int
  variable_prefix:
    description:
      - When set, a refusal names the option with this prefix, as the variable that sets it, for example
        C(variable 'iam_role_name') instead of C(option 'role_name'). The C(spapi.onboarding.iam) role passes V(iam_).
    type: str
extends_documentation_fragment:
  - spapi.onboarding.aws
  - spapi.onboarding.vault_store
attributes:
  action:
    support: full
    description: Runs on the controller through its action plugin, which holds the vault secrets.
  async:
    support: none
    description: Runs in-process on the controller.
  check_mode:
    support: full
    description: Read-only; does the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to diff.
  platform:
    support: full
    platforms: all
    description: Runs on the controller, which needs boto3; the target host is not used.
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Refuse early, before the first write, what the chain's tasks would refuse later
  spapi.onboarding.iam_plan:
    user_name: SecondAppUser
    role_name: SecondAppRole
    vault_file: spapi-onboarding/SecondAppUser.vault.yml
  register: plan

- name: Show what onboarding would change
  ansible.builtin.debug:
    var: plan.actions

- name: What offboarding SecondAppUser removes, and what it keeps because others use it
  spapi.onboarding.iam_plan:
    state: absent
    user_name: SecondAppUser
    role_name: SecondAppRole
    vault_file: spapi-onboarding/SecondAppUser.vault.yml
  register: offboarding

- name: Show it
  ansible.builtin.debug:
    msg:
      - "Removes: {{ offboarding.remove | join(', ') }}"
      - "Keeps: {{ offboarding.keep | join(', ') }}"
"""

RETURN = r"""
would_change:
  description: Whether the planned tasks would change anything.
  returned: always
  type: bool
  sample: true
actions:
  description: What the tasks would change, in words, in order.
  returned: always
  type: list
  elements: str
  sample: ["create user SecondAppUser", "create role SecondAppRole"]
user:
  description: The user as M(spapi.onboarding.iam_user) returns it (predicted when it does not exist yet).
  returned: always
  type: dict
  sample: {"arn": "arn:aws:iam::123456789012:user/SecondAppUser", "user_name": "SecondAppUser"}
policy:
  description: The policy as M(spapi.onboarding.iam_policy) returns it (predicted when it does not exist yet).
  returned: when O(state=present) and O(scope=chain)
  type: dict
  sample: {"arn": "arn:aws:iam::123456789012:policy/SellingPartnerAPI"}
role:
  description: The role as M(spapi.onboarding.iam_role) returns it (predicted when it does not exist yet).
  returned: when O(state=present) and O(scope=chain)
  type: dict
  sample: {"arn": "arn:aws:iam::123456789012:role/SecondAppRole"}
access_key_id:
  description: ID of the key the vault file holds and keeps; V(null) when a new key would be created.
  returned: when O(state=present)
  type: str
  sample: AKIAIOSFODNN7EXAMPLE
remove:
  description: What offboarding removes, in order.
  returned: when O(state=absent)
  type: list
  elements: str
  sample: ["inline policy SellingPartnerAPIAssumeRole of user SecondAppUser", "role SecondAppRole",
           "user SecondAppUser, its access keys and vault file"]
keep:
  description: What offboarding keeps because someone else uses it, and why.
  returned: when O(state=absent)
  type: list
  elements: str
  sample: ["policy SellingPartnerAPI, because it is still attached to role SellingPartnerAPIRole"]
user_arn:
  description: ARN of the identity's user (predicted when it does not exist), which the role removal is for.
  returned: when O(state=absent)
  type: str
  sample: arn:aws:iam::123456789012:user/SecondAppUser
policy_arn:
  description: ARN of the SP-API policy at O(path).
  returned: when O(state=absent)
  type: str
  sample: arn:aws:iam::123456789012:policy/SellingPartnerAPI
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._common.vault_options import VAULT_STORE_SPEC
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import (
    DEFAULT_POLICY_NAME,
    DEFAULT_ROLE_NAME,
    DEFAULT_STS_POLICY_NAME,
    DEFAULT_USER_NAME,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import refuse_outside_controller

ARGUMENT_SPEC = dict(
    VAULT_STORE_SPEC,
    state=dict(type="str", choices=["present", "absent"], default="present"),
    scope=dict(type="str", choices=["chain", "access_key"], default="chain"),
    user_name=dict(type="str", default=DEFAULT_USER_NAME),
    policy_name=dict(type="str", default=DEFAULT_POLICY_NAME),
    role_name=dict(type="str", default=DEFAULT_ROLE_NAME),
    sts_policy_name=dict(type="str", default=DEFAULT_STS_POLICY_NAME),
    path=dict(type="str"),
    tags=dict(type="dict"),
    permissions_boundary=dict(type="str"),
    external_id=dict(type="str"),
    max_session_duration=dict(type="int"),
    vault_file=dict(type="path", required=True),
    vault_id=dict(type="str"),
    rotate=dict(type="bool", default=False),
    max_age_days=dict(type="int"),
    on_unknown_keys=dict(type="str", choices=["fail", "deactivate", "delete"], default="fail"),
    on_conflict=dict(type="str", choices=["refuse", "replace"], default="refuse"),
    wait_timeout=dict(type="int"),
    variable_prefix=dict(type="str"),
)


def main():
    refuse_outside_controller(ARGUMENT_SPEC, "iam_plan")


if __name__ == "__main__":
    main()
