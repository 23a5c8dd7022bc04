# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The policy of a notification queue: SP-API's sender may send, and nobody outside the account may read.

The queue named in Notification Preferences carries every new LWA client secret. A statement that
lets another account (or anyone) receive from it hands that account each new secret, so the merged
policy keeps only statements whose principals are this account's or SP-API's sender account's,
plus Deny statements (they only take away), plus what keep_principals lists on purpose. Pure: no AWS.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import PARTITIONS, ValidationError
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import POLICY_VERSION, canonical

SP_API_SENDER_ACCOUNT = "437568002678"  # the account SP-API sends notifications from
SENDER_SID = "SpApiNotificationsSender"  # how the collection finds its own statement again
SENDER_ACTIONS = ["sqs:GetQueueAttributes", "sqs:SendMessage"]
ACCOUNT = re.compile(r"\d{12}\Z")
PRINCIPAL_ARN = re.compile(r"arn:(%s):(iam|sts)::(\d{12}):\S+\Z" % PARTITIONS)
SERVICE = re.compile(r"[a-z0-9.-]+\.amazonaws\.com(\.cn)?\Z")


def validate_keep_principals(values):
    """keep_principals: account ids, IAM or STS principal ARNs, or AWS service principals; never a wildcard."""
    for value in values or []:
        text = str(value)
        if "*" in text or "?" in text or not (ACCOUNT.fullmatch(text) or PRINCIPAL_ARN.fullmatch(text)
                                              or SERVICE.fullmatch(text)):
            raise ValidationError("keep_principals", "%r is not a 12-digit account id, an IAM principal ARN "
                                                     "(arn:aws:iam::<account>:...) or an AWS service principal "
                                                     "(sns.amazonaws.com); wildcards are not allowed" % (text,))


def sender_statement(queue_arn, sender_account=SP_API_SENDER_ACCOUNT):
    """SP-API's account may send to, and read the attributes of, exactly this queue."""
    partition = queue_arn.split(":")[1]
    return {"Sid": SENDER_SID, "Effect": "Allow",
            "Principal": {"AWS": "arn:%s:iam::%s:root" % (partition, sender_account)},
            "Action": list(SENDER_ACTIONS), "Resource": queue_arn}


def _values(value):
    return value if isinstance(value, list) else [value]


def _named(principal):
    """Every principal a statement names, as (kind, value) pairs."""
    if isinstance(principal, dict):
        return [(kind, str(v)) for kind, values in principal.items() for v in _values(values)]
    return [("AWS", str(v)) for v in _values(principal)]


def rejection(statement, queue_arn):
    """Why a statement may not stay in the queue policy, or None when it may."""
    if not isinstance(statement, dict):
        return "it is not a JSON object"
    if "NotPrincipal" in statement or "Principal" not in statement:
        return "it does not name its principals (Principal)"
    if any("*" in value for dummy, value in _named(statement["Principal"])):
        return "it names everyone ('*') as principal"
    if "NotResource" in statement or _values(statement.get("Resource")) != [queue_arn]:
        return "its Resource is not exactly the queue ARN %s" % queue_arn
    return None


def _account_of(value):
    if ACCOUNT.fullmatch(value):
        return value
    found = PRINCIPAL_ARN.fullmatch(value)
    return found.group(3) if found else None


def outside_principals(statement, accounts, keep):
    """The principals of an Allow statement outside `accounts` that keep_principals does not list."""
    if statement.get("Effect") != "Allow":
        return []  # a Deny only takes away
    outside = []
    for kind, value in _named(statement["Principal"]):
        account = _account_of(value) if kind == "AWS" else None
        if account in accounts or value in keep or (account is not None and account in keep):
            continue
        outside.append(value if kind == "AWS" else "%s:%s" % (kind, value))
    return outside


def _root_form(value):
    """An account id and its root ARN name the same principal: compare keep_principals in one form."""
    found = PRINCIPAL_ARN.fullmatch(value)
    return found.group(3) if found and value.endswith(":root") else value


def merge_policy(current, queue_arn, sender_account=SP_API_SENDER_ACCOUNT, keep_principals=()):
    """The policy the queue should have: the statements a user added that are safe to keep, plus
    ours (in place of any statement with our Sid). Returns (policy, [(sid, why removed)])."""
    current = current or {}
    statements = current.get("Statement", [])
    ours = sender_statement(queue_arn, sender_account)
    own_account = queue_arn.split(":")[4]
    accounts = (own_account, str(sender_account))
    keep = set(_root_form(str(k)) for k in keep_principals or ())
    kept, removed, placed = [], [], False
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, dict) and statement.get("Sid") == SENDER_SID:
            if not placed:
                kept.append(ours)
                placed = True
            continue
        why = rejection(statement, queue_arn)
        outside = [] if why else outside_principals(statement, accounts, keep)
        if outside:
            why = ("it lets %s, outside this account (%s) and SP-API's sender account (%s), reach the queue that "
                   "carries new LWA client secrets; list them in keep_principals to keep such a grant"
                   % (", ".join(outside), own_account, sender_account))
        if why:
            removed.append(((statement.get("Sid") if isinstance(statement, dict) else None) or "(no Sid)", why))
        else:
            kept.append(statement)
    if not placed:
        kept.append(ours)
    policy = dict((k, v) for k, v in current.items() if k not in ("Version", "Statement"))
    policy.update(Version=POLICY_VERSION, Statement=kept)
    return policy, removed


def _root_arns(document):
    """AWS may show an account principal as its root ARN or as the bare id: compare them alike."""
    def norm(value):
        return "arn:aws:iam::%s:root" % value if ACCOUNT.fullmatch(str(value)) else value
    result = canonical(document)
    for statement in result["Statement"]:
        principal = statement.get("Principal")
        if isinstance(principal, dict) and "AWS" in principal:
            principal["AWS"] = sorted(norm(v) for v in principal["AWS"])
    return result


def same_queue_policy(left, right):
    if not left or not right:
        return left == right
    return _root_arns(left) == _root_arns(right)
