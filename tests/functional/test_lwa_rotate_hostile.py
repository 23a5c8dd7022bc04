"""Hostile queue messages (issue 20, items 1-4) against moto server, with IAM authorization enforced, and the
LWA / SP-API stand-in: a principal allowed only sqs:SendMessage forges new secrets and expiry notifications,
sends bodies built to crash a parser and floods the queue. Nothing it sends is vaulted, moves the expiry
later or stops a run, and the real pending secret behind it all is adopted without a second rotation."""

import datetime
import json

import boto3
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import (
    SCOPE_ROTATION,
    exchange,
    spapi_request,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import HttpClient
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.plan import (
    ROTATE_PATH,
    validate_rotate_params,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.run import Clock, rotate_secret
from ansible_collections.spapi.onboarding.plugins.modules.lwa_rotate import ARGUMENT_SPEC, CONSTRAINTS
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import write_vault_file
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import LwaVault
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import LocalStore
from tests.support.ansible import play, run_playbook
from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  pylint: disable=unused-import
from tests.support.moto import admin_with_enforcement, client_as
from tests.support.tasks import make_task

CLIENT = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
OTHER = "amzn1.application-oa2-client.ffffffffffffffffffffffffffffffff"
SECRET = "amzn1.oa2-cs.v1.H0571LE000000000000000000000000000000000000000000000000000000000"
FORGED = ["amzn1.oa2-cs.v1.F0RGED-FIRST", "amzn1.oa2-cs.v1.F0RGED-AFTER-THE-REAL-ONE"]
REFRESH = "Atzr|IwEBI-hostile-test-refresh-token"
PASSWORD = "hostile test vault password"
SECRETS = [("spapi", VaultSecret(PASSWORD.encode()))]
NEW_QUEUE, EXPIRY_QUEUE = "sp-new-secret", "sp-secret-expiry"
CALLS = "POST " + ROTATE_PATH


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def vault(path, expires, updated):
    write_vault_file(str(path), {"lwa_client_id": CLIENT, "lwa_client_secret": SECRET,
                                 "lwa_client_secret_expires": expires, "lwa_refresh_token": REFRESH,
                                 "updated": updated}, SECRETS, "spapi")
    return path


def decrypt(path):
    return yaml.safe_load(VaultLib(SECRETS).decrypt(path.read_bytes()))


def forged_secret(secret, client=CLIENT):
    """What the review sent: Amazon's shape, our client id, a secret and dates of its choosing."""
    return json.dumps({"notificationVersion": "1.0", "notificationType": "APPLICATION_OAUTH_CLIENT_NEW_SECRET",
                       "payload": {"applicationOAuthClientNewSecret": {
                           "clientId": client, "newClientSecret": secret,
                           "newClientSecretExpiryTime": "2099-01-01T00:00:00Z",
                           "oldClientSecretExpiryTime": "2099-01-01T00:00:00Z"}},
                       "notificationMetadata": {"publishTime": "2099-01-01T00:00:00Z"}})


def forged_expiry(expires, sent="2099-01-01T00:00:00Z"):
    return json.dumps({"notificationType": "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY",
                       "payload": {"applicationOAuthClientSecretExpiry": {"clientId": CLIENT,
                                                                          "clientSecretExpiryTime": expires}},
                       "notificationMetadata": {"publishTime": sent}})


JUNK = 150  # beyond the 100 messages a run used to read; moto's ReceiveMessage slows down with every message held
MALFORMED = ["[" * 5000 + "]" * 5000,  # RecursionError in a parser without a depth limit
             forged_secret("x").replace("2099-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59"),  # OverflowError
             "{" * 30 + "not json", forged_secret("two words"), "x" * 40000]


def send(sqs, url, bodies):
    for text in bodies:  # one by one: sqs:SendMessage is all the forger is allowed
        sqs.send_message(QueueUrl=url, MessageBody=text)


def send_batches(sqs, url, bodies):
    for start in range(0, len(bodies), 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": text}
                                                      for i, text in enumerate(bodies[start:start + 10])])


def kept(sqs, url):
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def rotate(moto, lwa, path, credentials=None, **params):
    credentials = credentials or {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    task = make_task(ARGUMENT_SPEC, moto.url, constraints=CONSTRAINTS, vault_file=str(path), lwa_endpoint=lwa.token_url,
                     spapi_endpoint=lwa.url, access_key=credentials["AWS_ACCESS_KEY_ID"],
                     secret_key=credentials["AWS_SECRET_ACCESS_KEY"], queue_name=NEW_QUEUE, **params)
    validate_rotate_params(task.params)
    result = rotate_secret(task, LwaVault(LocalStore(str(path)), SECRETS), HttpClient(sleep=lambda s: None), Clock())
    text = json.dumps(result, default=str) + json.dumps(task.warnings)
    for secret in [SECRET, REFRESH, "Atza|"] + FORGED:
        assert secret not in text, "a secret in the result or a warning"
    return result, task.warnings


@pytest.fixture
def queues(moto):
    sqs = boto3.client("sqs", endpoint_url=moto.url, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    return sqs, dict((name, sqs.create_queue(QueueName=name)["QueueUrl"]) for name in (NEW_QUEUE, EXPIRY_QUEUE))


def test_forged_malformed_and_a_flood_ahead_of_a_real_pending_secret(moto, aws, lwa, queues, tmp_path, monkeypatch):
    sqs, urls = queues
    lwa.register(CLIENT, SECRET, [REFRESH], new_secret_queue=urls[NEW_QUEUE])
    arn = sqs.get_queue_attributes(QueueUrl=urls[NEW_QUEUE], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.iam.create_user(UserName="forger")
    aws.iam.put_user_policy(UserName="forger", PolicyName="send-only", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn}]}))
    key = aws.iam.create_access_key(UserName="forger")["AccessKey"]
    admin = admin_with_enforcement(aws.iam, moto)
    forger = client_as({"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]},
                       moto.url, "sqs")
    with pytest.raises(Exception, match="AccessDenied"):
        forger.receive_message(QueueUrl=urls[NEW_QUEUE])  # it may only send
    # Ahead of the real secret: a forged one, bodies built to crash a parser, a flood of junk, another app's.
    send(forger, urls[NEW_QUEUE], [forged_secret(FORGED[0])] + MALFORMED)
    admin_sqs = client_as(admin, moto.url, "sqs")
    send_batches(admin_sqs, urls[NEW_QUEUE], ["junk %d" % i for i in range(JUNK)]
                 + [forged_secret("amzn1.oa2-cs.v1.someone-elses", OTHER)])
    monkeypatch.setenv("SPAPI_STANDIN_AWS_ACCESS_KEY_ID", admin["AWS_ACCESS_KEY_ID"])  # Amazon may send
    monkeypatch.setenv("SPAPI_STANDIN_AWS_SECRET_ACCESS_KEY", admin["AWS_SECRET_ACCESS_KEY"])
    token = exchange(HttpClient(), lwa.token_url, CLIENT, SECRET, scope=SCOPE_ROTATION)
    spapi_request(HttpClient(), lwa.url, "POST", ROTATE_PATH, token, "rotate", ok=(204,))  # a run that died after it
    real = lwa.app(CLIENT)["client_secret"]
    assert lwa.sent and not lwa.delivery_errors
    send(forger, urls[NEW_QUEUE], [forged_secret(FORGED[1])])  # and one behind it, sent last
    total = 1 + len(MALFORMED) + JUNK + 1 + 1 + 1
    path = vault(tmp_path / "lwa.vault.yml", iso(now() + datetime.timedelta(days=10)),
                 iso(now() - datetime.timedelta(days=1)))

    # Due for rotation (10 days left): the run reads all 159 messages, LWA refuses both forged secrets, the real
    # pending one is adopted, and no second rotation is requested.
    result, warnings = rotate(moto, lwa, path, credentials=admin)
    assert not result.get("failed"), result.get("msg")
    assert result["action"] == "adopted" and result["adopted"] and not result["rotated"] and lwa.calls[CALLS] == 1
    content = decrypt(path)
    assert content["lwa_client_secret"] == real and content["lwa_previous_client_secret"] == SECRET
    assert all(forged not in json.dumps(content) for forged in FORGED)
    assert content["lwa_client_secret_expires"] == lwa.app(CLIENT)["client_secret_expires"][:19] + "Z"  # not 2099
    # The forged secret sent after the real one was tried first (newest first) and refused: reported, set aside.
    # The one sent before it claims 2099 but SQS saw it first: older than a proven secret, it is deleted untried.
    assert result["read"] == total and result["set_aside"] == total - 2
    refused = [(r["client_id"], bool(r["sender"]), bool(r["message_id"])) for r in result["refused"]]
    assert refused == [(CLIENT, True, True)]
    refused_warnings = [w for w in warnings if "LWA refused the new client secret" in w]
    assert len(refused_warnings) == 1 and result["refused"][0]["message_id"] in refused_warnings[0]
    # Nothing else was deleted: the rest is set aside, for the dead-letter queue.
    assert kept(admin_sqs, urls[NEW_QUEUE]) == total - 2

    # The next run, forced, while all of it is still set aside (hidden): no rotation that could replace a secret in it.
    again, dummy = rotate(moto, lwa, path, credentials=admin, force=True)
    assert again["failed"] and "are hidden" in again["msg"] and lwa.calls[CALLS] == 1
    assert decrypt(path)["lwa_client_secret"] == real


def test_forged_expiries_move_nothing_later_and_malformed_ones_stop_nothing(moto, lwa, queues, tmp_path):
    sqs, urls = queues
    lwa.register(CLIENT, SECRET, [REFRESH], new_secret_queue=urls[NEW_QUEUE], secret_expiry_queue=urls[EXPIRY_QUEUE])
    told = iso(now() + datetime.timedelta(days=40))
    path = vault(tmp_path / "lwa.vault.yml", told, iso(now() - datetime.timedelta(days=1)))
    send(sqs, urls[EXPIRY_QUEUE], [forged_expiry("2099-01-01T00:00:00Z"),
                                   forged_expiry("2098-01-01T00:00:00Z", iso(now()))] + MALFORMED
         + [forged_expiry("2099-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59")])
    quiet, dummy = rotate(moto, lwa, path, expiry_queue_name=EXPIRY_QUEUE)
    assert not quiet.get("failed") and not quiet["changed"] and "expiry_learned" not in quiet, quiet
    assert decrypt(path)["lwa_client_secret_expires"] == told and quiet["days_left"] == 39
    assert quiet["set_aside"] == len(MALFORMED) + 1 and lwa.calls[CALLS] == 0
    # Amazon's own notification, earlier, is learned (and the two forged ones it read are gone): now it rotates.
    lwa.send_expiry_notification(CLIENT, iso(now() + datetime.timedelta(days=20, hours=1)))
    learned, dummy = rotate(moto, lwa, path, expiry_queue_name=EXPIRY_QUEUE)
    assert learned["expiry_learned"].startswith(iso(now() + datetime.timedelta(days=20, hours=1))[:13])
    assert learned["rotated"] and "expires in 20 days" in learned["reason"] and lwa.calls[CALLS] == 1


def test_a_vault_poisoned_by_a_forged_expiry_is_caught_by_lwa_check_and_healed_by_the_rotation(
        moto, lwa, queues, tmp_path):
    sqs, urls = queues
    lwa.register(CLIENT, SECRET, [REFRESH], new_secret_queue=urls[NEW_QUEUE])
    workdir = tmp_path / "run"
    workdir.mkdir(mode=0o700)
    (workdir / "password.txt").write_text(PASSWORD + "\n")
    # What the old code recorded from a forged 2099 notification, 170 days after the secret was vaulted.
    vault(workdir / "lwa.vault.yml", "2099-01-01T00:00:00Z", iso(now() - datetime.timedelta(days=176)))
    check = {"spapi.onboarding.lwa_check": {"vault_file": "lwa.vault.yml"}, "ignore_errors": True}
    run = run_playbook(play([dict(check, name="poisoned"),
                             {"name": "rotate", "spapi.onboarding.lwa_rotate": {"vault_file": "lwa.vault.yml",
                                                                                "queue_name": NEW_QUEUE}},
                             dict(check, name="healed")]), workdir, moto.url, args=["--vault-id", "spapi@password.txt"],
                       env={"SPAPI_LWA_ENDPOINT": lwa.token_url, "SPAPI_ENDPOINT": lwa.url})
    poisoned = run.result("poisoned")
    assert run.status("poisoned") == "failed" and poisoned["days_left"] == 3 and "min_days_left=7" in poisoned["msg"]
    assert any("at the latest" in w for w in poisoned.get("warnings", []))
    rotated = run.result("rotate")
    assert rotated["rotated"] and "at the latest in 3 days" in rotated["reason"] and lwa.calls[CALLS] == 1
    healed = run.result("healed")
    assert run.status("healed") == "ok" and healed["ok"] and healed["days_left"] == 179
    assert decrypt(workdir / "lwa.vault.yml")["lwa_client_secret"] == lwa.app(CLIENT)["client_secret"]
