"""The rotation and the new-secret queue's dead-letter queue, from tables, without network: SQS and LWA are fakes that
answer as tables say (the moto-backed run is tests/functional/test_lwa_rotate_dead_letter.py).

A pending secret that more receives than maxReceiveCount moved to the dead-letter queue is adopted once LWA accepts
it; everything else there is made visible again at once and never deleted; an older rotation's secret never replaces
the vaulted one; no call at all without a redrive policy, one short poll for an empty dead-letter queue."""

import json

import pytest
from botocore.exceptions import ClientError

from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import Task
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import HttpError, Reply
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation import dead_letter
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.run import rotate_secret
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.sqs import Queue
from tests.support.lwa_messages import CLIENT, NOW, OTHER, body, message, parse, t, z

BASE = "https://sqs.us-east-1.amazonaws.com/123456789012/"
QUEUE, DLQ = BASE + "sp-new-secret", BASE + "sp-notifications-dlq"
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:sp-notifications-dlq"
REDRIVE = json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 5})
REAL, FORGED, OLDER = "amzn1.oa2-cs.v1.REAL", "amzn1.oa2-cs.v1.F0RGED", "amzn1.oa2-cs.v1.OLDER"
# The vault: secret A, expiring in 100 days (so no rotation is due).
VAULT = {"lwa_client_id": CLIENT, "lwa_client_secret": "amzn1.oa2-cs.v1.A", "lwa_client_secret_expires": z(t(100)),
         "lwa_refresh_token": "Atzr|r", "updated": z(t(-1))}
# What the dead-letter queue holds: a real pending secret, a forged one sent after it, an older rotation's secret the
# vault never held (expires before the vaulted one), a duplicate of the vaulted secret, another application's, junk.
HELD = [("real", body(secret=REAL, expires=z(t(179)), sent=z(t(-3)))),
        ("forged", body(secret=FORGED, sent=z(t(-1)))),
        ("older", body(secret=OLDER, expires=z(t(90)), sent=z(t(-90)))),
        ("spent", body(secret=VAULT["lwa_client_secret"], sent=z(t(-200)))),
        ("other", body(secret="amzn1.oa2-cs.v1.x", client=OTHER)),
        ("junk", "junk")]


class FakeSqs:
    """Standard queues by URL: a receive hides what it returns for its VisibilityTimeout (0: hides nothing)."""

    def __init__(self, queues, redrive=None, missing=()):
        self.queues = dict((url, [message(text, mid=mid) for mid, text in held]) for url, held in queues.items())
        self.hidden, self.redrive, self.missing, self.calls = set(), redrive, missing, []

    def _visible(self, url):
        return [m for m in self.queues[url] if m["MessageId"] not in self.hidden]

    def receive_message(self, QueueUrl, MaxNumberOfMessages, WaitTimeSeconds, AttributeNames, VisibilityTimeout):
        self.calls.append(("ReceiveMessage", QueueUrl, WaitTimeSeconds, VisibilityTimeout))
        if QueueUrl in self.missing:
            raise ClientError({"Error": {"Code": "AWS.SimpleQueueService.NonExistentQueue",
                                         "Message": "The specified queue does not exist."}}, "ReceiveMessage")
        batch = self._visible(QueueUrl)[:MaxNumberOfMessages]
        if VisibilityTimeout:
            self.hidden.update(m["MessageId"] for m in batch)
        return {"Messages": batch}

    def get_queue_attributes(self, QueueUrl, AttributeNames):
        self.calls.append(("GetQueueAttributes", QueueUrl, tuple(AttributeNames)))
        attributes = {"ApproximateNumberOfMessages": str(len(self._visible(QueueUrl))),
                      "ApproximateNumberOfMessagesNotVisible": "0"}
        if QueueUrl == QUEUE and self.redrive:
            attributes["RedrivePolicy"] = self.redrive
        return {"Attributes": dict((k, v) for k, v in attributes.items() if k in AttributeNames)}

    def change_message_visibility(self, QueueUrl, ReceiptHandle, VisibilityTimeout):
        self.calls.append(("ChangeMessageVisibility", QueueUrl, ReceiptHandle[2:]))
        self.hidden.discard(ReceiptHandle[2:])

    def delete_message(self, QueueUrl, ReceiptHandle):
        self.calls.append(("DeleteMessage", QueueUrl, ReceiptHandle[2:]))
        self.hidden.discard(ReceiptHandle[2:])
        self.queues[QueueUrl] = [m for m in self.queues[QueueUrl] if m["ReceiptHandle"] != ReceiptHandle]

    def at(self, url, op=None):
        return [c for c in self.calls if c[1] == url and (op is None or c[0] == op)]


