#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: verify
short_description: Check every link of the SP-API IAM chain and try the stored access key
version_added: 0.1.0
description:
  - Read-only check of the IAM side of a Selling Partner API onboarding, the last step of Amazon's SP-API IAM tutorial
    ("Verify that the STS policy is attached", "Test the STS AssumeRole operation") and more. Safe to run any day.
  - "The checks, in chain order, each reported in RV(checks):"
  - V(user) - the IAM user exists.
  - V(policy) - the managed policy exists and its default version is the SP-API document
    (C(Allow execute-api:Invoke on arn:aws:execute-api:*:*:*)), compared canonically; a widened or a narrowed document
    fails and the detail says which.
  - V(role) - the role exists.
  - V(policy_attached) - the policy is attached to the role, and no other managed policy is.
  - V(trust_policy) - the role's trust policy allows C(sts:AssumeRole) to exactly the user (not another user, not the
    account root).
  - V(sts_policy) - the user's inline STS policy allows C(sts:AssumeRole) on exactly the role.
  - V(user_grants) - nothing else gives the user permissions - no managed policy attached to it, no inline policy
    besides the STS policy, no group whose policies allow anything, no console password (login profile). A policy
    with only Deny statements narrows the chain and is not a grant; it is named in the detail. Each grant is named
    (policy name and ARN, group name, what it allows) with the AWS CLI command that removes it.
  - V(role_grants) - the role has no inline policy that allows anything (named, with the command that deletes it).
    Managed policies attached to the role besides the SP-API policy are named by V(policy_attached).
  - When the identity running verify may not make the reads of V(user_grants) or V(role_grants) (C(AccessDenied)),
    that check fails and names the IAM actions it needs; the other checks are still reported.
  - V(access_key) - the key in the vault file is an Active key of the user.
  - V(caller_identity) - the vaulted key signs as the user. A successful V(assume_role) on a role that trusts exactly
    the user implies it; otherwise C(sts:GetCallerIdentity) signed with the vaulted key is called to tell a bad key
    from a missing permission.
  - V(assume_role) - C(sts:AssumeRole) on the role signed with the vaulted key succeeds.
  - A check that cannot run because an earlier link is missing is reported as not checked (not ok).
  - When a check fails the task fails, unless O(fail_on_error=false), with a message that names the broken link (which
    policy, which role, which key ID) and the fix, such as re-running C(playbooks/onboard.yml) or rotating the key with
    C(playbooks/rotate_key.yml).
  - Makes only read calls. On a sound chain that is twelve IAM calls (GetUser, GetRole, ListAttachedRolePolicies,
    GetPolicy, GetPolicyVersion, GetUserPolicy; ListAttachedUserPolicies, ListUserPolicies, ListGroupsForUser,
    GetLoginProfile, ListRolePolicies; ListAccessKeys) and one STS call with the vaulted key (AssumeRole); with
    O(scope=live), the STS call alone. The documents of extra policies, and the policies of the user's groups
    (ListAttachedGroupPolicies, ListGroupPolicies, GetUserPolicy, GetRolePolicy, GetGroupPolicy, GetPolicy,
    GetPolicyVersion), are read only when there are some.
  - The secret access key is read from the vault file into memory on the controller, used to sign the STS calls,
    and never returned, logged or printed. The temporary credentials of the assumed role are discarded.
