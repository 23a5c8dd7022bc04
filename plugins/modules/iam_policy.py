#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: iam_policy
short_description: Ensure the customer-managed IAM policy of an SP-API onboarding
version_added: 0.1.0
description:
  - Creates, updates or deletes the customer-managed IAM policy that allows calling the Selling Partner API
    (step 3 of the SP-API IAM onboarding). Amazon recommends the name C(SellingPartnerAPI).
  - The default document is exactly Amazon's SP-API policy, C(Allow execute-api:Invoke) on
    C(arn:aws:execute-api:*:*:*).
  - Documents are compared canonically (key and statement order, a scalar versus a one-element list, an implied
    C(Version)); a changed document becomes a new default policy version. IAM keeps at most five versions of a
    policy, so when five exist the oldest non-default version is deleted first.
  - A converged run makes three read calls (C(sts:GetCallerIdentity), C(iam:GetPolicy), C(iam:GetPolicyVersion))
    and no write; two when O(account_id) is given.
  - With O(state=absent), deletes the policy (its non-default versions first) when nothing uses it. A policy
    still attached to a user, group or role is kept and reported, unless O(on_conflict=replace), which detaches
    it everywhere first.
options:
  name:
    description: Name of the managed policy.
    type: str
    default: SellingPartnerAPI
  document:
    description:
      - The policy document, as a dictionary or a JSON string.
      - When not set, Amazon's SP-API policy document is used.
    type: json
  description:
    description:
      - Description of the policy, set when the policy is created.
      - IAM cannot change the description of an existing policy; a different value only gives a warning.
    type: str
  path:
    description: IAM path of the policy. It is part of the policy ARN.
    type: str
    default: /
  tags:
    description: Tags of the policy, as a dictionary. When not set, tags are left alone.
    type: dict
  purge_tags:
    description: Remove tags that are not in O(tags). Has no effect when O(tags) is not set.
    type: bool
    default: true
  account_id:
    description:
      - The 12-digit id of the AWS account that owns the policy, for example the account of the SP-API user
        (C(sp_user.user.arn.split(':')[4])). With it, the policy's ARN is built without the
        C(sts:GetCallerIdentity) call otherwise made to learn the account; the partition is that of O(region).
      - An IAM ARN of the account (the SP-API user's, or C(arn:aws:iam::123456789012:root)) is also accepted, and
        then gives the partition too. C(same_account_as) is the name this option had in version 0.1.0.
    type: str
    aliases: [same_account_as]
  on_conflict:
    description:
      - With O(state=absent), what to do with a policy that is still attached to users, groups or roles.
      - C(refuse) (the default) keeps it, reports who uses it in RV(kept) and warns; C(replace) detaches it
        everywhere, then deletes it.
    type: str
    choices: [refuse, replace]
    default: refuse
  state:
    description: Whether the policy should exist.
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
- name: Ensure the SP-API policy with Amazon's document
  spapi.onboarding.iam_policy:
    name: SellingPartnerAPI
    description: Lets the SP-API role call the Selling Partner API
    tags:
      purpose: sp-api
  register: sp_policy

- name: Show the ARN to attach to the role
  ansible.builtin.debug:
    msg: "{{ sp_policy.policy.arn }}"

- name: Locate the policy from the user's ARN (no sts:GetCallerIdentity call)
  spapi.onboarding.iam_policy:
    name: SellingPartnerAPI
    account_id: "{{ sp_user.user.arn.split(':')[4] }}"

- name: Use an explicit document (a new default version when it differs)
  spapi.onboarding.iam_policy:
    name: SellingPartnerAPI
    document:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: execute-api:Invoke
          Resource: arn:aws:execute-api:*:*:*

- name: Delete the policy when nothing uses it any more (kept and reported otherwise)
  spapi.onboarding.iam_policy:
    name: SellingPartnerAPI
    state: absent

- name: Detach the policy everywhere and delete it
  spapi.onboarding.iam_policy:
    name: SellingPartnerAPI
    on_conflict: replace
    state: absent
"""

RETURN = r"""
kept:
  description:
    - Why the policy was kept instead of removed with O(state=absent) (see O(on_conflict)).
  returned: when O(state=absent) left the policy in place
  type: list
  elements: str
  sample: ["it is still attached to role OtherAppRole"]
policy:
  description:
    - The policy as it is (or, in check mode, would be) after the task.
    - After O(state=absent), the policy as it was, or empty when it did not exist.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN of the policy, predicted from the account, partition, path and name in check mode.
      type: str
      sample: arn:aws:iam::123456789012:policy/SellingPartnerAPI
    policy_name:
      description: Name of the policy.
      type: str
      sample: SellingPartnerAPI
    policy_id:
      description: Unique ID of the policy; V(null) in check mode when the policy does not exist yet.
      type: str
      sample: ANPAEXAMPLEPOLICYID01
    default_version_id:
      description: ID of the default version; V(null) in check mode when a new version would be created.
      type: str
      sample: v1
    document:
      description: The document of the default version.
      type: dict
      sample: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
               "Resource": "arn:aws:execute-api:*:*:*"}]}
    path:
      description: Path of the policy.
      type: str
      sample: /
    description:
      description: Description of the policy.
      type: str
      sample: Lets the SP-API role call the Selling Partner API
    tags:
      description: Tags of the policy.
      type: dict
      sample: {"purpose": "sp-api"}
created:
  description: Whether the policy was (or, in check mode, would be) created.
  returned: when O(state=present)
  type: bool
actions:
  description: What the task changed, or would change in check mode, in words.
  returned: always
  type: list
  elements: str
  sample: ["create a new default version of policy SellingPartnerAPI"]
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.managed_policy import ensure_policy
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import DEFAULT_POLICY_NAME
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import run_module

ARGUMENT_SPEC = dict(
    name=dict(type="str", default=DEFAULT_POLICY_NAME),
    document=dict(type="json"),
    description=dict(type="str"),
    path=dict(type="str", default="/"),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    account_id=dict(type="str", aliases=["same_account_as"]),
    on_conflict=dict(type="str", choices=["refuse", "replace"], default="refuse"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    run_module(ARGUMENT_SPEC, ensure_policy)


if __name__ == "__main__":
    main()
