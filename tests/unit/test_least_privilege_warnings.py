"""What makes a role or a policy more than the SP-API user needs: said, not silently accepted. Pure."""

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.managed_policy import wider_grants
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import sp_api_policy
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.role_ownership import wider_than_needed

ACCOUNT = "123456789012"
USER = "arn:aws:iam::%s:user/SellingPartnerAPIUser" % ACCOUNT
POLICY = "arn:aws:iam::%s:policy/SellingPartnerAPI" % ACCOUNT


def allowing(action, resource, key="Action"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", key: action, "Resource": resource}]}


@pytest.mark.parametrize("document, expected", [
    (sp_api_policy(), []),
    (allowing("execute-api:Invoke", "arn:aws:execute-api:eu-west-1:*:*"), []),  # narrower is fine here
    (allowing("*", "*"), ["* on *"]),
    (allowing("execute-api:*", "arn:aws:execute-api:*:*:*"), ["execute-api:* on arn:aws:execute-api:*:*:*"]),
    (allowing("execute-api:Invoke", "*"), ["execute-api:Invoke on *"]),
    (allowing("s3:GetObject", "*", key="NotAction"),
     ["an Allow statement with NotAction/NotResource (allows everything else)"]),
])
def test_policy_documents_wider_than_the_sp_api_one(document, expected):
    assert wider_grants(document, sp_api_policy()) == expected


@pytest.mark.parametrize("principals, policies, expected", [
    ([USER], [POLICY], []),
    (["arn:aws:iam::%s:root" % ACCOUNT], [POLICY], ["whole account %s" % ACCOUNT]),
    ([ACCOUNT], [POLICY], ["whole account %s" % ACCOUNT]),
    (["arn:aws:iam::210987654321:user/Partner"], [POLICY], ["of another account than the role's"]),
    ([USER], [POLICY, "arn:aws:iam::aws:policy/AdministratorAccess"], ["AWS managed policy arn:aws:iam::aws:policy/AdministratorAccess"]),
])
def test_roles_wider_than_the_sp_api_user_needs(principals, policies, expected):
    warnings = wider_than_needed(principals, policies, ACCOUNT)
    assert len(warnings) == len(expected)
    for warning, words in zip(warnings, expected):
        assert words in warning
