"""sts_policy through real ansible-playbook runs, and the whole IAM chain under moto's authorization."""

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.support.ansible import play, run_playbook
from tests.support.moto import writes

USER = "SellingPartnerAPIUser"
ROLE = "arn:aws:iam::123456789012:role/SellingPartnerAPIRole"
DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE}]}


def sts_task(**options):
    options.setdefault("role_arn", ROLE)
    return {"name": "sts", "spapi.onboarding.sts_policy": options, "register": "out"}


def inline(aws):
    return aws.iam.get_user_policy(UserName=USER, PolicyName="SellingPartnerAPIAssumeRole")["PolicyDocument"]


def test_check_mode_apply_idempotent_drift_absent(moto, aws, tmp_path):
    aws.iam.create_user(UserName=USER)
    book = play([sts_task()])

    moto.start_recording()
    check = run_playbook(book, tmp_path, moto.url, ["--check", "--diff"])
    assert writes(moto.stop_recording()) == []
    check.assert_ok()
    predicted = check.result("sts")
    assert predicted["changed"] is True and predicted["document"] == DOCUMENT
    assert predicted["diff"] == {"before": {}, "after": {"document": DOCUMENT}}
    assert aws.iam.list_user_policies(UserName=USER)["PolicyNames"] == []

    first = run_playbook(book, tmp_path, moto.url)
    first.assert_ok()
    assert first.result("sts")["changed"] is True
    assert first.result("sts")["policy_name"] == "SellingPartnerAPIAssumeRole"
    assert first.result("sts")["user_name"] == USER
    assert inline(aws) == DOCUMENT

    moto.start_recording()
    again = run_playbook(book, tmp_path, moto.url)
    calls = moto.stop_recording()
    again.assert_ok()
    assert again.result("sts")["changed"] is False
    assert calls == ["GetUserPolicy"]

    broad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}
    aws.iam.put_user_policy(UserName=USER, PolicyName="SellingPartnerAPIAssumeRole", PolicyDocument=json.dumps(broad))
    repaired = run_playbook(book, tmp_path, moto.url, ["--diff"])
    repaired.assert_ok()
    assert repaired.result("sts")["diff"] == {"before": {"document": broad}, "after": {"document": DOCUMENT}}
    assert inline(aws) == DOCUMENT

    gone = play([sts_task(state="absent", role_arn=None)])
    moto.start_recording()
    check = run_playbook(gone, tmp_path, moto.url, ["--check"])
    assert writes(moto.stop_recording()) == []
    assert check.result("sts")["changed"] is True
    removed = run_playbook(gone, tmp_path, moto.url)
    removed.assert_ok()
    assert removed.result("sts")["changed"] is True and removed.result("sts")["document"] is None
    assert aws.iam.list_user_policies(UserName=USER)["PolicyNames"] == []


def test_bad_input_refused_by_the_module(moto, tmp_path):
    tasks = [
        dict(sts_task(role_arn="arn:aws:iam::123456789012:user/SellingPartnerAPIUser"), name="user arn",
             ignore_errors=True),
        dict(sts_task(user_name="Selling Partner"), name="space", ignore_errors=True),
        dict(sts_task(role_arns=[ROLE]), name="both", ignore_errors=True),
    ]
    moto.start_recording()
    run = run_playbook(play(tasks), tmp_path, moto.url)
    assert moto.stop_recording() == []
    assert "option 'role_arn': 'arn:aws:iam::123456789012:user/SellingPartnerAPIUser' is not an IAM role ARN" \
        in run.result("user arn")["msg"]
    assert "option 'user_name': 'Selling Partner' is not a valid IAM user name" in run.result("space")["msg"]
    assert run.result("both")["msg"] == "parameters are mutually exclusive: role_arn|role_arns"


def chain(state="present"):
    """The four IAM modules of the onboarding, wired by their return values."""
    return play([
        {"name": "user", "spapi.onboarding.iam_user": {}, "register": "sp_user"},
        {"name": "policy", "spapi.onboarding.iam_policy": {}, "register": "sp_policy"},
        {"name": "role", "spapi.onboarding.iam_role": {
            "trusted_user_arn": "{{ sp_user.user.arn }}",
            "managed_policy_arns": ["{{ sp_policy.policy.arn }}"]}, "register": "sp_role"},
        {"name": "sts", "spapi.onboarding.sts_policy": {"role_arn": "{{ sp_role.role.arn }}", "state": state}},
    ])


def test_converged_chain_makes_few_calls_and_no_write(moto, aws, tmp_path):
    run_playbook(chain(), tmp_path, moto.url).assert_ok()
    moto.start_recording()
    again = run_playbook(chain(), tmp_path, moto.url)
    calls = moto.stop_recording()
    again.assert_ok()
    print("converged chain: %d AWS calls: %s" % (len(calls), calls))
    assert writes(calls) == []
    assert len(calls) <= 8
    assert calls == ["GetUser", "GetCallerIdentity", "GetPolicy", "GetPolicyVersion",
                     "GetRole", "ListAttachedRolePolicies", "GetUserPolicy"]
    assert all(again.result(name)["changed"] is False for name in ("user", "policy", "role", "sts"))


def _assume(key, url):
    sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    return sts.assume_role(RoleArn=ROLE, RoleSessionName="sp-api")


def test_chain_lets_the_user_key_assume_the_role_under_enforced_authorization(moto, aws, tmp_path):
    aws.iam.create_user(UserName="admin")
    aws.iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    admin = aws.iam.create_access_key(UserName="admin")["AccessKey"]
    credentials = {"AWS_ACCESS_KEY_ID": admin["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": admin["SecretAccessKey"]}
    admin_iam = boto3.client("iam", endpoint_url=moto.url, region_name="us-east-1",
                             aws_access_key_id=admin["AccessKeyId"], aws_secret_access_key=admin["SecretAccessKey"])
    moto.set_auth(0)

    # Enforcement is on: the default test key is now refused.
    with pytest.raises(ClientError):
        aws.iam.list_users()

    built = run_playbook(chain(), tmp_path, moto.url, credentials=credentials)
    built.assert_ok()
    assert built.result("role")["role"]["arn"] == ROLE
    key = admin_iam.create_access_key(UserName=USER)["AccessKey"]

    assumed = _assume(key, moto.url)
    assert assumed["AssumedRoleUser"]["Arn"].startswith("arn:aws:sts::123456789012:assumed-role/SellingPartnerAPIRole/")

    removed = run_playbook(chain("absent"), tmp_path, moto.url, credentials=credentials)
    removed.assert_ok()
    assert removed.result("sts")["changed"] is True
    with pytest.raises(ClientError) as denied:
        _assume(key, moto.url)
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
