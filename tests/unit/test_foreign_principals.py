"""Foreign roles stay foreign: only IAM principals and deleted ones (unique ids) are this identity's to repair.

Pure: documents are given as data. Issue 20, item 5: a Lambda or SAML role was taken over because its
non-ARN principals were read as deleted principals' unique ids; items 6 and 7: grants to other accounts
on the notification queue and on the exported secret.
"""

import json

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
from ansible_collections.spapi.onboarding.plugins.module_utils._secretsmanager.secret import (
    TAG_KEY,
    SecretRefused,
    is_managed,
    open_grants,
    refuse_foreign,
    refuse_open_policy,
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


# --- the Secrets Manager export: a resource policy that lets others read it is refused --------------------

def secret_policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal, effect="Allow", key="Principal"):
    return {"Effect": effect, key: principal, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}


@pytest.mark.parametrize("policy, expected", [
    (None, []),
    (secret_policy(allow({"AWS": "arn:aws:iam::%s:role/app" % ACCOUNT}), allow({"AWS": ACCOUNT})), []),
    (secret_policy(allow({"AWS": "arn:aws:iam::%s:root" % OTHER})), ["arn:aws:iam::%s:root" % OTHER]),
    (secret_policy(allow("*")), ["*"]),
    (secret_policy(allow({"AWS": "*"}, effect="Deny")), []),
    (secret_policy(allow({"Service": "lambda.amazonaws.com"})), ["Service:lambda.amazonaws.com"]),
    (secret_policy(allow({"AWS": ACCOUNT}, key="NotPrincipal")),
     ['everyone but {"AWS": "%s"} (NotPrincipal)' % ACCOUNT]),
])
def test_secret_resource_policy_grants_outside_the_account(policy, expected):
    assert open_grants(policy, ACCOUNT) == expected
    if expected:
        with pytest.raises(SecretRefused) as refused:
            refuse_open_policy("sp-api/lwa", policy, ACCOUNT)
        assert expected[0] in str(refused.value) and "nothing was written" in str(refused.value)
    else:
        refuse_open_policy("sp-api/lwa", policy, ACCOUNT)


@pytest.mark.parametrize("described, adopt, refused", [
    (None, False, False),  # no secret: created, tagged
    ({"Tags": [{"Key": TAG_KEY, "Value": "spapi.onboarding.lwa_export"}]}, False, False),
    ({"Tags": [{"Key": "team", "Value": "x"}]}, False, True),
    ({}, False, True),  # an older version's secret, untagged
    ({}, True, False),
])
def test_only_a_secret_of_lwa_export_or_one_handed_over_is_written(described, adopt, refused):
    assert is_managed(described) is bool(described and described.get("Tags", [{}])[0].get("Key") == TAG_KEY)
    if refused:
        with pytest.raises(SecretRefused) as error:
            refuse_foreign("sp-api/lwa", described, adopt)
        assert error.value.option == "adopt_secret" and "sp-api/lwa" in str(error.value)
    else:
        refuse_foreign("sp-api/lwa", described, adopt)
