#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: sts_policy
short_description: Ensure the SP-API user's inline policy allowing sts:AssumeRole on the role
version_added: 0.1.0
description:
  - Creates, updates or deletes the inline policy of the IAM user (the "STS policy", step 5 of the SP-API IAM
    onboarding) that allows C(sts:AssumeRole) on exactly the SP-API role, nothing broader.
  - Documents are compared canonically; a converged run makes one read call (C(iam:GetUserPolicy)) and no write.
  - The user must exist; create it with M(spapi.onboarding.iam_user).
options:
  user_name:
    description: Name of the IAM user that carries the inline policy.
    type: str
    default: SellingPartnerAPIUser
  role_arn:
    description:
      - ARN of the IAM role the user may assume, normally the C(role.arn) returned by M(spapi.onboarding.iam_role).
      - Mutually exclusive with O(role_arns). One of them is required when O(state=present).
    type: str
  role_arns:
    description:
      - ARNs of the IAM roles the user may assume.
      - Mutually exclusive with O(role_arn). One of them is required when O(state=present).
    type: list
    elements: str
  policy_name:
    description: Name of the inline policy.
    type: str
    default: SellingPartnerAPIAssumeRole
  on_conflict:
    description:
      - What to do when the user's existing inline policy lets it assume a role that is not in O(role_arn) or
        O(role_arns).
      - C(refuse) (the default) fails before any write, naming the roles the policy points at; C(replace)
        rewrites the policy.
    type: str
    choices: [refuse, replace]
    default: refuse
  state:
    description: Whether the inline policy should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - spapi.onboarding.aws
  - spapi.onboarding.aws.resource
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Ensure the role
  spapi.onboarding.iam_role:
    name: SellingPartnerAPIRole
    trusted_user_arn: arn:aws:iam::123456789012:user/SellingPartnerAPIUser
  register: sp_role

- name: Let the SP-API user assume exactly that role
  spapi.onboarding.sts_policy:
    user_name: SellingPartnerAPIUser
    role_arn: "{{ sp_role.role.arn }}"

- name: Take the permission away
  spapi.onboarding.sts_policy:
    user_name: SellingPartnerAPIUser
    state: absent
"""

RETURN = r"""
policy_name:
  description: Name of the inline policy.
  returned: always
  type: str
  sample: SellingPartnerAPIAssumeRole
user_name:
  description: Name of the user that carries it.
  returned: always
  type: str
  sample: SellingPartnerAPIUser
document:
  description: The policy document after the task; V(null) after O(state=absent).
  returned: always
  type: dict
  sample: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
           "Resource": "arn:aws:iam::123456789012:role/SellingPartnerAPIRole"}]}
actions:
  description: What the task changed, or would change in check mode, in words.
  returned: always
  type: list
  elements: str
  sample: ["create inline policy SellingPartnerAPIAssumeRole of user SellingPartnerAPIUser"]
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import (
    DEFAULT_STS_POLICY_NAME,
    DEFAULT_USER_NAME,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.sts_policy import ensure_sts_policy
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import run_module

ARGUMENT_SPEC = dict(
    user_name=dict(type="str", default=DEFAULT_USER_NAME),
    role_arn=dict(type="str"),
    role_arns=dict(type="list", elements="str"),
    policy_name=dict(type="str", default=DEFAULT_STS_POLICY_NAME),
    on_conflict=dict(type="str", choices=["refuse", "replace"], default="refuse"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
MUTUALLY_EXCLUSIVE = [("role_arn", "role_arns")]
REQUIRED_IF = [("state", "present", ("role_arn", "role_arns"), True)]
# The same constraints hold in-process (the action plugin) and in a module process.
CONSTRAINTS = dict(mutually_exclusive=MUTUALLY_EXCLUSIVE, required_if=REQUIRED_IF)


def main():
    run_module(ARGUMENT_SPEC, ensure_sts_policy, **CONSTRAINTS)


if __name__ == "__main__":
    main()
