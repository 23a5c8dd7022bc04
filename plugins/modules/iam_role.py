#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: iam_role
short_description: Ensure the IAM role of an SP-API onboarding, trusting the SP-API user
version_added: 0.1.0
description:
  - Creates, updates or deletes the IAM role whose ARN is registered in Seller Central's app client form
    (step 4 of the SP-API IAM onboarding).
  - The trust policy allows C(sts:AssumeRole) to exactly the given principals, by default exactly one IAM user;
    it never names the account root unless O(trusted_principals) says so.
  - Documents are compared canonically, so a converged run makes two read calls (C(iam:GetRole),
    C(iam:ListAttachedRolePolicies)) and no write.
  - Right after a user is created, IAM refuses a trust policy naming it with the error
    C(MalformedPolicyDocument) "Invalid principal in policy" for about 30 seconds. Creating the role or updating
    its trust policy retries that one error, with growing pauses, for at most O(wait_timeout) seconds.
  - IAM cannot change the path of an existing role; a different O(path) only gives a warning.
  - An existing role that trusts another principal than the ones asked for belongs to another identity, and is
    refused before any write unless O(on_conflict=replace).
  - With O(state=absent), detaches the managed policies, deletes the inline policies and removes the role from
    its instance profiles, then deletes the role. Given the identity it is removed for (O(trusted_user_arn)),
    a role that also serves someone else is kept and reported instead (see O(on_conflict)).
options:
  name:
    description: Name of the role.
    type: str
    default: SellingPartnerAPIRole
  trusted_user_arn:
    description:
      - ARN of the IAM user allowed to assume the role, normally the C(user.arn) returned by
        M(spapi.onboarding.iam_user).
      - Mutually exclusive with O(trusted_principals). One of them is required when O(state=present).
    type: str
  trusted_principals:
    description:
      - ARNs of the principals allowed to assume the role, each an IAM user, an IAM role or an account root
        (C(arn:aws:iam::123456789012:root)).
      - Mutually exclusive with O(trusted_user_arn). One of them is required when O(state=present).
    type: list
    elements: str
  managed_policy_arns:
    description:
      - ARNs of the managed policies the role must have attached, normally the C(policy.arn) returned by
        M(spapi.onboarding.iam_policy).
      - When not set, attachments are left alone.
    type: list
    elements: str
  purge_policies:
    description: Detach managed policies that are not in O(managed_policy_arns). Has no effect when O(managed_policy_arns) is not set.
    type: bool
    default: true
  external_id:
    description:
      - When set, the trust policy also requires this C(sts:ExternalId) in the C(sts:AssumeRole) call.
      - 2 to 1224 characters among letters, digits and C(+=,.@:/_-).
    type: str
  max_session_duration:
    description:
      - Maximum session duration of the role in seconds, from 3600 to 43200.
      - When not set, a new role gets 3600 and an existing role keeps its value.
    type: int
  description:
    description: Description of the role. When not set, a new role has none and an existing role keeps its own.
    type: str
  path:
    description:
      - IAM path of the role. When not set, a new role gets V(/).
      - IAM cannot move an existing role; a different value only gives a warning.
    type: str
  tags:
    description: Tags of the role, as a dictionary. When not set, tags are left alone.
    type: dict
  purge_tags:
    description: Remove tags that are not in O(tags). Has no effect when O(tags) is not set.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to keep retrying while IAM answers C(Invalid principal in policy) for a principal
        created moments ago. V(0) does not retry.
    type: int
    default: 60
  on_conflict:
    description:
      - What to do with an existing role that serves another identity.
      - With O(state=present), a role whose trust policy names a principal other than the ones asked for
        (another SP-API user, say) is refused by default with C(refuse), before any write, naming the role and
        whom it trusts; C(replace) rewrites the trust policy anyway. Principals IAM shows as unique ids
        (deleted users) do not count.
      - With O(state=absent) and O(trusted_user_arn) or O(trusted_principals) given (the identity the role is
        removed for), a role that also trusts someone else, has other managed policies than
        O(managed_policy_arns) attached, or has inline policies is kept and reported in RV(kept), with a
        warning; C(replace) removes it anyway. Without an identity, O(state=absent) removes the role.
    type: str
    choices: [refuse, replace]
    default: refuse
  state:
    description: Whether the role should exist.
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
- name: Ensure the SP-API user
  spapi.onboarding.iam_user:
    name: SellingPartnerAPIUser
  register: sp_user

