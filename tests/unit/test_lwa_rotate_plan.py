"""The rotation's pure plan, from tables: reading notifications, what to adopt, what is stale or foreign,
whether to rotate, what the vault file becomes, and the messages that leave a way forward. No network."""

import datetime
import json

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._rotation import plan
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

CLIENT, OTHER = "amzn1.application-oa2-client.aaa", "amzn1.application-oa2-client.bbb"
NOW = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)


def t(days):
    return NOW + datetime.timedelta(days=days)


def new_secret(secret, client=CLIENT, expires=180, sent=0, mid=None):
    body = {"notificationType": plan.NEW_SECRET, "payload": {"applicationOAuthClientNewSecret": {
        "clientId": client, "newClientSecret": secret, "newClientSecretExpiryTime": t(expires).isoformat(),
        "oldClientSecretExpiryTime": t(expires - 173).isoformat()}},
        "notificationMetadata": {"publishTime": t(sent).isoformat()}}
    return plan.parse_message({"MessageId": mid or secret + client, "Body": json.dumps(body)})


def expiry(days, sent, client=CLIENT):
    body = {"notificationType": plan.SECRET_EXPIRY, "payload": {"applicationOAuthClientSecretExpiry": {
        "clientId": client, "clientSecretExpiryTime": t(days).isoformat(),
        "clientSecretExpiryReason": "PERIODIC_ROTATION"}},
        "notificationMetadata": {"publishTime": t(sent).isoformat()}}
    return plan.parse_message({"MessageId": "e%s%s%s" % (days, sent, client), "Body": json.dumps(body)})


@pytest.mark.parametrize("body", ["not json", "[]", json.dumps({"payload": {}}), json.dumps(
    {"notificationType": plan.NEW_SECRET, "payload": {"applicationOAuthClientNewSecret": {"clientId": CLIENT}}})])
def test_what_is_not_a_readable_notification_has_no_kind(body):
    assert plan.parse_message({"MessageId": "1", "Body": body}).kind is None


def test_a_notification_never_shows_its_secret():
    assert "s3cret" not in repr(new_secret("s3cret", mid="m1"))


@pytest.mark.parametrize("queue, vaulted, previous, candidates, spent, others", [
    ([], "A", None, [], [], []),
    ([("B", CLIENT, 180)], "A", None, ["B"], [], []),                       # a pending secret: a candidate
    ([("A", CLIENT, 180)], "A", None, [], ["A"], []),                       # a duplicate of the vaulted one
    ([("P", CLIENT, 10)], "A", "P", [], ["P"], []),                         # the previous secret: stale
    ([("B", CLIENT, 170, 0), ("C", CLIENT, 180, 1)], "A", None, ["C", "B"], [], []),  # newest sent first
    ([("B", OTHER, 180)], "A", None, [], [], ["B"]),                        # another application's
    ([("A", CLIENT, 180), ("B", OTHER, 180), ("C", CLIENT, 180)], "A", None, ["C"], ["A"], ["B"]),
])
def test_sort_new_secrets(queue, vaulted, previous, candidates, spent, others):
    found = [new_secret(*entry) for entry in queue]
    current = {"lwa_client_id": CLIENT, "lwa_client_secret": vaulted, "lwa_previous_client_secret": previous}
    got_candidates, got_spent, got_others = plan.sort_new_secrets(found, CLIENT, current)
    assert [n.secret for n in got_candidates] == candidates
    assert [n.secret for n in got_spent] == spent and [n.secret for n in got_others] == others


@pytest.mark.parametrize("queue, vaulted_at, learned, read, foreign", [
    ([], None, None, 0, 0),
    ([(20, 5)], None, 20, 1, 0),
    ([(20, 5), (25, 6)], t(0), 20, 2, 0),      # the earliest wins: a later one can only be ignored
    ([(20, -5)], t(0), None, 1, 0),            # sent before the secret was vaulted: stale, but read (deleted)
    ([(20, 5, OTHER)], None, None, 0, 1),
])
def test_sort_expiry(queue, vaulted_at, learned, read, foreign):
    found = [expiry(*entry) for entry in queue]
    got, got_read, got_foreign = plan.sort_expiry(found, CLIENT, vaulted_at)
    assert got == (t(learned) if learned is not None else None)
    assert (len(got_read), len(got_foreign)) == (read, foreign)


