"""lwa_rotate and the new-secret queue's dead-letter queue, against moto server (SQS, redrive policies as SQS applies
them) and the LWA / SP-API stand-in, in-process (the code the action plugin runs) with a real Ansible Vault file.

Every receive counts toward maxReceiveCount: check-mode peeks and runs that stop because LWA could not judge the
secret. A real pending secret that moved to the dead-letter queue that way is adopted without a second rotation; a
forged one there is refused and left there, visible; what else is there is never deleted; an older rotation's secret
there never replaces a newer vaulted one; and a queue without a redrive policy costs no call more."""

import collections
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
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.plan import ROTATE_PATH, validate_rotate_params
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.run import Clock, rotate_secret
from ansible_collections.spapi.onboarding.plugins.modules.lwa_rotate import ARGUMENT_SPEC, CONSTRAINTS
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import write_vault_file
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import LwaVault
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import LocalStore
from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  pylint: disable=unused-import
from tests.support.moto import writes
from tests.support.tasks import make_task

CLIENT = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
OTHER = "amzn1.application-oa2-client.ffffffffffffffffffffffffffffffff"
SECRET = "amzn1.oa2-cs.v1.dead1e77e5000000000000000000000000000000000000000000000000000000"
FORGED = "amzn1.oa2-cs.v1.F0RGED-IN-THE-DEAD-LETTER-QUEUE"
REFRESH = "Atzr|IwEBI-dead-letter-test-refresh-token"
PASSWORD = "dead letter test vault password"
SECRETS = [("spapi", VaultSecret(PASSWORD.encode()))]
NEW_QUEUE, EXPIRY_QUEUE, DEAD = "sp-new-secret", "sp-secret-expiry", "sp-notifications-dlq"
MAX_RECEIVES = 5
CALLS, TOKENS = "POST " + ROTATE_PATH, "POST /auth/o2/token"


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def sqs(moto):
    """The dead-letter queue and the two notification queues, without a redrive policy yet."""
    client = boto3.client("sqs", endpoint_url=moto.url, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.urls = dict((name, client.create_queue(QueueName=name)["QueueUrl"])
                       for name in (DEAD, NEW_QUEUE, EXPIRY_QUEUE))
    return client


def redrive(sqs):
    """What notification_queue's dead_letter_queue (the lwa role) sets on both queues."""
    arn = sqs.get_queue_attributes(QueueUrl=sqs.urls[DEAD], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for name in (NEW_QUEUE, EXPIRY_QUEUE):
        sqs.set_queue_attributes(QueueUrl=sqs.urls[name], Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": arn, "maxReceiveCount": MAX_RECEIVES})})


def counts(sqs, name):
    """(visible, hidden) messages of a queue."""
    attributes = sqs.get_queue_attributes(QueueUrl=sqs.urls[name], AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])


def vault(tmp_path, days_left):
    path = tmp_path / "lwa.vault.yml"
    write_vault_file(str(path), {"lwa_client_id": CLIENT, "lwa_client_secret": SECRET,
                                 "lwa_client_secret_expires": iso(now() + datetime.timedelta(days=days_left)),
                                 "lwa_refresh_token": REFRESH, "updated": iso(now() - datetime.timedelta(days=1))},
                     SECRETS, "spapi")
    return path


def decrypt(path):
    return yaml.safe_load(VaultLib(SECRETS).decrypt(path.read_bytes()))


def rotate(moto, lwa, path, check_mode=False, **params):
    params.setdefault("queue_name", NEW_QUEUE)
    task = make_task(ARGUMENT_SPEC, moto.url, check_mode=check_mode, constraints=CONSTRAINTS, vault_file=str(path),
                     lwa_endpoint=lwa.token_url, spapi_endpoint=lwa.url, **params)
    validate_rotate_params(task.params)
    result = rotate_secret(task, LwaVault(LocalStore(str(path)), SECRETS), HttpClient(sleep=lambda s: None), Clock())
    text = json.dumps(result, default=str) + json.dumps(task.warnings)
    assert "amzn1.oa2-cs.v1." not in text and REFRESH not in text and "Atza|" not in text, "a secret in the output"
    return result, task.warnings


def rotate_at_amazon(lwa):
    """A rotation whose run died after SP-API made it: the new secret's notification is in the queue."""
    token = exchange(HttpClient(), lwa.token_url, CLIENT, lwa.app(CLIENT)["client_secret"], scope=SCOPE_ROTATION)
    spapi_request(HttpClient(), lwa.url, "POST", ROTATE_PATH, token, "rotate", ok=(204,))
    return lwa.app(CLIENT)["client_secret"]


def new_secret(secret, client=CLIENT):
    """Amazon's shape, with far-future dates and no publishTime: sent when SQS says it was (SentTimestamp)."""
    return json.dumps({"notificationType": "APPLICATION_OAUTH_CLIENT_NEW_SECRET", "payload": {
        "applicationOAuthClientNewSecret": {"clientId": client, "newClientSecret": secret,
                                            "newClientSecretExpiryTime": "2099-01-01T00:00:00Z",
                                            "oldClientSecretExpiryTime": "2099-01-01T00:00:00Z"}}})


def test_a_converged_daily_run_reads_the_dead_letter_queue_with_one_short_poll(moto, lwa, sqs, tmp_path):
    lwa.register(CLIENT, SECRET, [REFRESH], new_secret_queue=sqs.urls[NEW_QUEUE],
                 secret_expiry_queue=sqs.urls[EXPIRY_QUEUE])
    path = vault(tmp_path, 100)
    calls = {}
    for redriven in (False, True):
        if redriven:
            redrive(sqs)
        for check_mode in (False, True):
            moto.start_recording()
            result, dummy = rotate(moto, lwa, path, check_mode=check_mode, expiry_queue_name=EXPIRY_QUEUE)
            calls[redriven, check_mode] = moto.stop_recording()
            assert result["action"] == "none" and not result["changed"] and result["days_left"] == 99, result
    # The lwa role's daily run, both queues empty: 7 AWS calls (6 in check mode) without a redrive policy...
    assert calls[False, False] == ["GetQueueUrl", "GetQueueUrl", "GetQueueAttributes", "ReceiveMessage",
                                   "GetQueueAttributes", "ReceiveMessage", "GetQueueAttributes"]
    assert calls[False, True] == ["GetQueueUrl", "GetQueueUrl", "ReceiveMessage", "GetQueueAttributes",
                                  "ReceiveMessage", "GetQueueAttributes"]
    # ...and one ReceiveMessage more with one: the RedrivePolicy comes with the GetQueueAttributes the run makes anyway.
    for check_mode in (False, True):
        extra = collections.Counter(calls[True, check_mode]) - collections.Counter(calls[False, check_mode])
        assert extra == {"ReceiveMessage": 1} and len(calls[True, check_mode]) == len(calls[False, check_mode]) + 1
        assert writes(calls[True, check_mode]) == []
    assert lwa.calls[CALLS] == 0 and lwa.calls[TOKENS] == 0


def test_a_pending_secret_moved_to_the_dead_letter_queue_is_adopted_without_a_second_rotation(
        moto, lwa, sqs, tmp_path):
    redrive(sqs)
    lwa.register(CLIENT, SECRET, [REFRESH], new_secret_queue=sqs.urls[NEW_QUEUE],
                 secret_expiry_queue=sqs.urls[EXPIRY_QUEUE])
    path = vault(tmp_path, 100)  # not due: only the adoption can change it
    # Already in the dead-letter queue: another application's secret, junk, an expiry notification (both queues
    # share it).
    for text in (new_secret("amzn1.oa2-cs.v1.someone-elses", OTHER), "junk", json.dumps({
            "notificationType": "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY", "payload": {
                "applicationOAuthClientSecretExpiry": {"clientId": CLIENT,
                                                       "clientSecretExpiryTime": "2026-01-01T00:00:00Z"}}})):
        sqs.send_message(QueueUrl=sqs.urls[DEAD], MessageBody=text)
    real = rotate_at_amazon(lwa)  # its run died: the new secret waits in the queue
    sqs.send_message(QueueUrl=sqs.urls[DEAD], MessageBody=new_secret(FORGED))  # sent after it: tried first
    written = path.read_bytes()

    # A run that stops because LWA cannot judge the secret (5xx), then check-mode runs: every receive counts, and
    # SQS moves the real secret to the dead-letter queue. Each run says it would adopt it, and writes nothing.
    lwa.add_fault("POST", "/auth/o2/token", 503, times=10)
    stopped, dummy = rotate(moto, lwa, path)
    assert stopped["failed"] and "could not judge" in stopped["msg"] and counts(sqs, NEW_QUEUE) == (1, 0)
    with lwa.lock:
        lwa.faults = []
    peeks = []
    while counts(sqs, NEW_QUEUE) != (0, 0) and len(peeks) < MAX_RECEIVES:
        peeks.append(rotate(moto, lwa, path, check_mode=True)[0])
    assert counts(sqs, NEW_QUEUE) == (0, 0) and counts(sqs, DEAD) == (5, 0) and len(peeks) == 3
    assert all(p["action"] == "adopt" and p["changed"] for p in peeks), peeks
    # Check mode finds it in the dead-letter queue too, hiding and writing nothing there.
    peek, warnings = rotate(moto, lwa, path, check_mode=True)
    assert peek["action"] == "adopt" and "dead-letter queue %s" % DEAD in peek["reason"], peek
    assert path.read_bytes() == written and counts(sqs, DEAD) == (5, 0) and lwa.calls[CALLS] == 1

    # The daily run adopts it: vaulted, proven, its message deleted; no second rotation. The forged secret is
    # refused and left there with the rest, visible: nothing else deleted, nothing set aside.
    moto.start_recording()
    adopted, warnings = rotate(moto, lwa, path)
    actions = moto.stop_recording()
    assert adopted["adopted"] and adopted["action"] == "adopted" and not adopted["rotated"], adopted
    assert "dead-letter queue %s" % DEAD in adopted["reason"] and lwa.calls[CALLS] == 1
    content = decrypt(path)
    assert content["lwa_client_secret"] == real and content["lwa_previous_client_secret"] == SECRET
    assert content["lwa_client_secret_expires"] == lwa.app(CLIENT)["client_secret_expires"][:19] + "Z"
    assert adopted["proven"] == ["refresh_token"] and adopted["days_left"] == 179 and adopted["set_aside"] == 0
    assert [r["client_id"] for r in adopted["refused"]] == [CLIENT] and FORGED not in json.dumps(content)
    refused = [w for w in warnings if "LWA refused" in w]
    assert len(refused) == 1 and "dead-letter queue %s" % DEAD in refused[0] and "left there" in refused[0]
    assert counts(sqs, DEAD) == (4, 0) and collections.Counter(writes(actions))["DeleteMessage"] == 1

    # The next daily run: the forged secret is refused again and still left there; nothing changes.
    again, warnings = rotate(moto, lwa, path)
    assert again["action"] == "none" and not again["changed"] and len(again["refused"]) == 1, again
    assert counts(sqs, DEAD) == (4, 0) and decrypt(path)["lwa_client_secret"] == real

    # An older rotation's secret that was never vaulted (its notification late, then in the dead-letter queue) while
    # a forced rotation vaulted a newer one: LWA still accepts it for 7 days, but it is never put back, nor tried.
    lwa.advance(61)  # SP-API's one rotation a minute
    lwa.set_delivery(CLIENT, drop=True)
    older = rotate_at_amazon(lwa)
    # Its expiry as Amazon gives it, 180 days after the rotation (in real time: the stand-in's clock was moved on).
    late = new_secret(older).replace("2099-01-01T00:00:00Z", iso(now() + datetime.timedelta(days=180)), 1)
    lwa.set_delivery(CLIENT)
    lwa.advance(61)
    forced, dummy = rotate(moto, lwa, path, force=True)
    newest = lwa.app(CLIENT)["client_secret"]
    assert forced["rotated"] and decrypt(path)["lwa_client_secret"] == newest and lwa.calls[CALLS] == 3, forced
    sqs.send_message(QueueUrl=sqs.urls[DEAD], MessageBody=late)
    exchanges = lwa.calls[TOKENS]
    daily, warnings = rotate(moto, lwa, path)
    assert daily["action"] == "none" and not daily["changed"] and daily["refused"] == [], daily
    assert decrypt(path)["lwa_client_secret"] == newest and lwa.calls[TOKENS] == exchanges
    assert counts(sqs, DEAD) == (5, 0) and lwa.calls[CALLS] == 3
