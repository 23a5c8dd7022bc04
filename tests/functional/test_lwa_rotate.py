"""lwa_rotate's run against moto server (SQS) and the LWA / SP-API stand-in, in-process: the same code
the action plugin runs, with a real Ansible Vault file. The rate limit's minute passes on the stand-in's
clock (the run's clock moves it instead of sleeping), so no test waits a minute."""

import datetime
import json
import time

import boto3
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import LwaVault
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import LocalStore
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import SCOPE_ROTATION, exchange
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import HttpClient
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.plan import ROTATE_PATH, validate_rotate_params
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.run import Clock, rotate_secret
from ansible_collections.spapi.onboarding.plugins.modules.lwa_rotate import ARGUMENT_SPEC, CONSTRAINTS
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import VaultFileError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import write_vault_file
from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  pylint: disable=unused-import
from tests.support.tasks import make_task

CLIENT = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
OTHER = "amzn1.application-oa2-client.ffffffffffffffffffffffffffffffff"
SECRET = "amzn1.oa2-cs.v1.0ld5ecre7000000000000000000000000000000000000000000000000000000000"
REFRESH = "Atzr|IwEBI-rotation-test-refresh-token"
PASSWORD = "rotation test vault password"
NEW_QUEUE, EXPIRY_QUEUE = "sp-new-secret", "sp-secret-expiry"
CALLS = "POST " + ROTATE_PATH
SECRETS = [("spapi", VaultSecret(PASSWORD.encode()))]


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class StandinClock(Clock):
    """Waits move the stand-in's clock (its rate limit, its token lifetimes) instead of sleeping."""

    def __init__(self, standin):
        self.standin, self.offset, self.slept = standin, 0.0, []

    def monotonic(self):
        return time.monotonic() + self.offset

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.offset += seconds
        self.standin.advance(seconds)


class BrokenStore(LwaVault):
    def write(self, ours):
        raise VaultFileError("cannot write the vault file %s: No space left on device" % self.path)


