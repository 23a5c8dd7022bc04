"""What verify says about a document that is not the one it should be: pure, table-driven, no AWS."""

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import sp_api_policy
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policy_analysis import (
    describe_difference,
    pair_within,
    principal_words,
    trust_external_id,
)

INVOKE = ("execute-api:Invoke", "arn:aws:execute-api:*:*:*")


def allow(action, resource, **extra):
    statement = dict({"Effect": "Allow", "Action": action, "Resource": resource}, **extra)
    return {"Version": "2012-10-17", "Statement": [statement]}


@pytest.mark.parametrize("pair, other, expected", [
    (INVOKE, INVOKE, True),
    (("execute-api:Invoke", "arn:aws:execute-api:eu-west-1:*:*"), INVOKE, True),
    (("*", "*"), INVOKE, False),
    (("EXECUTE-API:invoke", INVOKE[1]), INVOKE, True),  # actions are case-insensitive
    (("execute-api:Invoke", "ARN:aws:execute-api:*:*:*"), INVOKE, False),  # resources are not
    (("execute-api:Invoke\n", INVOKE[1]), INVOKE, False),  # a trailing newline makes another action
    (("execute-api:Invoke", "arn:aws:execute-api:us-east-1:1:a"), ("execute-api:Invok?", INVOKE[1]), True),
])
def test_pair_within(pair, other, expected):
    assert pair_within(pair, other) is expected


@pytest.mark.parametrize("document, words", [
    (allow("*", "*"), "widened: it also allows * on *"),
    (allow("execute-api:Invoke", "arn:aws:execute-api:eu-west-1:*:*"),
     "narrowed: it does not allow execute-api:Invoke on arn:aws:execute-api:*:*:* "
     "(only execute-api:Invoke on arn:aws:execute-api:eu-west-1:*:*)"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]},
     "widened: it also allows an Allow statement with NotAction/NotResource (allows everything else); "
     "narrowed: it does not allow execute-api:Invoke on arn:aws:execute-api:*:*:*"),
    (allow("execute-api:Invoke", "arn:aws:execute-api:*:*:*", Condition={"Bool": {"aws:SecureTransport": "true"}}),
     "narrowed: it does not allow execute-api:Invoke on arn:aws:execute-api:*:*:*; "
     "it adds an Allow statement with a Condition"),
    ({"Statement": sp_api_policy()["Statement"]}, "Version is 2008-10-17 instead of 2012-10-17"),
])
def test_describe_difference_says_how_a_document_differs(document, words):
    assert describe_difference(document, sp_api_policy()) == words


def trust(**condition):
    statement = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/u"}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


@pytest.mark.parametrize("document, external_id", [
    (trust(), None),
    (trust(StringEquals={"sts:ExternalId": "abc"}), "abc"),
    (trust(StringEquals={"sts:ExternalId": ["abc"]}), "abc"),
    (trust(StringEquals={"sts:ExternalId": ["abc", "def"]}), None),  # two ids: not the one iam_role writes
    (trust(StringEquals={"sts:ExternalId": "abc", "aws:PrincipalTag/team": "x"}), None),
    (trust(StringLike={"sts:ExternalId": "a*"}), None),
])
def test_trust_external_id(document, external_id):
    assert trust_external_id(document) == external_id


@pytest.mark.parametrize("principal, words", [
    ("*", "anyone (*)"),
    ("123456789012", "the account root 123456789012 (every principal of the account that IAM lets assume roles)"),
    ("arn:aws:iam::123456789012:root", "the account root arn:aws:iam::123456789012:root (every principal of the "
                                       "account that IAM lets assume roles)"),
    ("AIDAEXAMPLE", "AIDAEXAMPLE (a deleted principal: IAM replaced its ARN by its unique id)"),
    ("arn:aws:iam::123456789012:user/u", "arn:aws:iam::123456789012:user/u"),
])
def test_principal_words(principal, words):
    assert principal_words(principal, "123456789012") == words
