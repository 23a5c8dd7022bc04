# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whose role it is: the pure rules behind takeover refusal, safe removal and least-privilege warnings.

An identity is an IAM user. A role belongs to the identity whose user its trust policy names
(or whose account root, as Amazon's console guide builds it); one that trusts someone else is
another identity's, and is neither taken over nor removed without on_conflict=replace. Only IAM
principals and deleted ones (their unique ids) are principals an identity may repair: a role
that trusts a service, an identity provider or anyone else is always someone else's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import allowed_principals
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import PARTITIONS, ValidationError

# IAM shows a deleted user or role in a trust policy as its unique id (AIDA..., AROA...): it trusts nobody alive.
DELETED_PRINCIPAL = re.compile(r"(AIDA|AROA)[A-Z0-9]{12,28}\Z")
# What this identity may repair: IAM users, roles and account roots (an account id is its root's short form).
IAM_PRINCIPAL = re.compile(r"(arn:(%s):iam::\d{12}:\S+|\d{12})\Z" % PARTITIONS)
KINDS = (("Service:", "the AWS service %s"), ("Federated:", "the identity provider %s"),
         ("CanonicalUser:", "the canonical user %s"))


def _is_stale(principal):
    return DELETED_PRINCIPAL.match(principal) is not None


def outsiders(document):
    """Principals a trust policy names that are neither IAM principals nor deleted ones, in words.

    A service (a Lambda or EC2 role), an identity provider (a SAML or OIDC role), anyone (*):
    such a role serves someone else, whatever else it trusts, and is never repaired into ours.
    """
    words = []
    for principal in allowed_principals(document):
        if _is_stale(principal) or IAM_PRINCIPAL.match(principal):
            continue
        kind = [w for prefix, w in KINDS if principal.startswith(prefix)]
        if kind:
            words.append(kind[0] % principal.split(":", 1)[1])
        else:
            words.append("anyone (*)" if principal == "*" else principal)
    return words


def foreign_principals(current_document, wanted_principals):
    """Principals the role trusts now that are not the wanted ones: the role serves someone else."""
    return [p for p in allowed_principals(current_document) if p not in wanted_principals and not _is_stale(p)]


def _reaches(principal, wanted):
    """Whether a trusted principal lets the wanted one assume the role: itself, or its account's root."""
    account = wanted.split(":")[4] if wanted.count(":") >= 5 else None
    return principal == wanted or (account is not None and principal in (account, "arn:%s:iam::%s:root" % (
        wanted.split(":")[1], account)))


def refuse_takeover(task, name, current_document, trust):
    """Fail before any write when the role serves someone else, unless on_conflict=replace.

    A role whose trust reaches none of the wanted principals belongs to another identity.
    One that reaches them (drifted, widened, or trusting the account root as Amazon's guide
    builds it) is this identity's, and its trust is repaired.
    """
    wanted = allowed_principals(trust)
    current = [p for p in allowed_principals(current_document) if not _is_stale(p)]
    if not current or task.params["on_conflict"] == "replace":
        return
    others = outsiders(current_document)
    if others:
        raise ValidationError(
            "name", "the existing IAM role %s trusts %s: it serves that, not an SP-API identity, and is left as it "
                    "is (nothing was changed). Give this identity a role of its own (another role name), or set "
                    "on_conflict=replace to make the role trust %s instead"
                    % (name, ", ".join(others), ", ".join(wanted)))
    if any(_reaches(p, w) for p in current for w in wanted):
        return
    raise ValidationError(
        "name", "the existing IAM role %s trusts %s, not %s: it belongs to another identity and is left as it is. "
                "Give this identity a role of its own (another role name), or set on_conflict=replace to make the "
                "role trust %s instead" % (name, ", ".join(current), ", ".join(wanted), ", ".join(wanted)))


def serves_someone_else(document, user_arn):
    """Whom a role serves instead of the user (a list of words), or None when it is the user's or nobody's."""
    others = outsiders(document)
    if others:
        return others
    current = [p for p in allowed_principals(document) if not _is_stale(p)]
    if not current or any(_reaches(p, user_arn) for p in current):
        return None
    return current


def reasons_to_keep(view, inline_policies, owner_principals, own_policy_arns):
    """Why a role asked to be removed for an identity is not only that identity's (empty: it is)."""
    reasons = []
    others = foreign_principals(view["assume_role_policy_document"], owner_principals)
    if others:
        reasons.append("it also trusts %s" % ", ".join(others))
    if own_policy_arns is not None:
        extra = sorted(set(view["attached_policy_arns"]) - set(own_policy_arns))
        if extra:
            reasons.append("it also has %s attached" % ", ".join(extra))
    if inline_policies:
        reasons.append("it has inline policies (%s)" % ", ".join(sorted(inline_policies)))
    return reasons


def owner_principals(params):
    """The principals the task says the role is for (its identity)."""
    if params.get("trusted_user_arn"):
        return [params["trusted_user_arn"]]
    return sorted(set(params.get("trusted_principals") or []))


def wider_than_needed(principals, policy_arns, role_account):
    """Warnings for what makes the role more than the SP-API user's: whole accounts trusted, AWS managed policies."""
    warnings = []
    for principal in principals:
        account = principal.split(":")[4] if principal.startswith("arn:") else principal
        if principal.endswith(":root") or principal.isdigit():
            warnings.append("it trusts the whole account %s (every principal there that IAM allows), not one user"
                            % account)
        elif role_account and account != role_account:
            warnings.append("it trusts %s, of another account than the role's (%s)" % (principal, role_account))
    for arn in policy_arns:
        if ":iam::aws:policy/" in arn:
            warnings.append("it gets the AWS managed policy %s attached; SP-API needs only execute-api:Invoke "
                            "(the SellingPartnerAPI policy)" % arn)
    return warnings
