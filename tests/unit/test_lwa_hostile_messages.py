"""Hostile queue messages (issue 20, items 1-4), from tables, without network: every body is parsed in its
own guard, dates from messages never move the expiry later, a secret is a candidate until LWA accepts it,
and a queue is read whole (paged) before a rotation may be requested."""

import datetime
import json

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa import rotate_plan as plan
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa._rotation import messages
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa._rotation.accept import Judge, RotationFailed
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import HttpError, Reply
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.rotate_sqs import MAX_MESSAGES, Queue
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import expiry_report

CLIENT, OTHER = "amzn1.application-oa2-client.aaa", "amzn1.application-oa2-client.bbb"
NOW = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
FORGED = "amzn1.oa2-cs.v1.F0RGED"


def t(days):
    return NOW + datetime.timedelta(days=days)


def z(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def body(secret=FORGED, client=CLIENT, expires="2099-01-01T00:00:00Z", old="2099-01-01T00:00:00Z", sent=None,
         kind=plan.NEW_SECRET):
    if kind == plan.NEW_SECRET:
        payload = {"applicationOAuthClientNewSecret": {"clientId": client, "newClientSecret": secret,
                                                       "newClientSecretExpiryTime": expires,
                                                       "oldClientSecretExpiryTime": old}}
    else:
        payload = {"applicationOAuthClientSecretExpiry": {"clientId": client, "clientSecretExpiryTime": expires}}
    return json.dumps({"notificationType": kind, "payload": payload,
                       "notificationMetadata": {"publishTime": sent or z(NOW)}})


def message(text, mid="m1", sender="AIDAFORGER", stamp=None):
    attributes = {"SenderId": sender}
    if stamp is not None:
        attributes["SentTimestamp"] = str(int(stamp.timestamp() * 1000))
    return {"MessageId": mid, "ReceiptHandle": "r-" + mid, "Body": text, "Attributes": attributes}


def parse(text, **kw):
    return messages.parse_message(message(text, **kw), NOW)


# --- item 3: one malformed message never stops a run ----------------------------------------------

@pytest.mark.parametrize("text, problem", [
    ("[" * 10000 + "]" * 10000, "nested deeper"),                         # RecursionError in json.loads
    ('{"a":' * 5000 + "1" + "}" * 5000, "nested deeper"),
    ("x" * (messages.MAX_BODY_CHARS + 1), "larger than"),
    ("", "empty body"),
    (None, "empty body"),
    ("not json", "not JSON"),
    ("[]", "not an SP-API notification"),
    (json.dumps({"notificationType": "ANY_OFFER_CHANGED", "payload": {}}), "another notification type"),
    (body(sent="9999-12-31T23:59:59-23:59"), "publishTime"),                 # OverflowError on conversion
    (body(sent="0001-01-01T00:00:00Z"), "out of range"),
    (body(sent="+275760-09-13"), "not an ISO 8601"),
    (body(sent=10 ** 30), "not a date"),
    (body(expires="9999-12-31T23:59:59Z"), "out of range"),
    (body(expires="1" * 5000), "not a date"),
    (body(secret="two words"), "no usable newClientSecret"),
    (body(secret="x" * 600), "no usable newClientSecret"),
    (body(secret=["list"]), "no usable newClientSecret"),
    (body(client=7), "no client id"),
    (body(client="amzn1\ninjected"), "no client id"),
    (body(kind=plan.SECRET_EXPIRY, expires=None), "no clientSecretExpiryTime"),
    (json.dumps({"notificationType": plan.NEW_SECRET, "payload": {"applicationOAuthClientNewSecret": "x"}}), "payload"),
    ('{"payload": {"a": 1e999999}, "notificationType": 5}', "no notificationType"),
])
def test_a_hostile_body_is_set_aside_never_raised(text, problem):
    found = parse(text)
    assert found.problem and problem in found.problem, found.problem
    assert not found.about(CLIENT, plan.NEW_SECRET) and not found.about(CLIENT, plan.SECRET_EXPIRY)
    assert FORGED not in repr(found) and FORGED not in found.problem


def test_the_guard_catches_what_nothing_foresaw(monkeypatch):
    def boom(*args):
        raise OverflowError("date value out of range")
    monkeypatch.setattr(messages, "_read", boom)
    assert parse(body()).problem == "unreadable"
    assert messages.parse_message("not a dict").problem == "unreadable"


@pytest.mark.parametrize("text, deep", [
    ('{"a": [[[1]]]}', False), ('{"a": "[[[[[[[[[[[[[[[[[[[[[[["}', False),
    ('{"a": "\\"[[[[[[[[[[[[[[[[[[[[["}', False),
    ("[" * 17 + "]" * 17, True), ("[" * 16 + "]" * 16, False),
])
def test_depth_is_counted_outside_strings(text, deep):
    assert messages.too_deep(text) is deep


def test_the_sender_is_reported_only_when_it_looks_like_one():
    assert parse(body()).who() == {"message_id": "m1", "client_id": CLIENT, "sender": "AIDAFORGER"}
    assert parse(body(), sender="<script>\n").sender is None


# --- item 2: dates from messages never move the expiry later ----------------------------------------

@pytest.mark.parametrize("sent, stamp, expires, old, want_sent, want_expires, want_old", [
    (z(t(0)), None, z(t(180)), z(t(7)), t(0), t(180), t(7)),                  # Amazon's own: as it says
    (z(t(-10)), None, z(t(170)), z(t(-3)), t(-10), t(170), t(-3)),
    ("2099-01-01T00:00:00Z", None, "2099-06-01T00:00:00Z", "2099-01-08T00:00:00Z", NOW, t(180), t(7)),  # future: now
    (z(t(0)), t(-30), "2099-06-01T00:00:00Z", None, t(-30), t(150), t(-23)),  # SQS saw it 30 days ago
    (z(t(-40)), t(-30), z(t(300)), z(t(300)), t(-40), t(140), t(-33)),        # promises beyond 180 + 7 days
])
def test_a_new_secret_message_cannot_promise_more_than_180_days_from_when_it_was_sent(
        sent, stamp, expires, old, want_sent, want_expires, want_old):
    found = parse(body(expires=expires, old=old, sent=sent), stamp=stamp)
    assert found.problem is None
    assert (found.sent, found.expires, found.old_expires) == (want_sent, want_expires, want_old)


def test_an_expiry_notification_is_capped_too():
    found = parse(body(kind=plan.SECRET_EXPIRY, expires="2099-01-01T00:00:00Z", sent="2099-01-01T00:00:00Z"))
    assert found.about(CLIENT, plan.SECRET_EXPIRY) and found.expires == t(180) and found.sent == NOW


VAULT = {"lwa_client_id": CLIENT, "lwa_client_secret": "A", "updated": z(t(-100))}


@pytest.mark.parametrize("told, updated, notified, recorded", [
    (z(t(60)), z(t(-100)), t(20), t(20)),          # earlier: recorded
    (z(t(60)), z(t(-100)), t(90), None),           # later: ignored
    (z(t(60)), z(t(-100)), t(60), None),           # the same: no write
    (None, z(t(-100)), t(20), t(20)),              # unknown: recorded when within 180 days of the last update
    (None, z(t(-100)), t(170), None),              # ... and ignored beyond it (the secret cannot live that long)
    (z(t(3000)), z(t(-100)), t(90), None),         # a poisoned vault: judged by updated + 180 = t(80)
    (z(t(3000)), z(t(-100)), t(30), t(30)),
    (None, None, t(20), t(20)),                    # nothing known: the message's own cap applies (parse)
])
def test_an_expiry_notification_only_brings_the_expiry_earlier(told, updated, notified, recorded):
    current = dict(VAULT, lwa_client_secret_expires=told, updated=updated)
    desired = plan.vault_with_expiry(current, notified, NOW)
    assert (desired["lwa_client_secret_expires"] if desired else None) == (z(recorded) if recorded else None)


def test_a_forged_later_expiry_sent_last_hides_no_earlier_real_one():
    real = parse(body(kind=plan.SECRET_EXPIRY, expires=z(t(20)), sent=z(t(-1))), mid="real")
    forged = parse(body(kind=plan.SECRET_EXPIRY, expires="2099-01-01T00:00:00Z", sent="2099-01-01T00:00:00Z"))
    expires, read, others = plan.sort_expiry([forged, real], CLIENT, t(-2))
    assert expires == t(20) and len(read) == 2 and others == []


def test_a_vaulted_new_secret_keeps_at_most_180_days_and_the_old_one_7():
    notification = messages.Notification("m", secret="B", expires=t(5000), old_expires=t(5000), sent=t(5000))
    desired = plan.vault_with_secret(dict(VAULT, lwa_client_secret_expires=None), notification, NOW)
    assert desired["lwa_client_secret_expires"] == z(t(180))
    assert desired["lwa_previous_client_secret_expires"] == z(t(7))
    assert desired["lwa_previous_client_secret"] == "A" and desired["updated"] == z(NOW)


@pytest.mark.parametrize("told, updated, minimum, left, fails, warns", [
    (z(t(30)), z(t(-10)), 7, 30, False, False),          # told, within the bound
    (z(t(27000)), z(t(-176)), 7, 4, True, True),         # issue 20 item 2: a forged 2099 recorded 176 days ago
    (z(t(27000)), z(t(-10)), 7, 170, False, True),       # still judged by the bound, and said
    (None, z(t(-176)), 7, None, True, True),             # unknown (as reported), but it cannot live past the bound
    (None, z(t(-10)), 7, None, False, True),
    (None, None, 7, None, False, True),                  # nothing known: passes with a warning, as before
    (z(t(30)), "garbled", 7, 30, False, False),
])
def test_lwa_check_judges_by_the_earlier_of_what_it_was_told_and_what_it_knows(told, updated, minimum, left, fails,
                                                                               warns):
    expires, days, problem, warning = expiry_report(told, NOW, minimum, vaulted_at=updated)
    assert days == left and bool(problem) == fails and bool(warning) == warns
    if told and days == 4:
        assert "at the latest" in warning and expires == z(t(4))


@pytest.mark.parametrize("told, updated, force, rotate, words", [
    (z(t(27000)), z(t(-170)), False, True, "at the latest in 10 days"),
    (None, z(t(-170)), False, True, "at the latest in 10 days"),
    (None, z(t(-10)), False, False, "does not say when"),
    (z(t(100)), z(t(-10)), False, False, "expires in 100 days"),
])
def test_the_rotation_decides_by_the_same_rule(told, updated, force, rotate, words):
    expires, bounded = plan.judged_expiry(dict(VAULT, lwa_client_secret_expires=told, updated=updated))
    got, why = plan.decide(expires, NOW, force, 30, bounded)
    assert got is rotate and words in why, why


# --- item 1: a new secret is a candidate until LWA accepts it ----------------------------------------

class FakeLwa:
    """An LWA token endpoint as a table: secret -> answers in turn ("ok", "invalid_client", "down")."""

    def __init__(self, answers):
        self.answers, self.tried = dict((k, list(v)) for k, v in answers.items()), []

    def request(self, method, url, what, headers=None, body=None, ok=(200,), retry=True):
        form = dict(pair.split("=", 1) for pair in body.decode().split("&"))
        self.tried.append(form["client_secret"])
        queue = self.answers[form["client_secret"]]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if answer == "ok":
            return Reply(200, {}, b'{"access_token": "Atza|x", "expires_in": 3600}')
        if answer == "down":
            raise HttpError("the LWA token exchange failed: HTTP 503", status=503)
        raise HttpError("the LWA token exchange failed: HTTP 401 invalid_client", status=401, code="invalid_client")


class FakeTask:
    def __init__(self):
        self.params, self.warnings = {"lwa_endpoint": "https://api.amazon.com/auth/o2/token"}, []

    def warn(self, text):
        self.warnings.append(text)


class Aside:
    name = "sp-new-secret"

    def __init__(self):
        self.aside = []

    def set_aside(self, notifications):
        self.aside.extend(n.message_id for n in notifications)


class Sleeper:
    def __init__(self):
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)


