# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What policy documents allow, in words: the pure analysis behind verify's checks.

No AWS call here: every function takes documents (or what was listed) and returns
words, so each rule is unit-tested on its own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import canonical, to_json, wildcard_match


# --- one document against the one it should be ------------------------------------------------

def allow_pairs(document):
    """(action, resource) pairs a document allows outright, and notes on what else it says."""
    pairs, notes = set(), []
    for statement in canonical(document)["Statement"]:
        if statement.get("Effect") != "Allow":
            notes.append("a %s statement" % statement.get("Effect"))
            continue
        if "NotAction" in statement or "NotResource" in statement:
            notes.append("an Allow statement with NotAction/NotResource (allows everything else)")
            continue
        if "Condition" in statement:
            notes.append("an Allow statement with a Condition")
            continue
        for action in statement.get("Action", []):
            for resource in statement.get("Resource", []):
                pairs.add((action, resource))
    return pairs, notes


def pairs_text(pairs):
    return ", ".join("%s on %s" % pair for pair in sorted(pairs))


def pair_within(pair, other):
    """Whether every (action, resource) that `pair` names is named by `other` (IAM wildcards * and ?).

    The wildcards of `pair` are taken as literals, which is exact for the documents of this chain
    ("arn:aws:execute-api:eu-west-1:*:*" is within "arn:aws:execute-api:*:*:*", "*" is not within
    "execute-api:Invoke"). Action names are case-insensitive in IAM, resources are not.
    """
    return wildcard_match(other[0].lower(), pair[0].lower()) and wildcard_match(other[1], pair[1])


def describe_difference(actual, expected):
    """In words: how a document differs from the one it should be (widened, narrowed, or both)."""
    have, notes = allow_pairs(actual)
    want, dummy = allow_pairs(expected)
    # Widened: allows something outside every expected grant. Narrowed: an expected grant not fully allowed.
    extra = set(h for h in have if not any(pair_within(h, w) for w in want))
    missing = set(w for w in want if not any(pair_within(w, h) for h in have))
    words = []
    widening = [n for n in notes if "NotAction" in n]
    if extra or widening:
        words.append("widened: it also allows %s" % "; ".join(([pairs_text(extra)] if extra else []) + widening))
    if missing:
        narrower = sorted(have - extra)
        words.append("narrowed: it does not allow %s%s" % (
            pairs_text(missing), (" (only %s)" % pairs_text(narrower)) if narrower else ""))
    others = [n for n in notes if n not in widening]
    if others:
        words.append("it adds %s" % ", ".join(others))
    version = canonical(actual)["Version"]
    if version != canonical(expected)["Version"]:
        words.append("Version is %s instead of %s" % (version, canonical(expected)["Version"]))
    if not words:
        words.append("it differs: %s" % to_json(actual))
    return "; ".join(words)


# --- trust policies ------------------------------------------------------------------------------

def trust_external_id(document):
    """The sts:ExternalId of a trust policy whose only condition is that one, else None.

    iam_role's external_id option adds exactly this condition; verify accepts it and
    passes the same external ID to the live sts:AssumeRole.
    """
    statements = document.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    if len(statements) != 1 or not isinstance(statements[0], dict):
        return None
    condition = statements[0].get("Condition")
    if not isinstance(condition, dict) or list(condition) != ["StringEquals"]:
        return None
    pairs = condition["StringEquals"]
    if not isinstance(pairs, dict) or list(pairs) != ["sts:ExternalId"]:
        return None
    value = pairs["sts:ExternalId"]
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    return value if isinstance(value, str) and value else None


def principal_words(principal, account):
    if principal == "*":
        return "anyone (*)"
    if principal == account or principal.endswith(":root"):
        return "the account root %s (every principal of the account that IAM lets assume roles)" % principal
    if principal.startswith(("AIDA", "AROA")):
        return "%s (a deleted principal: IAM replaced its ARN by its unique id)" % principal
    return principal


# --- grants beyond the chain ----------------------------------------------------------------------

def _members(statement, key, kind):
    if "Not" + key in statement:
        return "every %s except %s" % (kind, ", ".join(statement["Not" + key]))
    return ", ".join(statement.get(key, [])) or "no %s" % kind


def allowances(document):
    """What each Allow statement of a document allows, in words; [] when it only denies.

    Conditions are not evaluated: an Allow under a condition still allows, sometimes.
    """
    words = []
    for statement in canonical(document)["Statement"]:
        if statement.get("Effect") != "Allow":
            continue
        text = "%s on %s" % (_members(statement, "Action", "action"), _members(statement, "Resource", "resource"))
        words.append(text + (" (under a condition)" if "Condition" in statement else ""))
    return sorted(set(words))


def policy_grants(policies):
    """Split policies beyond the chain into those that grant something and those that only deny.

    policies: (label, document, fix) triples, e.g. ("inline policy extra", {...}, "aws iam delete-user-policy ...").
    Returns (grants, harmless): grants are (words, fix) pairs naming what each one allows; harmless
    says which policies have no Allow at all (an explicit Deny only narrows the chain, as a
    permissions boundary would, so it is not an extra grant).
    """
    grants, harmless = [], []
    for label, document, fix in policies:
        allows = allowances(document)
        if allows:
            grants.append(("%s allows %s" % (label, "; ".join(allows)), fix))
        else:
            harmless.append("%s only denies" % label)
    return grants, harmless


def group_grants(group_name, policies, fix):
    """One group of the user: (grant, None) when any of its policies allows something, else (None, why not)."""
    grants, dummy = policy_grants(policies)
    if grants:
        return ("group %s: %s" % (group_name, "; ".join(words for words, dummy in grants)), fix), None
    return None, "group %s grants nothing" % group_name


def grants_verdict(owner, grants, harmless, clean=None):
    """(ok, detail, fix) of a grants check: owner is e.g. "IAM user SellingPartnerAPIUser".

    clean: the words for no grant at all, when the default ones would claim too much.
    """
    aside = (" (%s)" % "; ".join(harmless)) if harmless else ""
    if not grants:
        return True, (clean or "%s has no permissions beyond the SP-API chain" % owner) + aside, None
    detail = "%s has permissions beyond the SP-API chain: %s%s" % (
        owner, "; ".join(words for words, dummy in grants), aside)
    fix = "remove %s: %s" % ("it" if len(grants) == 1 else "each", "; ".join(fix for dummy, fix in grants))
    return False, detail, fix
