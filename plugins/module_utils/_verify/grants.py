# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""verify's reads of everything else that gives the SP-API user or role permissions.

The chain gives the user one inline policy (sts:AssumeRole on the role) and the role one
managed policy (execute-api:Invoke). Anything more on either, a managed or inline policy,
a group with policies, a console password, makes the vaulted long-lived key worth more
than SP-API calls: these checks find it and name how to remove it. What counts as a grant
is decided in _policy_analysis; here are only the IAM reads, each one paginated.

On a clean chain this is five reads: ListAttachedUserPolicies, ListUserPolicies,
ListGroupsForUser, GetLoginProfile, ListRolePolicies. The documents of extra policies
(and the policies of the user's groups) are read only when there are some.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure, read
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import default_document, list_all
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import decode_document
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policy_analysis import (
    grants_verdict,
    group_grants,
    policy_grants,
)

ROLE_ASIDE = "its attached managed policies are checked by policy_attached"
# The reads of each check, for the fix when the identity running verify may not make them.
USER_READS = ("iam:ListAttachedUserPolicies", "iam:ListUserPolicies", "iam:GetUserPolicy", "iam:ListGroupsForUser",
              "iam:ListAttachedGroupPolicies", "iam:ListGroupPolicies", "iam:GetGroupPolicy", "iam:GetPolicy",
              "iam:GetPolicyVersion", "iam:GetLoginProfile")
ROLE_READS = ("iam:ListRolePolicies", "iam:GetRolePolicy")


class _ManagedDocuments:
    """Default-version documents of managed policies, each read once (a user and its group may share one)."""

    def __init__(self, iam):
        self.iam = iam
        self.known = {}

    def get(self, arn):
        if arn not in self.known:
            found = read("read IAM policy %s" % arn, self.iam.get_policy, PolicyArn=arn)
            # None: deleted since it was listed, so it grants nothing any more.
            self.known[arn] = default_document(self.iam, found["Policy"]) if found else None
        return self.known[arn]


def _managed(documents, attached, fix=None):
    """(label, document, fix) of each attached managed policy that still exists; fix(arn) words its removal."""
    policies = []
    for policy in attached:
        arn = policy["PolicyArn"]
        document = documents.get(arn)
        if document is not None:
            policies.append(("managed policy %s (%s)" % (policy["PolicyName"], arn), document, fix and fix(arn)))
    return policies


def _inline(names, owner, method, fix=None, **request):
    """(label, document, fix) of each inline policy that still exists; fix(name) words its removal."""
    policies = []
    for name in names:
        found = read("read inline policy %s of %s" % (name, owner), method, PolicyName=name, **request)
        if found:
            policies.append(("inline policy %s" % name, decode_document(found["PolicyDocument"]), fix and fix(name)))
    return policies


def _user_policies(iam, documents, user_name, sts_policy_name):
    """The user's own policies beyond the STS policy, which the sts_policy check judges."""
    owner = "IAM user '%s'" % user_name
    attached = list_all("list the policies attached to " + owner, iam,
                        "list_attached_user_policies", "AttachedPolicies", UserName=user_name)
    names = list_all("list the inline policies of " + owner, iam, "list_user_policies", "PolicyNames", UserName=user_name)
    return (
        _managed(documents, attached,
                 lambda arn: "aws iam detach-user-policy --user-name %s --policy-arn %s" % (user_name, arn))
        + _inline([n for n in names if n != sts_policy_name], owner, iam.get_user_policy,
                  lambda name: "aws iam delete-user-policy --user-name %s --policy-name %s" % (user_name, name),
                  UserName=user_name))


def _group_policies(iam, documents, group_name):
    """Every policy of a group. Their fix is leaving the group: others may need what it grants."""
    owner = "IAM group '%s'" % group_name
    attached = list_all("list the policies attached to " + owner, iam,
                        "list_attached_group_policies", "AttachedPolicies", GroupName=group_name)
    names = list_all("list the inline policies of " + owner, iam, "list_group_policies", "PolicyNames",
                     GroupName=group_name)
    return _managed(documents, attached) + _inline(names, owner, iam.get_group_policy, GroupName=group_name)


def _grants_check(name, kind, reads):
    """A grants check of the user or the role (kind), run only when that entity exists.

    An AccessDenied on its reads fails that check, not the whole task: unread grants cannot
    be ruled out, so the check fails, naming the permissions it needs; the other checks are
    still reported.
    """
    def decorator(check):
        def run(task, report, chain):
            entity_name = task.params["%s_name" % kind]
            if getattr(chain, kind)() is None:
                report.not_checked(name, "IAM %s %s does not exist" % (kind, entity_name))
                return
            try:
                check(task.aws.iam, report, entity_name, task.params)
            except AwsFailure as exc:
                if exc.code not in ("AccessDenied", "AccessDeniedException"):
                    raise
                report.failed(name, "could not read everything that gives IAM %s %s permissions: %s"
                              % (kind, entity_name, exc),
                              "allow the identity running verify %s (the operator policy in the guide lists them)"
                              % ", ".join(reads))
        return run
    return decorator


@_grants_check("user_grants", "user", USER_READS)
def check_user_grants(iam, report, user_name, params):
    documents = _ManagedDocuments(iam)
    grants, harmless = policy_grants(_user_policies(iam, documents, user_name, params["sts_policy_name"]))
    groups = list_all("list the groups of IAM user '%s'" % user_name, iam,
                      "list_groups_for_user", "Groups", UserName=user_name)
    for group in groups:
        name = group["GroupName"]
        grant, why_not = group_grants(name, _group_policies(iam, documents, name),
                                      "aws iam remove-user-from-group --group-name %s --user-name %s" % (name, user_name))
        if grant:
            grants.append(grant)
        else:
            harmless.append(why_not)
    # NoSuchEntity (None) is the sound answer: the SP-API user never signs in to the console.
    if read("read the login profile of IAM user '%s'" % user_name, iam.get_login_profile, UserName=user_name):
        grants.append(("a console password (login profile): anyone who has it signs in to the AWS console as this user",
                       "aws iam delete-login-profile --user-name %s" % user_name))
    _report(report, "user_grants", grants_verdict("IAM user %s" % user_name, grants, harmless))


def check_role_grants(task, report, chain):
    """role_grants, unless the role serves someone else: its inline policies are then its owner's."""
    if chain.foreign():
        report.not_checked("role_grants", chain.foreign_reason())
        return
    _role_grants(task, report, chain)


@_grants_check("role_grants", "role", ROLE_READS)
def _role_grants(iam, report, role_name, params):
    owner = "IAM role '%s'" % role_name
    names = list_all("list the inline policies of " + owner, iam, "list_role_policies", "PolicyNames", RoleName=role_name)
    grants, harmless = policy_grants(_inline(
        names, owner, iam.get_role_policy,
        lambda name: "aws iam delete-role-policy --role-name %s --policy-name %s" % (role_name, name),
        RoleName=role_name))
    # Extra managed policies on the role are the policy_attached check's to name: one finding, one place.
    _report(report, "role_grants", grants_verdict(
        "IAM role %s" % role_name, grants, harmless,
        clean="IAM role %s has no inline policy that grants anything; %s" % (role_name, ROLE_ASIDE)))


def _report(report, name, verdict):
    ok, detail, fix = verdict
    if ok:
        report.passed(name, detail)
    else:
        report.failed(name, detail, fix)
