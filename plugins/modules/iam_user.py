#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: iam_user
short_description: Ensure the IAM user of an SP-API onboarding
version_added: 0.1.0
description:
  - Creates, updates or deletes the IAM user whose access key signs Selling Partner API calls
    (step 1 of the SP-API IAM onboarding).
  - Converges path, tags and permissions boundary; a converged run makes one read call and no write.
  - With O(state=absent), removes what IAM requires to be gone first (access keys, inline policies, attached policies,
    group memberships, MFA devices (deactivated), SSH public keys, signing certificates, console login profile), then
    the user. Service-specific credentials (CodeCommit, Keyspaces) are not removed; IAM then refuses the deletion, and
    the message says so.
options:
  name:
    description: Name of the IAM user.
    type: str
    default: SellingPartnerAPIUser
  path:
    description:
      - IAM path of the user. When not set, a new user gets V(/) and an existing user keeps its path.
    type: str
  tags:
    description: Tags of the user, as a dictionary. When not set, tags are left alone.
    type: dict
  purge_tags:
    description: Remove tags that are not in O(tags). Has no effect when O(tags) is not set.
    type: bool
    default: true
  permissions_boundary:
    description:
      - ARN of a managed policy to set as the permissions boundary of the user. V('') removes the boundary;
        not set leaves it alone.
    type: str
  state:
    description: Whether the user should exist.
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
- name: Ensure the SP-API IAM user
  spapi.onboarding.iam_user:
    name: SellingPartnerAPIUser
    tags:
      purpose: sp-api
  register: sp_user

- name: Show the ARN the role must trust
  ansible.builtin.debug:
    msg: "{{ sp_user.user.arn }}"

- name: Remove the user and everything attached to it
  spapi.onboarding.iam_user:
    name: SellingPartnerAPIUser
    state: absent
"""

RETURN = r"""
user:
  description: The user as it is (or, in check mode, would be) after the task. Empty after O(state=absent) when it did not exist.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the user, predicted from the account and partition in check mode.
      type: str
      sample: arn:aws:iam::123456789012:user/SellingPartnerAPIUser
    user_name:
      description: Name of the user.
      type: str
      sample: SellingPartnerAPIUser
    user_id:
      description: Unique ID of the user; V(null) in check mode when the user does not exist yet.
      type: str
      sample: AIDAEXAMPLEUSERID0001
    path:
      description: Path of the user.
      type: str
      sample: /
    tags:
      description: Tags of the user.
      type: dict
      sample: {"purpose": "sp-api"}
    permissions_boundary:
      description: ARN of the permissions boundary, if any.
      type: str
      sample: arn:aws:iam::aws:policy/PowerUserAccess
created:
  description: Whether the user was (or, in check mode, would be) created.
  returned: when O(state=present)
  type: bool
deleted_access_key_ids:
  description: IDs of the access keys deleted with the user.
  returned: when O(state=absent) and the user existed
  type: list
  elements: str
actions:
  description: What the task changed, or would change in check mode, in words.
  returned: always
  type: list
  elements: str
  sample: ["create user SellingPartnerAPIUser"]
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import DEFAULT_USER_NAME
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import run_module
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.user import ensure_user

ARGUMENT_SPEC = dict(
    name=dict(type="str", default=DEFAULT_USER_NAME),
    path=dict(type="str"),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    permissions_boundary=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    run_module(ARGUMENT_SPEC, ensure_user)


if __name__ == "__main__":
    main()