CURRENT = {"lwa_client_id": CLIENT, "lwa_client_secret": "A", "lwa_refresh_token": "Atzr|r"}


def candidate(secret, days_ago):
    return messages.Notification("m-" + secret, "r", "AIDA" + secret, plan.NEW_SECRET, CLIENT, secret,
                                 sent=t(-days_ago))


@pytest.mark.parametrize("answers, patience, remaining, accepted, refused, slept, unjudged", [
    ({"F1": ["invalid_client"], "F2": ["invalid_client"], "REAL": ["ok"]}, 0, 300, "REAL", ["F1", "F2"], [], 0),
    ({"F1": ["invalid_client"], "F2": ["invalid_client"], "REAL": ["invalid_client"]}, 0, 300, None,
     ["F1", "F2", "REAL"], [], 0),
    ({"F1": ["ok"], "F2": ["ok"], "REAL": ["ok"]}, 0, 300, "F1", [], [], 0),       # newest first
    ({"F1": ["invalid_client", "invalid_client", "ok"], "F2": ["ok"], "REAL": ["ok"]}, 15, 300, "F1", [], [1, 2], 0),
    ({"F1": ["invalid_client", "ok"], "F2": ["ok"], "REAL": ["ok"]}, 0, 300, "F2", ["F1"], [], 0),
    ({"F1": ["ok"], "F2": ["ok"], "REAL": ["ok"]}, 0, 0, None, [], [], 3),          # no time left: none judged
])
def test_only_a_secret_lwa_accepts_is_a_new_secret(answers, patience, remaining, accepted, refused, slept, unjudged):
    lwa, task, queue, clock = FakeLwa(answers), FakeTask(), Aside(), Sleeper()
    judge = Judge(task, lwa, clock, lambda: remaining)
    found = plan.sort_new_secrets([candidate("REAL", 3), candidate("F2", 2), candidate("F1", 1)], CLIENT, CURRENT)[0]
    got = judge.first_accepted(queue, found, CURRENT, patience)
    assert (got[0].secret if got else None) == accepted and (got[1] if got else None) in (None, "refresh_token")
    assert [r["message_id"] for r in judge.refused] == ["m-" + s for s in refused] and clock.slept == slept
    assert judge.unjudged == unjudged and len(queue.aside) == len(refused) + unjudged
    for secret, warning in zip(refused, task.warnings):
        assert "m-%s" % secret in warning and "AIDA%s" % secret in warning and CLIENT in warning
        assert "not vaulted" in warning
        assert secret not in warning.replace("m-" + secret, "").replace("AIDA" + secret, "")


