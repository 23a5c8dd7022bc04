"""Every playbook as an AWX job (tests/support/awx.py: ansible-runner, a fresh private data dir per job,
deleted after it; survey answers as extra vars; the Vault credential's password answered by the runner),
against moto server with IAM authorization enforced and the LWA / SP-API stand-in.

The vault files live in a versioned S3 bucket, because nothing a job writes below its private data dir
survives it: one scenario runs each playbook once, in the order a team's job templates and schedule do,
and checks after each job what the next one relies on. The refusals check that a vault path the job would
throw away, and a bucket without versioning, stop a job before its first AWS write and name the fix."""

import boto3
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from tests.support.awx import aws_writes, run_job
from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  pylint: disable=unused-import
from tests.support.lwa_standin import ROTATE_PATH
from tests.support.moto import admin_with_enforcement, client_as
from tests.support.s3 import versioned_bucket

BUCKET = "spapi-team-vault"
UNVERSIONED = "spapi-unversioned"
IAM_KEY = "team/spapi.vault.yml"
LWA_KEY = "team/lwa.vault.yml"
IAM_VAULT = "s3://%s/%s" % (BUCKET, IAM_KEY)
LWA_VAULT = "s3://%s/%s" % (BUCKET, LWA_KEY)
PASSWORD = "awx-vault-credential-password"
SECRETS = [("spapi", VaultSecret(PASSWORD.encode()))]
USER = "SellingPartnerAPIUser"
ROLE_ARN = "arn:aws:iam::123456789012:role/SellingPartnerAPIRole"
CLIENT = "amzn1.application-oa2-client.0a1b2c3d4e5f60718293a4b5c6d7e8f9"
SECRET = "amzn1.oa2-cs.v1.awx5urvey5ecre7000000000000000000000000000000000000000000000000000"
REFRESH = "Atzr|IwEBI-awx-survey-refresh-token"
# What AWX's survey for lwa_store.yml answers (the two secrets are password-type questions).
SURVEY = {"lwa_client_id": CLIENT, "lwa_client_secret": SECRET, "lwa_refresh_token": REFRESH}
LWA_CHECK = "Prove the vaulted LWA credentials and check the secret's expiry"


@pytest.fixture
def team(moto, aws, lwa, monkeypatch):
    admin = admin_with_enforcement(aws.iam, moto)
    s3 = client_as(admin, moto.url, "s3")
    versioned_bucket(moto.url, BUCKET, s3)
    s3.create_bucket(Bucket=UNVERSIONED)
    # With enforcement on, the stand-in must sign its SQS deliveries of the new secret with a known key.
    monkeypatch.setenv("SPAPI_STANDIN_AWS_ACCESS_KEY_ID", admin["AWS_ACCESS_KEY_ID"])
    monkeypatch.setenv("SPAPI_STANDIN_AWS_SECRET_ACCESS_KEY", admin["AWS_SECRET_ACCESS_KEY"])
    lwa.register(CLIENT, SECRET, [REFRESH])

    class Team:
        iam = client_as(admin, moto.url, "iam")
        sqs = client_as(admin, moto.url, "sqs")
        bucket = s3

        @staticmethod
        def job(playbook, extra_vars=None, survey=None):
            return run_job(playbook, moto.url, admin, survey=survey, extra_vars=extra_vars, vault_password=PASSWORD,
                           env={"SPAPI_LWA_ENDPOINT": lwa.token_url, "SPAPI_ENDPOINT": lwa.url})

        @staticmethod
        def vaulted(key):
            body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            return yaml.safe_load(VaultLib(SECRETS).decrypt(body))

        @staticmethod
        def versions(key):
            listed = s3.list_object_versions(Bucket=BUCKET, Prefix=key).get("Versions", [])
            return [v["VersionId"] for v in listed if v["Key"] == key]

        @staticmethod
        def objects():
            return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))

    return Team


def assert_clean(job, secrets):
    """No secret in what the job leaves (stdout, events, every artifact), no vault file in its data dir."""
    for secret in secrets:
        assert secret not in job.text, "%s: a secret in the job's stdout or artifacts" % job.playbook
    assert [f for f in job.files if f.endswith((".vault.yml", ".lock"))] == [], job.files


def assert_one_key_held_in_s3(team, moto_url):
    """Every active key of the user is the one the S3 vault object holds, and it can assume the role."""
    held = team.vaulted(IAM_KEY)
    keys = team.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys if k["Status"] == "Active"] == [held["aws_access_key_id"]]
    sts = boto3.client("sts", endpoint_url=moto_url, region_name="us-east-1",
                       aws_access_key_id=held["aws_access_key_id"], aws_secret_access_key=held["aws_secret_access_key"])
    assert sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="awx-test")["AssumedRoleUser"]["Arn"]
    head = team.bucket.head_object(Bucket=BUCKET, Key=IAM_KEY)
    assert head.get("ServerSideEncryption") in ("AES256", "aws:kms"), head
    return held


