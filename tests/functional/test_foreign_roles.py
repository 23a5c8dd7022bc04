"""A Lambda role and a SAML role of another team, against moto with IAM authorization enforced:
iam_role refuses both with zero writes, offboarding keeps them, verify advises no change to them."""

import json

import boto3
import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.role import ensure_role
from ansible_collections.spapi.onboarding.plugins.module_utils._verify import chain as _verify
from ansible_collections.spapi.onboarding.plugins.modules.iam_role import ARGUMENT_SPEC as ROLE_SPEC
from ansible_collections.spapi.onboarding.plugins.modules.verify import ARGUMENT_SPEC as VERIFY_SPEC
from tests.support.moto import admin_with_enforcement, client_as, writes
from tests.support.tasks import make_task

ACCOUNT = "123456789012"
USER = "SellingPartnerAPIUser"
USER_ARN = "arn:aws:iam::%s:user/%s" % (ACCOUNT, USER)
SAML = "arn:aws:iam::%s:saml-provider/Okta" % ACCOUNT
TEAM_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::team-bucket/*"}]})
ROLES = {
    "TeamLambdaRole": ({"Service": "lambda.amazonaws.com"}, "sts:AssumeRole", "the AWS service lambda.amazonaws.com"),
    "TeamSamlRole": ({"Federated": SAML}, "sts:AssumeRoleWithSAML", "the identity provider %s" % SAML),
}


@pytest.fixture
def team(moto):
    """The team's two roles, each with an inline policy, and the SP-API user; then enforcement on."""
    setup = boto3.client("iam", endpoint_url=moto.url, region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="testing")
    admin = admin_with_enforcement(setup, moto)
    iam = client_as(admin, moto.url)
    iam.create_user(UserName=USER)
    for name, (principal, action, dummy) in ROLES.items():
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": action}]}))
        iam.put_role_policy(RoleName=name, PolicyName="team-s3", PolicyDocument=TEAM_POLICY)
    return admin, iam


def as_admin(spec, moto, admin, **params):
    return make_task(spec, moto.url, access_key=admin["AWS_ACCESS_KEY_ID"],
                     secret_key=admin["AWS_SECRET_ACCESS_KEY"], **params)


@pytest.mark.parametrize("name", sorted(ROLES))
def test_a_service_or_saml_role_is_never_taken_over(moto, team, name):
    admin, iam = team
    before = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    words = ROLES[name][2]

    moto.start_recording()
    for check_mode in (True, False):
        with pytest.raises(ValidationError) as refused:
            ensure_role(as_admin(ROLE_SPEC, moto, admin, check_mode=check_mode, name=name, trusted_user_arn=USER_ARN,
                                 managed_policy_arns=[], purge_policies=True))
        message = str(refused.value)
        assert "the existing IAM role %s trusts %s" % (name, words) in message
        assert "on_conflict=replace" in message
    # Offboarding this identity's role of that name keeps the team's role, with a warning.
    task = as_admin(ROLE_SPEC, moto, admin, name=name, trusted_user_arn=USER_ARN, state="absent")
    kept = ensure_role(task)
    calls = moto.stop_recording()
    assert writes(calls) == [], calls
    assert kept["changed"] is False and kept["kept"]
    assert "is kept" in task.warnings[0] and list(ROLES[name][0].values())[0] in task.warnings[0]
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == before
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["team-s3"]

    # verify, pointed at the team's role, says whose it is and advises no change to the team's policies.
    moto.start_recording()
    result = _verify.verify_chain(as_admin(VERIFY_SPEC, moto, admin, user_name=USER, role_name=name,
                                           assume_role=False))
    assert writes(moto.stop_recording()) == []
    checks = dict((c["name"], c) for c in result["checks"])
    assert result["ok"] is False
    assert words in checks["trust_policy"]["detail"] and "serves someone else" in checks["trust_policy"]["detail"]
    assert "iam_role_name" in checks["trust_policy"]["fix"]
    for check in ("role_grants", "policy_attached"):
        assert checks[check]["status"] == "not checked" and "advises no change" in checks[check]["detail"]
    text = json.dumps(result)
    assert "delete-role-policy" not in text and "detach" not in text
