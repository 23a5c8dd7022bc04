"""What verify counts as a grant beyond the SP-API chain, and how it says so: pure functions, no AWS."""

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policy_analysis import (
    allowances,
    grants_verdict,
    group_grants,
    policy_grants,
)

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DENY_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
# The usual hardening of a long-lived key: deny everything from outside the office.
DENY_OUTSIDE = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Action": "*", "Resource": "*",
    "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
S3_READ = {"Statement": {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                         "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"]}}


@pytest.mark.parametrize("document, expected", [
    (ALLOW_ALL, ["* on *"]),
    (DENY_ALL, []),
    (DENY_OUTSIDE, []),
    ({"Statement": []}, []),
    # Scalars and lists, in any order, read the same.
    (S3_READ, ["s3:GetObject, s3:ListBucket on arn:aws:s3:::b, arn:aws:s3:::b/*"]),
    # NotAction/NotResource allow everything else: said so, not hidden.
    ({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}, ["every action except iam:* on *"]),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}]},
     ["s3:* on every resource except arn:aws:s3:::secret/*"]),
    # A condition narrows when an Allow applies; it still allows.
    ({"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
                     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]},
     ["ec2:* on * (under a condition)"]),
    # A Deny beside an Allow does not cancel the Allow's report.
    ({"Statement": [ALLOW_ALL["Statement"][0], DENY_ALL["Statement"][0]]}, ["* on *"]),
    # Even the SP-API grant counts when it comes from a policy that is not the chain's.
    ({"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*"}]},
     ["execute-api:Invoke on arn:aws:execute-api:*:*:*"]),
])
def test_allowances_name_what_each_allow_statement_allows(document, expected):
    assert allowances(document) == expected


def test_policy_grants_separates_grants_from_policies_that_only_deny():
    grants, harmless = policy_grants([
        ("managed policy AdministratorAccess (arn:aws:iam::123456789012:policy/AdministratorAccess)", ALLOW_ALL,
         "detach it"),
        ("inline policy office-only", DENY_OUTSIDE, "delete it"),
        ("inline policy s3-read", S3_READ, "delete s3-read"),
    ])
    assert grants == [
        ("managed policy AdministratorAccess (arn:aws:iam::123456789012:policy/AdministratorAccess) allows * on *",
         "detach it"),
        ("inline policy s3-read allows s3:GetObject, s3:ListBucket on arn:aws:s3:::b, arn:aws:s3:::b/*",
         "delete s3-read"),
    ]
    assert harmless == ["inline policy office-only only denies"]


def test_policy_grants_of_nothing_is_nothing():
    assert policy_grants([]) == ([], [])


@pytest.mark.parametrize("policies, expected", [
    ([("managed policy AdministratorAccess (arn:x)", ALLOW_ALL, None)],
     (("group admins: managed policy AdministratorAccess (arn:x) allows * on *", "leave admins"), None)),
    ([("inline policy a", ALLOW_ALL, None), ("inline policy b", S3_READ, None)],
     (("group admins: inline policy a allows * on *; inline policy b allows s3:GetObject, s3:ListBucket on "
       "arn:aws:s3:::b, arn:aws:s3:::b/*", "leave admins"), None)),
    # A group without policies, or with Deny-only ones, grants nothing: membership alone is not a grant.
    ([], (None, "group admins grants nothing")),
    ([("inline policy office-only", DENY_OUTSIDE, None)], (None, "group admins grants nothing")),
])
def test_group_grants(policies, expected):
    assert group_grants("admins", policies, "leave admins") == expected


@pytest.mark.parametrize("grants, harmless, clean, expected", [
    ([], [], None, (True, "IAM user U has no permissions beyond the SP-API chain", None)),
    ([], ["inline policy d only denies", "group g grants nothing"], None,
     (True, "IAM user U has no permissions beyond the SP-API chain (inline policy d only denies; group g grants "
            "nothing)", None)),
    ([], [], "IAM user U has no inline policy that grants anything",
     (True, "IAM user U has no inline policy that grants anything", None)),
    ([("a console password (login profile)", "aws iam delete-login-profile --user-name U")], [], None,
     (False, "IAM user U has permissions beyond the SP-API chain: a console password (login profile)",
      "remove it: aws iam delete-login-profile --user-name U")),
    ([("inline policy x allows * on *", "fix x"), ("group g: ...", "fix g")], ["inline policy d only denies"], "unused",
     (False, "IAM user U has permissions beyond the SP-API chain: inline policy x allows * on *; group g: ... "
             "(inline policy d only denies)", "remove each: fix x; fix g")),
])
def test_grants_verdict_names_every_grant_and_its_fix(grants, harmless, clean, expected):
    assert grants_verdict("IAM user U", grants, harmless, clean=clean) == expected