- name: Ensure the SP-API policy
  spapi.onboarding.iam_policy:
    name: SellingPartnerAPI
  register: sp_policy

- name: Ensure the role trusting exactly that user, with the policy attached
  spapi.onboarding.iam_role:
    name: SellingPartnerAPIRole
    trusted_user_arn: "{{ sp_user.user.arn }}"
    managed_policy_arns:
      - "{{ sp_policy.policy.arn }}"
    description: Role registered in the SP-API app client
  register: sp_role

- name: Show the IAM ARN to type into Seller Central's app client form
  ansible.builtin.debug:
    msg: "{{ sp_role.role.arn }}"

- name: Delete the role of this identity only (kept when it also serves someone else)
  spapi.onboarding.iam_role:
    name: SellingPartnerAPIRole
    trusted_user_arn: "{{ sp_user.user.arn }}"
    managed_policy_arns:
      - "{{ sp_policy.policy.arn }}"
    state: absent
"""

RETURN = r"""
kept:
  description:
    - Why the role was kept instead of removed with O(state=absent) (see O(on_conflict)).
  returned: when O(state=absent) left the role in place
  type: list
  elements: str
  sample: ["it also trusts arn:aws:iam::123456789012:user/OtherAppUser"]
role:
  description:
    - The role as it is (or, in check mode, would be) after the task.
    - After O(state=absent), the role as it was, or empty when it did not exist.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the role, predicted from the account, partition, path and name in check mode.
      type: str
      sample: arn:aws:iam::123456789012:role/SellingPartnerAPIRole
    role_name:
      description: Name of the role.
      type: str
      sample: SellingPartnerAPIRole
    role_id:
      description: Unique ID of the role; V(null) in check mode when the role does not exist yet.
      type: str
      sample: AROAEXAMPLEROLEID0001
    path:
      description: Path of the role.
      type: str
      sample: /
    assume_role_policy_document:
      description: The trust policy of the role.
      type: dict
      sample: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
               "Principal": {"AWS": "arn:aws:iam::123456789012:user/SellingPartnerAPIUser"}}]}
    attached_policy_arns:
      description: ARNs of the managed policies attached to the role, sorted.
      type: list
      elements: str
      sample: ["arn:aws:iam::123456789012:policy/SellingPartnerAPI"]
    max_session_duration:
      description: Maximum session duration in seconds.
      type: int
      sample: 3600
    description:
      description: Description of the role.
      type: str
      sample: Role registered in the SP-API app client
    tags:
      description: Tags of the role.
      type: dict
      sample: {"purpose": "sp-api"}
created:
  description: Whether the role was (or, in check mode, would be) created.
  returned: when O(state=present)
  type: bool
actions:
  description: What the task changed, or would change in check mode, in words.
  returned: always
  type: list
  elements: str
  sample: ["create role SellingPartnerAPIRole", "attach policy arn:aws:iam::123456789012:policy/SellingPartnerAPI to role SellingPartnerAPIRole"]
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import DEFAULT_ROLE_NAME
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.role import ensure_role
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import run_module

ARGUMENT_SPEC = dict(
    name=dict(type="str", default=DEFAULT_ROLE_NAME),
    trusted_user_arn=dict(type="str"),
    trusted_principals=dict(type="list", elements="str"),
    managed_policy_arns=dict(type="list", elements="str"),
    purge_policies=dict(type="bool", default=True),
    external_id=dict(type="str"),
    max_session_duration=dict(type="int"),
    description=dict(type="str"),
    path=dict(type="str"),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=60),
    on_conflict=dict(type="str", choices=["refuse", "replace"], default="refuse"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
MUTUALLY_EXCLUSIVE = [("trusted_user_arn", "trusted_principals")]
REQUIRED_IF = [("state", "present", ("trusted_user_arn", "trusted_principals"), True)]
# The same constraints hold in-process (the action plugin) and in a module process.
CONSTRAINTS = dict(mutually_exclusive=MUTUALLY_EXCLUSIVE, required_if=REQUIRED_IF)


def main():
    run_module(ARGUMENT_SPEC, ensure_role, **CONSTRAINTS)


if __name__ == "__main__":
    main()
