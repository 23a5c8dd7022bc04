# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SP-API policy documents and their canonical comparison.

The documents are exactly the ones of Amazon's SP-API onboarding flow: nothing
broader. Comparison ignores what IAM ignores (key order, statement order, a
scalar versus a one-element list) so converged resources are never rewritten.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re
from urllib.parse import unquote

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

# The names of the chain, as Amazon's SP-API guide and the seed guide use them.
DEFAULT_USER_NAME = "SellingPartnerAPIUser"
DEFAULT_POLICY_NAME = "SellingPartnerAPI"
DEFAULT_ROLE_NAME = "SellingPartnerAPIRole"
DEFAULT_STS_POLICY_NAME = "SellingPartnerAPIAssumeRole"

POLICY_VERSION = "2012-10-17"
# IAM reads a document without Version as the 2008 grammar.
IMPLIED_VERSION = "2008-10-17"

SP_API_POLICY = {
    "Version": POLICY_VERSION,
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "execute-api:Invoke",
            "Resource": "arn:aws:execute-api:*:*:*",
        }
    ],
}

# Statement members whose value is a set: order and scalar-vs-list do not matter.
_SET_KEYS = ("Action", "NotAction", "Resource", "NotResource")


def sp_api_policy():
    return copy.deepcopy(SP_API_POLICY)


def trust_policy(principal_arns, external_id=None):
    """Trust policy letting exactly these principals assume the role."""
    principals = principal_arns[0] if len(principal_arns) == 1 else sorted(principal_arns)
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": principals},
        "Action": "sts:AssumeRole",
    }
    if external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return {"Version": POLICY_VERSION, "Statement": [statement]}


def assume_role_policy(role_arns):
    """The user's inline "STS policy": sts:AssumeRole on exactly these roles."""
    resource = role_arns[0] if len(role_arns) == 1 else sorted(role_arns)
    return {
        "Version": POLICY_VERSION,
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource}],
    }


def parse_document(value, option):
    """Accept a dict or a JSON string; refuse anything that is not a policy document."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValidationError(option, "is not valid JSON: %s" % exc)
    if not isinstance(value, dict):
        raise ValidationError(option, "must be a JSON object (a policy document)")
    statements = value.get("Statement")
    if not statements or not isinstance(statements, (dict, list)):
        raise ValidationError(option, "a policy document needs a 'Statement' (an object or a list of objects)")
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise ValidationError(option, "every statement needs 'Effect': 'Allow' or 'Deny'")
    return value


def decode_document(document):
    """IAM returns documents URL-encoded; botocore usually decodes them already."""
    if isinstance(document, dict):
        return document
    try:
        return json.loads(document)
    except ValueError:
        return json.loads(unquote(document))


def _as_sorted_list(value):
    values = value if isinstance(value, list) else [value]
    return sorted(set(str(v) for v in values))


def _canonical_statement(statement):
    result = {}
    for key, value in statement.items():
        if key in _SET_KEYS:
            result[key] = _as_sorted_list(value)
        elif key in ("Principal", "NotPrincipal") and isinstance(value, dict):
            result[key] = dict((k, _as_sorted_list(v)) for k, v in value.items())
        elif key == "Condition" and isinstance(value, dict):
            result[key] = dict(
                (op, dict((k, _as_sorted_list(v)) for k, v in (pairs or {}).items()))
                for op, pairs in value.items()
            )
        else:
            result[key] = value
    return result


def canonical(document):
    """A normal form of a policy document: equal forms mean IAM reads them the same."""
    if isinstance(document, str):
        document = json.loads(document)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    canonical_statements = [_canonical_statement(s) for s in statements]
    canonical_statements.sort(key=lambda s: json.dumps(s, sort_keys=True))
    result = dict((k, v) for k, v in document.items() if k != "Statement")
    result["Version"] = document.get("Version", IMPLIED_VERSION)
    result["Statement"] = canonical_statements
    return result


def same_policy(left, right):
    if left is None or right is None:
        return left is right
    return canonical(left) == canonical(right)


def allowed_principals(document):
    """Every principal an Allow statement of a (trust) document names, as sorted strings.

    AWS principals stay as written (ARNs, account ids, or the unique ids IAM puts in
    place of a deleted user); other kinds are prefixed with their kind ("Service:...").
    """
    principals = set()
    for statement in canonical(document or {})["Statement"]:
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            for kind, values in principal.items():
                principals.update(values if kind == "AWS" else ["%s:%s" % (kind, v) for v in values])
        elif principal is not None:
            principals.add(str(principal))
    return sorted(principals)


def wildcard_match(pattern, value):
    """IAM's ARN matching: * is any run of characters, ? any one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def allowed_resources(document):
    """Every resource an Allow statement of a document names (the roles of an STS policy)."""
    resources = set()
    for statement in canonical(document or {})["Statement"]:
        if statement.get("Effect") == "Allow":
            resources.update(statement.get("Resource", []))
    return sorted(resources)


def to_json(document):
    """Compact, stable JSON as sent to IAM."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))