@pytest.fixture
def sqs(moto):
    client = boto3.client("sqs", endpoint_url=moto.url, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.urls = dict((name, client.create_queue(QueueName=name)["QueueUrl"]) for name in (NEW_QUEUE, EXPIRY_QUEUE))
    return client


@pytest.fixture
def app(lwa, sqs):
    return lwa.register(CLIENT, SECRET, [REFRESH], new_secret_queue=sqs.urls[NEW_QUEUE],
                        secret_expiry_queue=sqs.urls[EXPIRY_QUEUE])


def vault(tmp_path, expires=None, **extra):
    path = tmp_path / "lwa.vault.yml"
    content = {"lwa_client_id": CLIENT, "lwa_client_secret": SECRET, "lwa_client_secret_expires": expires,
               "lwa_previous_client_secret": None, "lwa_previous_client_secret_expires": None,
               "lwa_refresh_token": REFRESH, "lwa_application_id": None,
               "updated": iso(now() - datetime.timedelta(days=1)),
               "team_var": "kept"}
    content.update(extra)
    write_vault_file(str(path), content, SECRETS, "spapi")
    return path


def decrypt(path):
    return yaml.safe_load(VaultLib(SECRETS).decrypt(path.read_bytes()))


def rotate(moto, lwa, path, check_mode=False, clock=None, store=None, diff_mode=False, **params):
    params.setdefault("queue_name", NEW_QUEUE)
    task = make_task(ARGUMENT_SPEC, moto.url, check_mode=check_mode, diff_mode=diff_mode, constraints=CONSTRAINTS,
                     vault_file=str(path), lwa_endpoint=lwa.token_url, spapi_endpoint=lwa.url, **params)
    validate_rotate_params(task.params)
    store = (store or LwaVault)(LocalStore(str(path)), SECRETS)
    result = rotate_secret(task, store, HttpClient(sleep=lambda s: None), clock or StandinClock(lwa))
    text = json.dumps(result, default=str)
    assert SECRET not in text and REFRESH not in text and "amzn1.oa2-cs.v1." not in text and "Atza|" not in text
    return result


def rotate_at_amazon(lwa):
    """A rotation made by someone else (a run that died): its notification is in the queue."""
    token = exchange(HttpClient(), lwa.token_url, CLIENT, lwa.app(CLIENT)["client_secret"], scope=SCOPE_ROTATION)
    from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import spapi_request
    spapi_request(HttpClient(), lwa.url, "POST", ROTATE_PATH, token, "rotate", ok=(204,))
    return lwa.app(CLIENT)["client_secret"]


def bodies(sqs, name):
    """What the queue holds, visible (each received then made visible again)."""
    reply = sqs.receive_message(QueueUrl=sqs.urls[name], MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [json.loads(m["Body"]) for m in reply.get("Messages", [])]


def kept(sqs, name):
    """How many messages the queue still holds, visible or set aside (hidden until their visibility timeout)."""
    attributes = sqs.get_queue_attributes(QueueUrl=sqs.urls[name], AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def foreign_message(sqs):
    sqs.send_message(QueueUrl=sqs.urls[NEW_QUEUE], MessageBody=json.dumps({
        "notificationType": "APPLICATION_OAUTH_CLIENT_NEW_SECRET", "payload": {"applicationOAuthClientNewSecret": {
            "clientId": OTHER, "newClientSecret": "amzn1.oa2-cs.v1.someone-elses", "newClientSecretExpiryTime":
            "2030-01-01T00:00:00Z", "oldClientSecretExpiryTime": "2029-01-01T00:00:00Z"}}}))


def test_a_rotation_vaults_proves_deletes_and_calls_once(moto, lwa, app, sqs, tmp_path):
    path = vault(tmp_path, expires=iso(now() + datetime.timedelta(days=10)))
    foreign_message(sqs)
    predicted = rotate(moto, lwa, path, check_mode=True, diff_mode=True)
    assert predicted["action"] == "rotate" and predicted["changed"] and lwa.calls[CALLS] == 0
    result = rotate(moto, lwa, path, expiry_queue_name=EXPIRY_QUEUE)
    assert result["rotated"] and result["action"] == "rotated" and not result["adopted"], result
    assert lwa.calls[CALLS] == 1 and lwa.calls[CALLS + " 204"] == 1
    content = decrypt(path)
    standin = lwa.app(CLIENT)
    assert content["lwa_client_secret"] == standin["client_secret"] != SECRET
    assert content["lwa_previous_client_secret"] == SECRET and content["team_var"] == "kept"
    assert content["lwa_client_secret_expires"] == result["client_secret_expires"] == standin["client_secret_expires"][:19] + "Z"
    old_expires = datetime.datetime.fromisoformat(content["lwa_previous_client_secret_expires"].replace("Z", "+00:00"))
    assert abs((old_expires - now()).total_seconds() - 7 * 86400) < 120
    assert result["proven"] == ["refresh_token"] and result["days_left"] == 179
    # The notification is gone; the other application's message is still there, set aside (not deleted).
    assert kept(sqs, NEW_QUEUE) == 1 and result["set_aside"] == 1 and result["refused"] == []
    # A re-run the next day: nothing to do, no rotation call.
    again = rotate(moto, lwa, path)
    assert not again["changed"] and again["action"] == "none" and lwa.calls[CALLS] == 1
    assert "not within days_before_expiry=30" in again["reason"]


def test_a_fresh_secret_makes_no_changing_call(moto, lwa, app, sqs, tmp_path):
    path = vault(tmp_path, expires=iso(now() + datetime.timedelta(days=100)))
    written = path.read_bytes()
    moto.start_recording()
    for check_mode in (True, False):
        result = rotate(moto, lwa, path, check_mode=check_mode, expiry_queue_name=EXPIRY_QUEUE)
        assert not result["changed"] and result["action"] == "none" and result["days_left"] == 99
    moto.stop_recording()
    assert path.read_bytes() == written
    assert lwa.calls[CALLS] == 0 and lwa.calls["POST /auth/o2/token"] == 0
    # An unknown expiry is not rotated without force, and says so.
    unknown = rotate(moto, lwa, vault(tmp_path))
    assert not unknown["changed"] and "does not say when the client secret expires" in unknown["reason"]


@pytest.mark.parametrize("force", [True, False])
def test_a_pending_secret_is_adopted_without_a_second_rotation(moto, lwa, app, sqs, tmp_path, force):
    path = vault(tmp_path, expires=iso(now() + datetime.timedelta(days=100)))
    new = rotate_at_amazon(lwa)
    foreign_message(sqs)
    peek = rotate(moto, lwa, path, check_mode=True, force=force)
    assert peek["action"] == "adopt" and peek["changed"] and decrypt(path)["lwa_client_secret"] == SECRET
    assert len(bodies(sqs, NEW_QUEUE)) == 2  # check mode hid nothing
    result = rotate(moto, lwa, path, force=force)
    assert result["adopted"] and not result["rotated"] and result["action"] == "adopted"
    assert decrypt(path)["lwa_client_secret"] == new and decrypt(path)["lwa_previous_client_secret"] == SECRET
    assert lwa.calls[CALLS] == 1  # the one that left the notification
    assert kept(sqs, NEW_QUEUE) == 1 and bodies(sqs, NEW_QUEUE) == []  # the other application's, set aside
    # The same notification delivered twice (SQS delivers at least once): a duplicate, deleted, no change.
    lwa._deliver(sqs.urls[NEW_QUEUE], lwa.sent[-1])
    duplicate = rotate(moto, lwa, path, force=True)
    assert not duplicate["changed"] and "no second rotation" in duplicate["reason"] and lwa.calls[CALLS] == 1
    assert kept(sqs, NEW_QUEUE) == 1


def test_an_expiry_notification_20_days_out_makes_a_daily_run_rotate(moto, lwa, app, sqs, tmp_path):
    path = vault(tmp_path)  # expiry unknown
    lwa.send_expiry_notification(CLIENT, iso(now() + datetime.timedelta(days=20, hours=1)))
    result = rotate(moto, lwa, path, expiry_queue_name=EXPIRY_QUEUE)
    assert result["expiry_learned"].startswith(iso(now() + datetime.timedelta(days=20, hours=1))[:13])
    assert result["rotated"] and "expires in 20 days" in result["reason"] and lwa.calls[CALLS] == 1
    assert bodies(sqs, EXPIRY_QUEUE) == []  # read ones are deleted


def test_not_enrolled_names_the_console_row_and_the_queue_arn(moto, lwa, app, sqs, tmp_path):
    lwa.set_preferences(CLIENT, None, None)
    path = vault(tmp_path)
    written = path.read_bytes()
    result = rotate(moto, lwa, path, force=True)
    arn = sqs.get_queue_attributes(QueueUrl=sqs.urls[NEW_QUEUE], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert result["failed"] and not result["changed"] and "HTTP 400" in result["msg"]
    assert 'row "Application Client New Secret"' in result["msg"] and arn in result["msg"]
    assert path.read_bytes() == written


def test_429_is_waited_out_within_the_rate_limit(moto, lwa, app, sqs, tmp_path):
    path = vault(tmp_path)
    rotate_at_amazon(lwa)  # a rotation seconds ago: SP-API refuses another for a minute
    sqs.purge_queue(QueueUrl=sqs.urls[NEW_QUEUE])  # its notification lost
    clock = StandinClock(lwa)
    result = rotate(moto, lwa, path, force=True, clock=clock)
    assert result["rotated"] and clock.slept[0] == 60, (result, clock.slept)
    assert lwa.calls[CALLS + " 429"] == 1 and lwa.calls[CALLS + " 204"] == 2
    # A wait that does not fit in wait_timeout is not started: nothing rotated, run again later.
    lwa.add_fault("POST", ROTATE_PATH, 429, retry_after=120)
    refused = rotate(moto, lwa, vault(tmp_path), force=True, wait_timeout=30)
    assert refused["failed"] and "one call a minute" in refused["msg"] and "run the rotation again" in refused["msg"]
    assert lwa.calls[CALLS + " 204"] == 2


def test_a_late_notification_is_adopted_by_the_next_run(moto, lwa, app, sqs, tmp_path):
    path = vault(tmp_path)
    lwa.set_delivery(CLIENT, delay_seconds=2.5)
    late = rotate(moto, lwa, path, force=True, wait_timeout=1, clock=Clock())
    assert late["failed"] and late["changed"] and late["rotation_requested"]
    for words in ("the rotation was requested", "adopts it without rotating again",
                  "keeps working until"):
        assert words in late["msg"], late["msg"]
    assert decrypt(path)["lwa_client_secret"] == SECRET
    deadline = time.monotonic() + 10
    while not lwa.sent and time.monotonic() < deadline:  # the notification arrives after the run gave up
        time.sleep(0.1)
    adopted = rotate(moto, lwa, path, force=True)
    assert adopted["adopted"] and lwa.calls[CALLS] == 1, (adopted, lwa.sent, lwa.delivery_errors)


def test_an_unwritable_vault_leaves_the_message_in_the_queue(moto, lwa, app, sqs, tmp_path):
    path = vault(tmp_path)
    written = path.read_bytes()
    failed = rotate(moto, lwa, path, force=True, store=BrokenStore)
    assert failed["failed"] and "No space left on device" in failed["msg"] and "left in the queue" in failed["msg"]
    assert path.read_bytes() == written
    # Visible again at once: the next run adopts it, no second rotation.
    assert len(bodies(sqs, NEW_QUEUE)) == 1
    adopted = rotate(moto, lwa, path, force=True)
    assert adopted["adopted"] and lwa.calls[CALLS] == 1


def test_a_lost_reply_of_the_rotation_call_is_not_retried_and_the_secret_still_arrives(moto, lwa, app, sqs, tmp_path):
    path = vault(tmp_path)
    lwa.add_fault("POST", ROTATE_PATH, 500, after=True)  # SP-API rotated, the reply said 500
    result = rotate(moto, lwa, path, force=True)
    assert result["rotated"] and decrypt(path)["lwa_client_secret"] == lwa.app(CLIENT)["client_secret"]
    assert lwa.calls[CALLS] == 1