options:
  user_name:
    description: Name of the IAM user whose key signs SP-API calls.
    type: str
    default: SellingPartnerAPIUser
  role_name:
    description: Name of the IAM role the user assumes, the one registered as the app client's IAM ARN.
    type: str
    default: SellingPartnerAPIRole
  policy_name:
    description:
      - Name of the customer-managed policy with the SP-API document, attached to the role.
      - When it is attached to the role its ARN (and path) comes from the attachment; otherwise it is looked up at
        path V(/).
    type: str
    default: SellingPartnerAPI
  sts_policy_name:
    description: Name of the user's inline policy that allows C(sts:AssumeRole) on the role.
    type: str
    default: SellingPartnerAPIAssumeRole
  vault_file:
    description:
      - Path of the Ansible Vault file written by M(spapi.onboarding.access_key), decrypted with the vault secrets
        given to ansible-playbook (C(--vault-id) or C(--vault-password-file)).
      - A relative path is relative to the directory ansible-playbook runs from. V(s3://BUCKET/KEY) reads the vault
        from S3 (see M(spapi.onboarding.access_key)), with the task's own AWS options.
      - When not set, the V(access_key), V(caller_identity) and V(assume_role) checks are skipped and reported as such.
      - When set but no vault secret is loaded, the task fails before any AWS call.
    type: path
  assume_role:
    description:
      - Make the live calls with the vaulted key, C(sts:GetCallerIdentity) and C(sts:AssumeRole).
      - When V(false), both are reported as skipped (and ok).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for IAM and STS to accept a brand-new key, user or role (created in the last five minutes,
        by AWS's clock). Only the known propagation errors are retried, C(InvalidClientTokenId) and, on
        C(sts:AssumeRole), C(AccessDenied); with older links they fail at once.
    type: int
    default: 30
  scope:
    description:
      - V(chain) checks every link, as listed above.
      - V(live) only makes the live C(sts:AssumeRole) with the vaulted key on O(role_arn), and reports the other checks
        as not run (status V(skipped), detail starting with C(not run:)); its RV(msg) says how many checks passed and
        how many were not run, and does not call the chain sound. It is meant for the end of a play whose earlier tasks have just ensured each link (as the
        C(spapi.onboarding.iam) role does), where reading them all again would only repeat those reads. Because
        nothing is read, propagation errors are waited for within O(wait_timeout) as for a brand-new chain.
      - V(live) does not look for grants beyond the chain (V(user_grants), V(role_grants)); run V(chain), as
        C(playbooks/verify.yml) does, for that.
    type: str
    choices: [chain, live]
    default: chain
  role_arn:
    description:
      - ARN of the role, as returned by M(spapi.onboarding.iam_role). Required when O(scope=live); not used otherwise.
    type: str
  fail_on_error:
    description:
      - Fail the task when a check fails.
      - When V(false), the task succeeds with RV(ok=false) and the failed checks in RV(checks), for reports.
      - Bad options and an unreadable vault secret fail the task either way.
    type: bool
    default: true
extends_documentation_fragment:
  - spapi.onboarding.aws
attributes:
  action:
    support: full
    description: Runs on the controller through its action plugin, which holds the vault secrets.
  async:
    support: none
    description: Runs in-process on the controller.
  check_mode:
    support: full
    description: Read-only; runs the same checks, including the live STS calls, in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to diff.
  platform:
    support: full
    platforms: all
    description: Runs on the controller, which needs boto3; the target host is not used.
notes:
  - This module runs on the controller through its action plugin, whatever the play's hosts and connection are,
    because the vault secrets exist only there.
  - An C(sts:ExternalId) condition on the trust policy, as M(spapi.onboarding.iam_role) writes it with its
    C(external_id) option, is accepted; the live C(sts:AssumeRole) then passes the same external ID.
  - IAM has no timestamp for a policy change, so an C(AccessDenied) right after repairing the trust or STS policy of
    an older chain is not waited for; run the task again a minute later.
seealso:
  - name: SP-API "Creating and configuring IAM policies and entities"
    description: Amazon's guide to the IAM chain this module checks.
    link: https://developer-docs.amazon.com/sp-api/docs/creating-and-configuring-iam-policies-and-entities
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Verify the SP-API IAM chain and try the stored key
  spapi.onboarding.verify:
    vault_file: sp-api-key.vault.yml
  register: sp_verify

- name: Show what was checked
  ansible.builtin.debug:
    msg: "{{ sp_verify.checks | map(attribute='detail') | list }}"

- name: At the end of a play that just ensured the chain, only prove the key can assume the role
  spapi.onboarding.verify:
    scope: live
    role_arn: "{{ sp_role.role.arn }}"
    vault_file: sp-api-key.vault.yml

- name: Daily report, without failing the play and without live calls
  spapi.onboarding.verify:
    user_name: SellingPartnerAPIUser
    role_name: SellingPartnerAPIRole
    vault_file: sp-api-key.vault.yml
    assume_role: false
    fail_on_error: false
  register: sp_report

- name: Alert on a broken chain
  ansible.builtin.debug:
    msg: "{{ sp_report.msg }}"
  when: not sp_report.ok
"""

RETURN = r"""
ok:
  description: Whether no check failed and none was left not checked (skipped checks do not make it false).
  returned: always
  type: bool
  sample: true
checks:
  description: One entry per check, in chain order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description:
        - The link checked, one of V(user), V(policy), V(role), V(policy_attached), V(trust_policy), V(sts_policy),
          V(user_grants), V(role_grants), V(access_key), V(caller_identity), V(assume_role).
      type: str
      sample: trust_policy
    ok:
      description: Whether the check does not make the chain unsound. A skipped check is ok; a check that could not run is not.
      type: bool
      sample: true
    status:
      description:
        - V(passed) or V(failed) when the check ran.
        - V(skipped) when the task's options say not to run it (no O(vault_file), O(assume_role=false), or
          O(scope=live) for the links the tasks before it ensured).
        - V(not checked) when it could not run because a link it needs is missing or broken.
      type: str
      choices: [passed, failed, skipped, not checked]
      sample: passed
    detail:
      description:
        - What was found, naming the resource. When the check did not run it starts with C(skipped:),
          C(not run:) (O(scope=live)) or C(not checked:), followed by the reason.
      type: str
      sample: IAM role SellingPartnerAPIRole trusts exactly IAM user arn:aws:iam::123456789012:user/SellingPartnerAPIUser
    fix:
      description: What to do about it.
      returned: when the check failed
      type: str
      sample: re-run playbooks/onboard.yml
  sample:
    - name: user
      ok: true
      status: passed
      detail: "IAM user SellingPartnerAPIUser exists: arn:aws:iam::123456789012:user/SellingPartnerAPIUser"
    - name: user_grants
      ok: false
      status: failed
      detail: >-
        IAM user SellingPartnerAPIUser has permissions beyond the SP-API chain: managed policy AdministratorAccess
        (arn:aws:iam::aws:policy/AdministratorAccess) allows * on *
      fix: >-
        remove it: aws iam detach-user-policy --user-name SellingPartnerAPIUser
        --policy-arn arn:aws:iam::aws:policy/AdministratorAccess
    - name: assume_role
      ok: true
      status: passed
      detail: >-
        sts:AssumeRole on arn:aws:iam::123456789012:role/SellingPartnerAPIRole with key AKIAEXAMPLEKEYID0001 succeeded
        as arn:aws:sts::123456789012:assumed-role/SellingPartnerAPIRole/spapi-onboarding-verify
msg:
  description: The verdict; when a link is broken, each broken link with its fix.
  returned: always
  type: str
  sample: "the SP-API IAM chain is sound: 11 checks passed"
user_arn:
  description: ARN of the user, as IAM reports it.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:user/SellingPartnerAPIUser
role_arn:
  description: ARN of the role, the value of the app client's IAM ARN field.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:role/SellingPartnerAPIRole
policy_arn:
  description: ARN of the SP-API managed policy; V(null) when it does not exist.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:policy/SellingPartnerAPI
access_key_id:
  description: ID of the access key in the vault file (never the secret); V(null) without a usable vault file.
  returned: always
  type: str
  sample: AKIAEXAMPLEKEYID0001
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import (
    DEFAULT_POLICY_NAME,
    DEFAULT_ROLE_NAME,
    DEFAULT_STS_POLICY_NAME,
    DEFAULT_USER_NAME,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import refuse_outside_controller

ARGUMENT_SPEC = dict(
    user_name=dict(type="str", default=DEFAULT_USER_NAME),
    role_name=dict(type="str", default=DEFAULT_ROLE_NAME),
    policy_name=dict(type="str", default=DEFAULT_POLICY_NAME),
    sts_policy_name=dict(type="str", default=DEFAULT_STS_POLICY_NAME),
    vault_file=dict(type="path"),
    assume_role=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=30),
    fail_on_error=dict(type="bool", default=True),
    scope=dict(type="str", choices=["chain", "live"], default="chain"),
    role_arn=dict(type="str"),
)


def main():
    refuse_outside_controller(ARGUMENT_SPEC, "verify")


if __name__ == "__main__":
    main()