class FakeLwa:
    """LWA's token endpoint as a table: secret -> "ok", "invalid_client" or "down"; remembers what it was asked."""

    def __init__(self, answers):
        self.answers, self.tried = answers, []

    def request(self, method, url, what, headers=None, body=None, ok=(200,), retry=True):
        form = dict(pair.split("=", 1) for pair in body.decode().split("&"))
        secret = form["client_secret"].replace("%2F", "/")
        self.tried.append(secret)
        answer = self.answers.get(secret, "invalid_client")
        if answer == "ok":
            return Reply(200, {}, b'{"access_token": "Atza|x", "expires_in": 3600}')
        if answer == "down":
            raise HttpError("the LWA token exchange failed: HTTP 503", status=503)
        raise HttpError("the LWA token exchange failed: HTTP 401 invalid_client", status=401, code="invalid_client")


class Connection:
    def __init__(self, sqs):
        self.sqs = sqs

    def client(self, service):
        return self.sqs


class Store:
    path = "lwa.vault.yml"

    def __init__(self):
        self.written = []

    def read(self):
        return dict(VAULT)

    def write(self, content):
        self.written.append(content)


class Clock:
    def now(self):
        return NOW

    def monotonic(self):
        return 0.0

    def sleep(self, seconds):
        pass


def run(sqs, lwa, check_mode=False, **params):
    options = dict(queue_url=QUEUE, queue_name=None, expiry_queue_url=None, expiry_queue_name=None, force=False,
                   days_before_expiry=30, wait_timeout=300, lwa_endpoint="https://api.amazon.com/auth/o2/token")
    options.update(params)
    task, store = Task(options, check_mode=check_mode, connection=Connection(sqs)), Store()
    result = rotate_secret(task, store, lwa, Clock())
    text = json.dumps(result, default=str) + json.dumps(task.warnings)
    assert "amzn1.oa2-cs.v1." not in text and "Atz" not in text, "a secret in the result or a warning"
    return result, store.written, task.warnings


# --- where the dead-letter queue is --------------------------------------------------------------------