@pytest.mark.parametrize("expires, force, days, rotate, words", [
    (None, False, 30, False, "does not say when"),
    (None, True, 30, True, "force=true"),
    (t(100), False, 30, False, "expires in 100 days"),
    (t(100), True, 30, True, "force=true"),
    (t(20), False, 30, True, "within days_before_expiry=30"),
    (t(30), False, 30, False, "not within"),
    (t(-2), False, 0, True, "expires in -2 days"),
])
def test_decide(expires, force, days, rotate, words):
    got, why = plan.decide(expires, NOW, force, days)
    assert got is rotate and words in why


def test_the_vaulted_secret_becomes_the_previous_one():
    current = {"lwa_client_id": CLIENT, "lwa_client_secret": "A", "lwa_client_secret_expires": "2026-03-10T00:00:00Z",
               "lwa_refresh_token": "R", "updated": "x"}
    desired = plan.vault_with_secret(current, new_secret("B"), NOW)
    assert (desired["lwa_client_secret"], desired["lwa_previous_client_secret"]) == ("B", "A")
    assert desired["lwa_client_secret_expires"] == "2026-08-28T00:00:00Z"
    assert desired["lwa_previous_client_secret_expires"] == "2026-03-08T00:00:00Z"
    assert desired["lwa_refresh_token"] == "R"
    assert plan.changed_keys(current, desired) == ["lwa_client_secret", "lwa_client_secret_expires",
                                                   "lwa_previous_client_secret", "lwa_previous_client_secret_expires"]
    assert plan.vault_with_expiry(desired, t(180), NOW) is None  # the same expiry: no write
    assert plan.vault_with_expiry(desired, t(20), NOW)["lwa_client_secret_expires"] == "2026-03-21T00:00:00Z"


@pytest.mark.parametrize("params, option", [
    ({}, "queue_name"),
    ({"queue_name": "q", "queue_url": "https://sqs.us-east-1.amazonaws.com/123456789012/q"}, "queue_url"),
    ({"queue_name": "q.fifo"}, "queue_name"),
    ({"queue_url": "https://example.com/q"}, "queue_url"),
    ({"queue_name": "q", "expiry_queue_name": "bad name"}, "expiry_queue_name"),
    ({"queue_name": "q", "days_before_expiry": -1}, "days_before_expiry"),
    ({"queue_name": "q", "wait_timeout": 0}, "wait_timeout"),
    ({"queue_name": "q", "wait_timeout": 3601}, "wait_timeout"),
    ({"queue_name": "q", "spapi_endpoint": "http://sellingpartnerapi-na.amazon.com"}, "spapi_endpoint"),
])
def test_refused_options_name_the_option(params, option):
    with pytest.raises(ValidationError) as refused:
        plan.validate_rotate_params(dict({"days_before_expiry": 30, "wait_timeout": 300}, **params))
    assert refused.value.option == option


def test_every_stop_says_what_to_do():
    assert 'row "Application Client New Secret"' in plan.not_enrolled("arn:aws:sqs:us-east-1:1:q")
    assert "arn:aws:sqs:us-east-1:1:q" in plan.not_enrolled("arn:aws:sqs:us-east-1:1:q")
    assert "run the rotation again in a minute" in plan.rate_limited(60, 10)
    late = plan.no_notification("q", "2026-03-08T00:00:00Z")
    assert "requested" in late and "adopts it without rotating again" in late and "2026-03-08" in late
    assert "may or may not" in plan.no_notification("q", None, "HTTP 500")
    assert "within %d seconds" % plan.VISIBILITY_TIMEOUT in plan.messages_in_flight(1, "q")
    assert "left in the queue" in plan.vault_unwritable("cannot write")
