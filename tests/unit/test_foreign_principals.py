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
from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue_policy import merge_policy

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
    (trusting({"CanonicalUser": "79a59df900b949e55d96a1e6"}), ["the canonical user 79a59df900b949e55d96a1e6"]),
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


# --- the notification queue: no grant to another account on the queue that carries new secrets -------------

QUEUE = "arn:aws:sqs:us-east-1:%s:sp-api" % ACCOUNT
OTHER = "210987654321"


def grant(principal, effect="Allow"):
    return {"Sid": "S", "Effect": effect, "Principal": principal, "Action": "sqs:ReceiveMessage", "Resource": QUEUE}


@pytest.mark.parametrize("statement, keep, removed", [
    (grant({"AWS": "arn:aws:iam::%s:role/reader" % ACCOUNT}), [], False),
    (grant({"AWS": ACCOUNT}), [], False),
    (grant({"AWS": "arn:aws:iam::437568002678:root"}), [], False),  # SP-API's sender account
    (grant({"AWS": OTHER}), [], True),
    (grant({"AWS": "arn:aws:iam::%s:role/x" % OTHER}), [], True),
    (grant({"AWS": "arn:aws:iam::%s:role/x" % OTHER}), [OTHER], False),  # an account id keeps all of it
    (grant({"AWS": OTHER}), ["arn:aws:iam::%s:root" % OTHER], False),  # the root ARN is the account id
    (grant({"AWS": "arn:aws:iam::%s:role/x" % OTHER}), ["arn:aws:iam::%s:role/y" % OTHER], True),
    (grant({"Service": "events.amazonaws.com"}), [], True),
    (grant({"Service": "events.amazonaws.com"}), ["events.amazonaws.com"], False),
    (grant({"AWS": OTHER}, effect="Deny"), [], False),  # a Deny only takes away
    (grant({"AWS": "AIDAEXAMPLEDELETEDUSR"}), [], True),  # nobody this account can vouch for
])
def test_queue_grants_outside_the_account(statement, keep, removed):
    policy, dropped = merge_policy({"Statement": [statement]}, QUEUE, keep_principals=keep)
    assert (statement not in policy["Statement"]) is removed
    assert bool(dropped) is removed
    if removed:
        assert "keep_principals" in dropped[0][1]