def test_when_lwa_cannot_judge_the_run_stops_and_nothing_is_set_aside():
    judge = Judge(FakeTask(), FakeLwa({"REAL": ["down"]}), Sleeper(), lambda: 300)
    queue = Aside()
    with pytest.raises(RotationFailed) as stopped:
        judge.first_accepted(queue, [candidate("REAL", 1)], CURRENT)
    text = str(stopped.value)
    assert "could not judge" in text and "not vaulted" in text and "REAL" not in text
    assert queue.aside == [] and judge.refused == []


def test_a_proven_secret_supersedes_only_what_was_sent_before_it():
    newer, adopted, older = candidate("N", 1), candidate("A2", 2), candidate("O", 3)
    assert plan.superseded([newer, adopted, older], adopted) == [older]


# --- item 4: the whole queue is read before a rotation is requested ----------------------------------

class FakeSqs:
    """A standard queue: receives hide what they return for the visibility timeout; short polls may miss some."""

    def __init__(self, bodies, flaky=False):
        self.messages = [message(text, mid="m%d" % i) for i, text in enumerate(bodies)]
        self.hidden, self.flaky, self.receives = set(), flaky, 0

    def receive_message(self, QueueUrl, MaxNumberOfMessages, WaitTimeSeconds, AttributeNames, VisibilityTimeout):
        self.receives += 1
        if self.flaky and not WaitTimeSeconds and self.receives % 2:
            return {}  # a short poll that asked the servers without messages
        batch = [m for m in self.messages if m["MessageId"] not in self.hidden][:MaxNumberOfMessages]
        if VisibilityTimeout:
            self.hidden.update(m["MessageId"] for m in batch)
        return {"Messages": batch}

    def get_queue_attributes(self, QueueUrl, AttributeNames):
        visible = len([m for m in self.messages if m["MessageId"] not in self.hidden])
        return {"Attributes": {"ApproximateNumberOfMessages": str(visible),
                               "ApproximateNumberOfMessagesNotVisible": str(len(self.hidden))}}


