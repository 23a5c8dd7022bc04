"""sts_policy through real ansible-playbook runs, and the whole IAM chain under moto's authorization.

The runs of each scenario are steps of one ansible-playbook process (tests/support/steps.py), with moto
emptied where a scenario starts; the tests assert on what each step's run gave.
"""

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.support.moto import writes
from tests.support.steps import Step, run_steps

USER = "SellingPartnerAPIUser"
ROLE = "arn:aws:iam::123456789012:role/SellingPartnerAPIRole"
DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE}]}


def sts_task(**options):
    options.setdefault("role_arn", ROLE)
    return {"name": "sts", "spapi.onboarding.sts_policy": options, "register": "out"}


def inline(aws):
    return aws.iam.get_user_policy(UserName=USER, PolicyName="SellingPartnerAPIAssumeRole")["PolicyDocument"]


BROAD = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}


def chain(state="present"):
    """The four IAM modules of the onboarding, wired by their return values."""
    return [
        {"name": "user", "spapi.onboarding.iam_user": {}, "register": "sp_user"},
        {"name": "policy", "spapi.onboarding.iam_policy": {}, "register": "sp_policy"},
        {"name": "role", "spapi.onboarding.iam_role": {
            "trusted_user_arn": "{{ sp_user.user.arn }}",
            "managed_policy_arns": ["{{ sp_policy.policy.arn }}"]}, "register": "sp_role"},
        {"name": "sts", "spapi.onboarding.sts_policy": {"role_arn": "{{ sp_role.role.arn }}", "state": state}},
    ]


def _assume(key, url):
    sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    return sts.assume_role(RoleArn=ROLE, RoleSessionName="sp-api")


@pytest.fixture(scope="module")
def runs(module_moto, module_aws, tmp_path_factory):
    aws = module_aws
    book = [sts_task()]
    gone = [sts_task(state="absent", role_arn=None)]
    bad = [
        dict(sts_task(role_arn="arn:aws:iam::123456789012:user/SellingPartnerAPIUser"), name="user arn",
             ignore_errors=True),
        dict(sts_task(user_name="Selling Partner"), name="space", ignore_errors=True),
        dict(sts_task(role_arns=[ROLE]), name="both", ignore_errors=True),
    ]
    steps = [
        Step("check", book, check=True, diff=True, record=True, before=lambda: aws.iam.create_user(UserName=USER),
             after=lambda: aws.iam.list_user_policies(UserName=USER)["PolicyNames"]),
        Step("first", book, after=lambda: inline(aws)),
        Step("again", book, record=True),
        Step("repaired", book, diff=True, after=lambda: inline(aws), before=lambda: aws.iam.put_user_policy(
            UserName=USER, PolicyName="SellingPartnerAPIAssumeRole", PolicyDocument=json.dumps(BROAD))),
        Step("gone check", gone, check=True, record=True),
        Step("removed", gone, after=lambda: aws.iam.list_user_policies(UserName=USER)["PolicyNames"]),
        Step("bad input", bad, reset=True, record=True),
        Step("chain", chain(), reset=True),
        Step("chain again", chain(), record=True),
    ]
    return run_steps(tmp_path_factory.mktemp("sts_policy"), module_moto, steps)


