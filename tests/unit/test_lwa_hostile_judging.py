"""Hostile queue messages (issue 20, items 1 and 4), from tables, without network: a secret is a candidate until
LWA accepts it, and a queue is read whole (paged) before a rotation may be requested."""

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._rotation import plan
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation import messages
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.accept import Judge, RotationFailed
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.http import HttpError, Reply
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.run import Rotation
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.sqs import MAX_MESSAGES, Queue
from tests.support.lwa_messages import CLIENT, NOW, OTHER, body, message, parse, t, z


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
    monkeypatch.setattr("ansible_collections.spapi.onboarding.plugins.module_utils._rotation.sqs.MAX_MESSAGES", limit)
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
