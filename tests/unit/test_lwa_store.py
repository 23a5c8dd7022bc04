"""What lwa_credentials writes into the LWA vault file and what lwa_check makes of it, from tables. Pure."""

import datetime
import json

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import (
    expiry_report,
    plan_store,
    store_diff,
    validate_credentials_params,
    NoCredentials,
    vaulted_credentials,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

UTC = datetime.timezone.utc
NOW = datetime.datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
CLIENT = "amzn1.application-oa2-client.aaa"
OTHER = "amzn1.application-oa2-client.bbb"
VAULTED = {
    "lwa_client_id": CLIENT, "lwa_client_secret": "S1", "lwa_client_secret_expires": "2025-06-01T00:00:00Z",
    "lwa_previous_client_secret": "S0", "lwa_previous_client_secret_expires": "2025-01-05T00:00:00Z",
    "lwa_refresh_token": "R1", "lwa_application_id": "amzn1.sp.solution.x", "updated": "2024-12-01T00:00:00Z",
}


def params(**overrides):
    base = dict(client_id=CLIENT, client_secret="S1", refresh_token=None, application_id=None,
                client_secret_expires=None, state="present")
    base.update(overrides)
    return base


@pytest.mark.parametrize("current, overrides, changed, expect", [
    # nothing vaulted: every given key is new, the rest null
    ({}, dict(refresh_token="R1"), ["lwa_client_id", "lwa_client_secret", "lwa_refresh_token"],
     dict(lwa_client_secret_expires=None, lwa_application_id=None, updated="2025-01-01T12:00:00Z")),
    # the same values again: no change, updated stays
    (VAULTED, dict(refresh_token="R1"), [], dict(updated="2024-12-01T00:00:00Z")),
    # unset refresh token and application id keep the vaulted ones
    (VAULTED, {}, [], dict(lwa_refresh_token="R1", lwa_application_id="amzn1.sp.solution.x")),
    # "" removes them
    (VAULTED, dict(refresh_token="", application_id=""), ["lwa_refresh_token", "lwa_application_id"],
     dict(lwa_refresh_token=None, lwa_application_id=None)),
    # a new secret: its expiry is unknown unless given; the previous secret stays
    (VAULTED, dict(client_secret="S2"), ["lwa_client_secret", "lwa_client_secret_expires"],
     dict(lwa_client_secret_expires=None, lwa_previous_client_secret="S0")),
    (VAULTED, dict(client_secret="S2", client_secret_expires="2025-07-01"),
     ["lwa_client_secret", "lwa_client_secret_expires"],
     dict(lwa_client_secret_expires="2025-07-01T00:00:00Z")),
    # the same expiry written another way is no change
    (VAULTED, dict(client_secret_expires="2025-06-01T02:00:00+02:00"), [], {}),
    # another application: nothing of the old one is kept
    (VAULTED, dict(client_id=OTHER, client_secret="T1"),
     ["lwa_client_id", "lwa_client_secret", "lwa_client_secret_expires", "lwa_previous_client_secret",
      "lwa_previous_client_secret_expires", "lwa_refresh_token", "lwa_application_id"],
     dict(lwa_refresh_token=None, lwa_previous_client_secret=None, lwa_application_id=None)),
])
def test_plan_store(current, overrides, changed, expect):
    desired, changed_keys = plan_store(current, params(**overrides), NOW)
    assert changed_keys == changed
    for key, value in expect.items():
        assert desired[key] == value, key
    assert all(v is None or v.__class__ is str for v in desired.values())  # plain str for yaml.safe_dump


def test_plan_store_makes_tagged_strings_plain():
    class Tagged(str):
        pass

    desired, dummy = plan_store({}, params(client_secret=Tagged("S1"), refresh_token=Tagged("R1")), NOW)
    assert desired["lwa_client_secret"].__class__ is str and desired["lwa_refresh_token"].__class__ is str


def test_diff_shows_which_keys_change_never_a_secret():
    desired, dummy = plan_store(VAULTED, params(client_secret="S2-new", refresh_token="R2-new"), NOW)
    diff = store_diff(VAULTED, desired, "/v/lwa.vault.yml")
    text = json.dumps(diff)
    for secret in ("S1", "S2-new", "R1", "R2-new", "S0"):
        assert '"%s"' % secret not in text
    assert diff["before"]["lwa_client_secret"] == "<secret>" and diff["after"]["lwa_client_secret"] == "<new secret>"
    assert diff["after"]["lwa_refresh_token"] == "<new secret>"
    assert diff["after"]["lwa_previous_client_secret"] == "<secret>"
    assert diff["after"]["lwa_client_id"] == CLIENT
    assert store_diff(VAULTED, {}, "/v")["after"] == {}


@pytest.mark.parametrize("overrides, option", [
    (dict(client_id=None), "client_id"),
    (dict(client_secret=None), "client_secret"),
    (dict(client_id="amzn1.oa2-cs.v1.zzz"), "client_id"),
    (dict(client_secret="two words"), "client_secret"),
    (dict(refresh_token="Atzr|x\n"), "refresh_token"),
    (dict(application_id="app"), "application_id"),
    (dict(client_secret_expires="soon"), "client_secret_expires"),
    (dict(lwa_endpoint="http://lwa.example/token"), "lwa_endpoint"),
])
def test_every_option_is_checked_before_anything_else(overrides, option):
    with pytest.raises(ValidationError) as caught:
        validate_credentials_params(params(**overrides))
    assert caught.value.option == option


def test_absent_needs_no_secret():
    validate_credentials_params(params(client_id=None, client_secret=None, state="absent"))


@pytest.mark.parametrize("data, problem", [
    (None, "does not exist"),
    ({"team_var": 1}, "holds no lwa_client_id and no lwa_client_secret"),
    ({"lwa_client_id": CLIENT}, "holds no lwa_client_secret"),
])
def test_vaulted_credentials_explain_what_is_missing(data, problem):
    with pytest.raises(NoCredentials) as missing:
        vaulted_credentials(data, "/v/lwa.vault.yml")
    assert problem in str(missing.value) and "lwa_credentials" in str(missing.value)


@pytest.mark.parametrize("expires, minimum, left, fails, warns", [
    ("2025-01-31T12:00:00Z", 7, 30, False, False),
    ("2025-01-08T12:00:00Z", 7, 7, False, False),
    ("2025-01-08T11:59:59Z", 7, 6, True, False),
    ("2024-12-30T12:00:00Z", 0, -2, True, False),
    (None, 7, None, False, True),
    ("garbled", 7, None, False, True),
])
def test_expiry_report(expires, minimum, left, fails, warns):
    dummy, days, problem, warning = expiry_report(expires, NOW, minimum)
    assert days == left and bool(problem) == fails and bool(warning) == warns
    if fails:
        assert "min_days_left=%d" % minimum in problem and "rotate" in problem.lower()