@pytest.mark.parametrize("url, policy, expected", [
    (QUEUE, REDRIVE, DLQ),
    (QUEUE + "/", REDRIVE, DLQ),
    ("http://127.0.0.1:5000/123456789012/q", REDRIVE, "http://127.0.0.1:5000/123456789012/sp-notifications-dlq"),
    (QUEUE, json.dumps({"deadLetterTargetArn": "arn:aws-cn:sqs:cn-north-1:210987654321:d-l_q",
                        "maxReceiveCount": "5"}), BASE.replace("123456789012", "210987654321") + "d-l_q"),
    (QUEUE, None, None),
    (QUEUE, "", None),
    (QUEUE, "not json", None),
    (QUEUE, "[1]", None),
    (QUEUE, json.dumps({"maxReceiveCount": 5}), None),
    (QUEUE, json.dumps({"deadLetterTargetArn": DLQ_ARN + ".fifo"}), None),
    (QUEUE, json.dumps({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:../../x"}), None),
    (QUEUE, json.dumps({"deadLetterTargetArn": 12}), None),
])
def test_the_dead_letter_queue_is_found_from_the_redrive_policy_without_a_call(url, policy, expected):
    assert dead_letter.dead_letter_url(url, policy) == expected


@pytest.mark.parametrize("first, calls, names", [
    ("hidden_count", 1, ("ApproximateNumberOfMessagesNotVisible", "RedrivePolicy")),
    ("visible_count", 1, ("ApproximateNumberOfMessages", "RedrivePolicy")),
    ("arn", 1, ("QueueArn", "RedrivePolicy")),
    (None, 1, ("RedrivePolicy",)),  # nothing read before: one call of its own
])
def test_the_redrive_policy_comes_with_the_first_attribute_the_run_reads(first, calls, names):
    sqs = FakeSqs({QUEUE: []}, redrive=REDRIVE)
    queue = Queue(sqs, QUEUE, "sp-new-secret")
    if first:
        getattr(queue, first)()
    assert queue.redrive_policy() == REDRIVE and queue.redrive_policy() == REDRIVE
    assert len(sqs.calls) == calls and sqs.calls[0][2] == names
    queue.visible_count()  # later reads ask only for what they need
    assert sqs.calls[-1][2] == ("ApproximateNumberOfMessages",)


@pytest.mark.parametrize("vaulted_expiry, kept", [
    (z(t(100)), ["real", "forged"]),             # the older rotation's (t+90) is left alone
    (z(t(90)), ["real", "forged"]),               # expiring the same moment as the vaulted one: not newer
    (z(t(89)), ["real", "forged", "older"]),
    (None, ["real", "forged", "older"]),          # unknown: LWA judges them all
    ("not a date", ["real", "forged", "older"]),
])
def test_only_a_secret_that_outlives_the_vaulted_one_is_a_candidate(vaulted_expiry, kept):
    candidates = [parse(text, mid=mid) for mid, text in HELD[:3]]
    newer, older = dead_letter.newer_than_vaulted(candidates, dict(VAULT, lwa_client_secret_expires=vaulted_expiry))
    assert [n.message_id for n in newer] == kept and len(newer) + len(older) == 3


# --- the run ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("check_mode", [False, True])
def test_a_pending_secret_in_the_dead_letter_queue_is_adopted_and_nothing_else_there_is_touched(check_mode):
    sqs, lwa = FakeSqs({QUEUE: [], DLQ: HELD}, redrive=REDRIVE), FakeLwa({REAL: "ok", OLDER: "ok"})
    result, written, warnings = run(sqs, lwa, check_mode)
    assert result["action"] == ("adopt" if check_mode else "adopted") and result["changed"], result
    assert result["adopted"] is not check_mode and not result["rotated"] and "dead-letter queue" in result["reason"]
    assert lwa.tried == [FORGED, REAL]  # newest first; the older rotation's secret is never tried
    assert [r["message_id"] for r in result["refused"]] == ["forged"] and result["set_aside"] == 0
    refused = [w for w in warnings if "LWA refused" in w]
    assert len(refused) == 1 and "dead-letter queue sp-notifications-dlq" in refused[0] and "left there" in refused[0]
    if check_mode:  # peeks only: nothing hidden, released, deleted or written
        assert written == [] and all(c[3] == 0 for c in sqs.at(DLQ, "ReceiveMessage"))
        assert sqs.at(DLQ, "ChangeMessageVisibility") == [] and sqs.at(DLQ, "DeleteMessage") == []
    else:  # the vault holds the proven secret, its message alone is deleted; the rest is visible again
        assert [w["lwa_client_secret"] for w in written] == [REAL]
        assert written[0]["lwa_previous_client_secret"] == VAULT["lwa_client_secret"]
        assert written[0]["lwa_client_secret_expires"] == z(t(177))  # capped: 180 days after it was sent
        assert [c[2] for c in sqs.at(DLQ, "DeleteMessage")] == ["real"]
        assert sorted(c[2] for c in sqs.at(DLQ, "ChangeMessageVisibility")) == sorted(
            mid for mid, text in HELD if mid != "real")
        assert sqs.hidden == set() and len(sqs.queues[DLQ]) == len(HELD) - 1
    assert sqs.at(QUEUE, "DeleteMessage") == []


@pytest.mark.parametrize("redrive, held, dead_letter_calls", [
    (None, HELD, []),                                           # no redrive policy: no call at all
    (json.dumps({"maxReceiveCount": 5}), HELD, []),             # a policy without a dead-letter queue
    (REDRIVE, [], [("ReceiveMessage", DLQ, 0, 60)]),            # empty: one short poll, no count asked
])
def test_without_a_dead_letter_queue_no_call_and_an_empty_one_costs_one_short_poll(redrive, held, dead_letter_calls):
    sqs, lwa = FakeSqs({QUEUE: [], DLQ: held}, redrive=redrive), FakeLwa({REAL: "ok"})
    result, written, warnings = run(sqs, lwa)
    assert result["action"] == "none" and not result["changed"] and written == [] and warnings == [], result
    assert sqs.at(DLQ) == dead_letter_calls and lwa.tried == []
    # The main queue's own reads: its count before and after the read, the policy asked with the first.
    assert [c[2] for c in sqs.at(QUEUE, "GetQueueAttributes")] == [
        ("ApproximateNumberOfMessagesNotVisible", "RedrivePolicy"), ("ApproximateNumberOfMessages",)]


def test_when_lwa_cannot_judge_a_secret_there_the_run_stops_and_hides_nothing():
    sqs, lwa = FakeSqs({QUEUE: [], DLQ: HELD}, redrive=REDRIVE), FakeLwa({FORGED: "down", REAL: "ok"})
    result, written, dummy = run(sqs, lwa)
    assert result.get("failed") and "could not judge" in result["msg"] and written == [], result
    assert sqs.hidden == set() and sqs.at(DLQ, "DeleteMessage") == [] and lwa.tried == [FORGED]


def test_a_dead_letter_queue_that_cannot_be_read_is_reported_and_stops_nothing():
    sqs, lwa = FakeSqs({QUEUE: [], DLQ: []}, redrive=REDRIVE, missing=(DLQ,)), FakeLwa({})
    result, dummy, warnings = run(sqs, lwa)
    assert not result.get("failed") and result["action"] == "none", result
    assert len(warnings) == 1 and "NonExistentQueue" in warnings[0] and "sp-notifications-dlq" in warnings[0]
    assert "lwa_dead_letter_queue_name" in warnings[0]


@pytest.mark.parametrize("check_mode, force, action, reason, why, released", [
    (False, False, "none", "not within days_before_expiry=30", "it holds more than 3 messages", 10),  # one batch
    # Forced, in check mode: the rotation the run would request, with no note about the dead-letter queue.
    (True, True, "rotate", "force=true", "check mode peeks without hiding", 0),
])
def test_a_dead_letter_queue_not_read_whole_is_reported_and_does_not_hold_back_a_rotation(
        monkeypatch, check_mode, force, action, reason, why, released):
    monkeypatch.setattr("ansible_collections.spapi.onboarding.plugins.module_utils._rotation.sqs.MAX_MESSAGES", 3)
    junk = [("j%d" % i, "junk %d" % i) for i in range(12)]
    sqs, lwa = FakeSqs({QUEUE: [], DLQ: junk}, redrive=REDRIVE), FakeLwa({})
    result, written, warnings = run(sqs, lwa, check_mode=check_mode, force=force)
    assert result["action"] == action and result["reason"].endswith(reason) and written == [], result
    assert len(warnings) == 1 and "not every message of the dead-letter queue sp-notifications-dlq" in warnings[0]
    assert why in warnings[0] and len(sqs.at(DLQ, "ChangeMessageVisibility")) == released
    assert sqs.hidden == set() and sqs.at(DLQ, "DeleteMessage") == []