@pytest.fixture(scope="module")
def enforced(module_moto, module_aws, tmp_path_factory):
    """The chain built and removed by an administrator while moto enforces IAM authorization."""
    aws = module_aws
    module_moto.reset()
    aws.iam.create_user(UserName="admin")
    aws.iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    admin = aws.iam.create_access_key(UserName="admin")["AccessKey"]
    credentials = {"AWS_ACCESS_KEY_ID": admin["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": admin["SecretAccessKey"]}
    admin_iam = boto3.client("iam", endpoint_url=module_moto.url, region_name="us-east-1",
                             aws_access_key_id=admin["AccessKeyId"], aws_secret_access_key=admin["SecretAccessKey"])
    module_moto.set_auth(0)
    seen = {}
    try:
        aws.iam.list_users()
    except ClientError as exc:
        seen["default key refused"] = exc

    def key_and_assume():
        seen["key"] = key = admin_iam.create_access_key(UserName=USER)["AccessKey"]
        return _assume(key, module_moto.url)

    def assume_refused():
        try:
            _assume(seen["key"], module_moto.url)
        except ClientError as exc:
            return exc
        return None

    steps = [
        Step("built", chain(), after=key_and_assume),
        Step("removed", chain("absent"), after=assume_refused),
    ]
    run = run_steps(tmp_path_factory.mktemp("sts_enforced"), module_moto, steps, credentials=credentials)
    run.refused = seen.get("default key refused")
    module_moto.reset()
    return run


def test_check_mode_apply_idempotent_drift_absent(runs):
    check = runs["check"]
    assert writes(check.calls) == []
    check.assert_ok()
    predicted = check.result("sts")
    assert predicted["changed"] is True and predicted["document"] == DOCUMENT
    assert predicted["diff"] == {"before": {}, "after": {"document": DOCUMENT}}
    assert check.seen == []

    first = runs["first"]
    first.assert_ok()
    assert first.result("sts")["changed"] is True
    assert first.result("sts")["policy_name"] == "SellingPartnerAPIAssumeRole"
    assert first.result("sts")["user_name"] == USER
    assert first.seen == DOCUMENT

    again = runs["again"]
    calls = again.calls
    again.assert_ok()
    assert again.result("sts")["changed"] is False
    assert calls == ["GetUserPolicy"]

    repaired = runs["repaired"]
    repaired.assert_ok()
    assert repaired.result("sts")["diff"] == {"before": {"document": BROAD}, "after": {"document": DOCUMENT}}
    assert repaired.seen == DOCUMENT

    check = runs["gone check"]
    assert writes(check.calls) == []
    assert check.result("sts")["changed"] is True
    removed = runs["removed"]
    removed.assert_ok()
    assert removed.result("sts")["changed"] is True and removed.result("sts")["document"] is None
    assert removed.seen == []


def test_bad_input_refused_by_the_module(runs):
    run = runs["bad input"]
    assert run.calls == []
    assert "option 'role_arn': 'arn:aws:iam::123456789012:user/SellingPartnerAPIUser' is not an IAM role ARN" \
        in run.result("user arn")["msg"]
    assert "option 'user_name': 'Selling Partner' is not a valid IAM user name" in run.result("space")["msg"]
    assert run.result("both")["msg"] == "parameters are mutually exclusive: role_arn|role_arns"


def test_converged_chain_makes_few_calls_and_no_write(runs):
    runs["chain"].assert_ok()
    again = runs["chain again"]
    calls = again.calls
    again.assert_ok()
    print("converged chain: %d AWS calls: %s" % (len(calls), calls))
    assert writes(calls) == []
    assert len(calls) <= 8
    assert calls == ["GetUser", "GetCallerIdentity", "GetPolicy", "GetPolicyVersion",
                     "GetRole", "ListAttachedRolePolicies", "GetUserPolicy"]
    assert all(again.result(name)["changed"] is False for name in ("user", "policy", "role", "sts"))


def test_chain_lets_the_user_key_assume_the_role_under_enforced_authorization(enforced):
    # Enforcement is on: the default test key is now refused.
    assert isinstance(enforced.refused, ClientError)

    built = enforced["built"]
    built.assert_ok()
    assert built.result("role")["role"]["arn"] == ROLE

    assumed = built.seen
    assert assumed["AssumedRoleUser"]["Arn"].startswith("arn:aws:sts::123456789012:assumed-role/SellingPartnerAPIRole/")

    removed = enforced["removed"]
    removed.assert_ok()
    assert removed.result("sts")["changed"] is True
    denied = removed.seen
    assert isinstance(denied, ClientError)
    assert denied.response["Error"]["Code"] == "AccessDenied"