REAL = body(secret="amzn1.oa2-cs.v1.REAL", expires=z(t(180)), old=z(t(7)), sent=z(t(-1)))
JUNK = ["junk %d" % i for i in range(300)] + ["[" * 100000] + [body(client=OTHER)] + [body(sent="99999")]


@pytest.mark.parametrize("bodies, peek, flaky, limit, remaining, read, complete, reason", [
    (JUNK + [REAL], False, False, MAX_MESSAGES, 300, 304, True, None),
    (JUNK + [REAL], False, True, MAX_MESSAGES, 300, 304, True, None),     # short polls that miss: still read whole
    ([], False, False, MAX_MESSAGES, 300, 0, True, None),
    (JUNK + [REAL], False, False, MAX_MESSAGES, 0, 0, False, "wait_timeout ran out"),
    (JUNK + [REAL], False, False, 50, 300, 50, False, "more than 50"),
    (JUNK + [REAL], True, False, MAX_MESSAGES, 300, 10, False, "check mode"),
    ([REAL], True, False, MAX_MESSAGES, 300, 1, True, None),
])
def test_the_whole_queue_is_read_paged_and_bounded(monkeypatch, bodies, peek, flaky, limit, remaining, read,
                                                   complete, reason):
    monkeypatch.setattr("ansible_collections.spapi.onboarding.plugins.module_utils._lwa.rotate_sqs.MAX_MESSAGES", limit)
    queue = Queue(FakeSqs(bodies, flaky), "https://sqs.us-east-1.amazonaws.com/123456789012/q", "q", lambda: NOW)
    found = queue.read_all(peek, lambda: remaining)
    assert len(found) == read and queue.complete is complete
    assert (reason is None and queue.unread_reason is None) or reason in queue.unread_reason
    if complete and not peek and bodies:
        candidates, spent, others = plan.sort_new_secrets(found, CLIENT, CURRENT)
        assert [c.secret for c in candidates] == ["amzn1.oa2-cs.v1.REAL"] and len(others) == read - 1
        queue.set_aside(others)
        assert queue.set_aside_count == read - 1 and list(queue.holding) == [candidates[0].message_id]