def test_onboard_verify_rotate_store_rotate_daily_verify_as_awx_jobs_with_vaults_in_s3(moto, team, lwa):
    iam_vars = {"iam_vault_file": IAM_VAULT}
    secrets = [PASSWORD, SECRET, REFRESH, "Atza|"]

    onboard = team.job("onboard.yml", iam_vars)
    onboard.assert_ok()
    first = assert_one_key_held_in_s3(team, moto.url)
    secrets.append(first["aws_secret_access_key"])
    assert first["iam_user_arn"] == "arn:aws:iam::123456789012:user/%s" % USER
    assert "IAM ARN to paste into the form: %s" % ROLE_ARN in onboard.stdout
    assert onboard.result("Ensure one usable access key, stored in the vault file")["vault_file"] == IAM_VAULT
    # The lock is released when the job ends; one version per write.
    assert team.objects() == [IAM_KEY] and len(team.versions(IAM_KEY)) == 1
    assert_clean(onboard, secrets)

    with aws_writes(moto) as verify_writes:
        verify = team.job("verify.yml", iam_vars)
    verify.assert_ok()
    assert verify_writes == []
    assert verify.result("Check every link of the chain and the stored key")["ok"] is True
    assert assert_one_key_held_in_s3(team, moto.url) == first
    assert_clean(verify, secrets)

    rotate = team.job("rotate_key.yml", iam_vars)
    rotate.assert_ok()
    rotated = assert_one_key_held_in_s3(team, moto.url)
    secrets.append(rotated["aws_secret_access_key"])
    assert rotated["aws_access_key_id"] != first["aws_access_key_id"]
    assert len(team.versions(IAM_KEY)) >= 2 and team.objects() == [IAM_KEY]
    assert_clean(rotate, secrets)

    # lwa_store.yml from its survey: its vars_prompt is skipped (AWX answers none), nothing waits on a prompt.
    store = team.job("lwa_store.yml", {"lwa_vault_file": LWA_VAULT}, survey=SURVEY)
    store.assert_ok()
    assert "not echoed" not in store.stdout
    stored = team.vaulted(LWA_KEY)
    assert [stored[k] for k in ("lwa_client_id", "lwa_client_secret", "lwa_refresh_token")] == [CLIENT, SECRET, REFRESH]
    arns = [team.sqs.get_queue_attributes(QueueUrl=team.sqs.get_queue_url(QueueName=name)["QueueUrl"],
                                          AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            for name in ("sp-api-application-client-new-secret", "sp-api-application-client-secret-expiry")]
    assert "Application Client New Secret: %s" % arns[0] in store.stdout
    assert team.objects() == [LWA_KEY, IAM_KEY]
    assert_clean(store, secrets)
    # The person pastes the two ARNs into the Developer Console's Notification Preferences.
    lwa.set_preferences(CLIENT, new_secret=arns[0], secret_expiry=arns[1])

    forced = team.job("lwa_rotate.yml", {"lwa_vault_file": LWA_VAULT, "lwa_rotate_force": True})
    forced.assert_ok()
    new_secret = lwa.app(CLIENT)["client_secret"]
    secrets.append(new_secret)
    assert new_secret != SECRET and lwa.calls["POST " + ROTATE_PATH] == 1
    assert "Rotation: rotated" in forced.stdout
    after_rotation = team.vaulted(LWA_KEY)
    assert after_rotation["lwa_client_secret"] == new_secret and after_rotation["lwa_previous_client_secret"] == SECRET
    assert forced.result(LWA_CHECK)["ok"] is True
    assert team.objects() == [LWA_KEY, IAM_KEY]
    assert_clean(forced, secrets)

    # The daily schedule, in the next fresh job: nothing expires soon, nothing is written.
    lwa_versions = team.versions(LWA_KEY)
    with aws_writes(moto) as daily_writes:
        daily = team.job("lwa_rotate.yml", {"lwa_vault_file": LWA_VAULT})
    daily.assert_ok()
    assert "Rotation: none" in daily.stdout and lwa.calls["POST " + ROTATE_PATH] == 1
    assert team.versions(LWA_KEY) == lwa_versions
    assert_clean(daily, secrets)

    final = team.job("verify.yml", {"iam_vault_file": IAM_VAULT, "lwa_vault_file": LWA_VAULT})
    final.assert_ok()
    assert final.result("Check every link of the chain and the stored key")["ok"] is True
    assert final.result(LWA_CHECK)["ok"] is True
    assert team.vaulted(LWA_KEY)["lwa_client_secret"] == new_secret
    assert assert_one_key_held_in_s3(team, moto.url) == rotated
    assert_clean(final, secrets)
    # Last, so that everything above is checked anyway: a run that changes nothing takes no lock (DESIGN.md,
    # "Where secrets live"); in a versioned bucket every lock leaves a version and a delete marker behind.
    assert daily_writes == [], "the daily run that rotated nothing wrote %s" % daily_writes


REFUSALS = [
    # The access key's default vault path is below the job's project copy: the secret would be thrown away.
    pytest.param("onboard.yml", {}, None, ["iam_vault_file", "s3://"], id="access-key-local-default"),
    pytest.param("lwa_store.yml", {}, SURVEY, ["lwa_vault_file", "s3://"], id="lwa-local-default"),
    pytest.param("onboard.yml", {"iam_vault_file": "s3://%s/%s" % (UNVERSIONED, IAM_KEY)}, None,
                 ["put-bucket-versioning --bucket %s" % UNVERSIONED], id="bucket-without-versioning"),
]


@pytest.mark.parametrize("playbook, extra_vars, survey, fix", REFUSALS)
def test_a_vault_the_job_would_lose_is_refused_before_any_aws_write(moto, team, playbook, extra_vars, survey, fix):
    with aws_writes(moto) as found:
        job = team.job(playbook, extra_vars, survey=survey)
    job.assert_failed()
    assert found == [], found
    for words in fix:
        assert words in job.stdout, job.stdout
    assert [u["UserName"] for u in team.iam.list_users()["Users"]] == ["admin"]
    assert team.bucket.list_objects_v2(Bucket=UNVERSIONED).get("KeyCount") == 0
    assert team.objects() == []
    assert_clean(job, [PASSWORD, SECRET, REFRESH])
