"""Foreign roles stay foreign: only IAM principals and deleted ones (unique ids) are this identity's to repair.

Pure: trust documents are given as data (issue 20, item 5: a Lambda or SAML role was taken over because
its non-ARN principals were read as deleted principals' unique ids).
"""

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import trust_policy
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.role_ownership import (
    foreign_principals,
    outsiders,
    reasons_to_keep,
    refuse_takeover,
    serves_someone_else,
)

ACCOUNT = "123456789012"
USER = "arn:aws:iam::%s:user/SellingPartnerAPIUser" % ACCOUNT
ROOT = "arn:aws:iam::%s:root" % ACCOUNT
SAML = "arn:aws:iam::%s:saml-provider/Okta" % ACCOUNT
OIDC = "arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com" % ACCOUNT
DELETED_USER = "AIDAEXAMPLEDELETEDUSR"
DELETED_ROLE = "AROA3XFRBF535PLBIFPI4"


class FakeTask:
    def __init__(self, on_conflict="refuse"):
        self.params = {"on_conflict": on_conflict}


def trusting(principal, action="sts:AssumeRole"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action}]}


LAMBDA = trusting({"Service": "lambda.amazonaws.com"})
SAML_ROLE = trusting({"Federated": SAML}, "sts:AssumeRoleWithSAML")
OIDC_ROLE = trusting({"Federated": OIDC}, "sts:AssumeRoleWithWebIdentity")
COGNITO = trusting({"Federated": "cognito-identity.amazonaws.com"}, "sts:AssumeRoleWithWebIdentity")
MIXED = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "sts:AssumeRole"},
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


@pytest.mark.parametrize("document, words", [
    (LAMBDA, ["the AWS service lambda.amazonaws.com"]),
    (SAML_ROLE, ["the identity provider %s" % SAML]),
    (OIDC_ROLE, ["the identity provider %s" % OIDC]),
    (COGNITO, ["the identity provider cognito-identity.amazonaws.com"]),
    (MIXED, ["the AWS service ec2.amazonaws.com"]),
    (trusting("*"), ["anyone (*)"]),
    (trusting({"AWS": "*"}), ["anyone (*)"]),
    (trusting({"CanonicalUser": "79a59df900b949e55d96a1e698fbaced"}), ["the canonical user 79a59df900b949e55d96a1e698fbaced"]),
    (trusting({"AWS": "arn:aws:sts::%s:assumed-role/ops/alice" % ACCOUNT}), [
        "arn:aws:sts::%s:assumed-role/ops/alice" % ACCOUNT]),
    (trusting({"AWS": "not-an-id"}), ["not-an-id"]),  # neither an IAM ARN nor shaped like a unique id
    # This identity's kinds: IAM ARNs (any partition), account ids, deleted principals' unique ids.
    (trusting({"AWS": [USER, ROOT, ACCOUNT, DELETED_USER, DELETED_ROLE]}), []),
    (trusting({"AWS": "arn:aws-cn:iam::%s:user/u" % ACCOUNT}), []),
    (None, []),
])
def test_outsiders(document, words):
    assert outsiders(document) == words


@pytest.mark.parametrize("document", [LAMBDA, SAML_ROLE, OIDC_ROLE, COGNITO, MIXED, trusting({"AWS": "*"})])
def test_a_role_trusting_a_service_or_an_identity_provider_is_refused(document):
    with pytest.raises(ValidationError) as refused:
        refuse_takeover(FakeTask(), "TeamRole", document, trust_policy([USER]))
    message = str(refused.value)
    assert refused.value.option == "name"
    assert message.startswith("option 'name': the existing IAM role TeamRole trusts ")
    assert ", ".join(outsiders(document)) in message  # names what it trusts
    assert "on_conflict=replace" in message and "nothing was changed" in message
    # on_conflict: replace takes it over on purpose.
    assert refuse_takeover(FakeTask("replace"), "TeamRole", document, trust_policy([USER])) is None


@pytest.mark.parametrize("document", [
    trusting({"AWS": DELETED_USER}),  # a deleted user trusts nobody alive: repaired
    trusting({"AWS": [DELETED_ROLE, USER]}),
    trusting({"AWS": ROOT}),
    {"Version": "2012-10-17", "Statement": []},
])
def test_this_identitys_or_nobodys_role_is_repaired(document):
    assert refuse_takeover(FakeTask(), "SellingPartnerAPIRole", document, trust_policy([USER])) is None


@pytest.mark.parametrize("document, expected", [
    (trust_policy([USER]), None),
    (trusting({"AWS": ROOT}), None),
    (trusting({"AWS": DELETED_USER}), None),
    (LAMBDA, ["the AWS service lambda.amazonaws.com"]),
    (MIXED, ["the AWS service ec2.amazonaws.com"]),
    (trusting({"AWS": "arn:aws:iam::%s:user/Other" % ACCOUNT}), ["arn:aws:iam::%s:user/Other" % ACCOUNT]),
    (trusting({"AWS": "arn:aws:iam::210987654321:root"}), ["arn:aws:iam::210987654321:root"]),
])
def test_serves_someone_else(document, expected):
    assert serves_someone_else(document, USER) == expected


def test_offboarding_keeps_a_role_that_also_trusts_a_service():
    view = {"assume_role_policy_document": MIXED, "attached_policy_arns": []}
    assert foreign_principals(MIXED, [USER]) == ["Service:ec2.amazonaws.com"]
    assert reasons_to_keep(view, [], [USER], []) == ["it also trusts Service:ec2.amazonaws.com"]