class HalfReadQueue:
    """A new-secret queue whose read stopped early (wait_timeout, or a flood beyond MAX_MESSAGES)."""
    name, set_aside_count, complete, unread_reason = "sp-new-secret", 0, False, "wait_timeout ran out"

    def hidden_count(self):
        return 0

    def read_all(self, peek, remaining):
        return [parse(body(client=OTHER), mid="other")]

    def set_aside(self, notifications):
        self.set_aside_count += len(notifications)

    def delete(self, notifications):
        assert not notifications

    def release_all(self):
        pass


@pytest.mark.parametrize("check_mode", [False, True])
def test_while_messages_remain_unread_no_rotation_is_requested_even_forced(check_mode):
    from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.rotate_run import Rotation

    task = FakeTask()
    task.params.update(force=True, days_before_expiry=30, wait_timeout=300)
    task.check_mode, task.diff_mode = check_mode, False

    class Store:
        path = "lwa.vault.yml"

    lwa = FakeLwa({})
    rotation = Rotation(task, Store(), lwa, clock=None)
    current = dict(CURRENT, lwa_client_secret_expires=z(t(3)), updated=z(t(-100)))
    if check_mode:  # check mode says it, and predicts what the run would do once it has read them all
        result = rotation.run(current, HalfReadQueue())
        assert result["action"] == "rotate" and "check mode: wait_timeout ran out" in result["reason"]
    else:
        with pytest.raises(RotationFailed) as stopped:
            rotation.run(current, HalfReadQueue())
        assert "not every message of the queue sp-new-secret was read" in str(stopped.value)
        assert "no rotation is requested" in str(stopped.value) and "dead-letter queue" in str(stopped.value)
    assert lwa.tried == [] and rotation.result["set_aside"] == 1 and rotation.result["rotated"] is False
