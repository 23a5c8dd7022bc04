"""Hostile queue messages (issue 20, items 2 and 3), from tables, without network: every body is parsed in its own
guard, and dates from messages never move the expiry later (in the rotation and in lwa_check)."""

import json

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._rotation import plan
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation import messages
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import expiry_report
from tests.support.lwa_messages import CLIENT, FORGED, NOW, body, parse, t, z


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
