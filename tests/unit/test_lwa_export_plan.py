"""lwa_export's pure plans: what goes into the secret and the credentials file, what is kept, and what a
diff may name (key names only, never a value). No AWS, no files."""

import json

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.export import (
    ExportError,
    plan_credentials_file,
    plan_secret,
    validate_export_params,
    vaulted_credentials,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

CREDS = {"lwa_refresh_token": "Atzr|r", "lwa_client_id": "amzn1.application-oa2-client.1", "lwa_client_secret": "s"}
NO_REFRESH = dict(CREDS, lwa_refresh_token=None)
SECRET = {"SP_API_REFRESH_TOKEN": "Atzr|r", "LWA_APP_ID": "amzn1.application-oa2-client.1", "LWA_CLIENT_SECRET": "s"}
ENTRY = {"refresh_token": "Atzr|r", "lwa_app_id": "amzn1.application-oa2-client.1", "lwa_client_secret": "s"}
ALL_SECRET_KEYS = ["LWA_APP_ID", "LWA_CLIENT_SECRET", "SP_API_REFRESH_TOKEN"]
ALL_FILE_KEYS = ["lwa_app_id", "lwa_client_secret", "refresh_token"]


@pytest.mark.parametrize("current, creds, state, expected", [
    (None, CREDS, "present", ("create", SECRET, ALL_SECRET_KEYS)),
    (json.dumps(SECRET), CREDS, "present", (None, SECRET, [])),
    # key order or spacing of the stored JSON is no change
    (json.dumps(SECRET, indent=2, sort_keys=True), CREDS, "present", (None, SECRET, [])),
    (json.dumps(dict(SECRET, LWA_CLIENT_SECRET="old")), CREDS, "present", ("update", SECRET, ["LWA_CLIENT_SECRET"])),
    # someone else's keys are kept
    (json.dumps({"AppClientId": "x"}), CREDS, "present", ("update", dict(SECRET, AppClientId="x"), ALL_SECRET_KEYS)),
    # no refresh token vaulted: a stale one is taken out
    (json.dumps(SECRET), NO_REFRESH, "present",
     ("update", {"LWA_APP_ID": SECRET["LWA_APP_ID"], "LWA_CLIENT_SECRET": "s"}, ["SP_API_REFRESH_TOKEN"])),
    (None, None, "absent", (None, None, [])),
    (json.dumps(SECRET), None, "absent", ("delete", None, ALL_SECRET_KEYS)),
    (json.dumps(dict(SECRET, AppClientId="x")), None, "absent", ("update", {"AppClientId": "x"}, ALL_SECRET_KEYS)),
    (json.dumps({"AppClientId": "x"}), None, "absent", (None, {"AppClientId": "x"}, [])),
])
def test_plan_secret(current, creds, state, expected):
    assert plan_secret(current, creds, state) == expected


@pytest.mark.parametrize("current", ["not json {", "[1, 2]", '"text"'])
def test_a_secret_that_is_not_a_json_object_is_left_alone(current):
    with pytest.raises(ExportError) as refused:
        plan_secret(current, CREDS, "present")
    assert "left untouched" in str(refused.value)
    assert current not in str(refused.value)


@pytest.mark.parametrize("current, account, creds, state, expected", [
    (None, "default", CREDS, "present", ("create", {"default": ENTRY}, ALL_FILE_KEYS)),
    ({}, "default", CREDS, "present", ("update", {"default": ENTRY}, ALL_FILE_KEYS)),
    ({"default": ENTRY}, "default", CREDS, "present", (None, {"default": ENTRY}, [])),
    ({"other": {"lwa_app_id": "o"}}, "default", CREDS, "present",
     ("update", {"other": {"lwa_app_id": "o"}, "default": ENTRY}, ALL_FILE_KEYS)),
    ({"eu": dict(ENTRY, region="EU", lwa_client_secret="old")}, "eu", CREDS, "present",
     ("update", {"eu": dict(ENTRY, region="EU")}, ["lwa_client_secret"])),
    ({"default": ENTRY}, "default", NO_REFRESH, "present",
     ("update", {"default": {"lwa_app_id": ENTRY["lwa_app_id"], "lwa_client_secret": "s"}}, ["refresh_token"])),
    ({"default": "garbage"}, "default", CREDS, "present", ("update", {"default": ENTRY}, ALL_FILE_KEYS)),
    (None, "default", None, "absent", (None, None, [])),
    ({"other": {}}, "default", None, "absent", (None, {"other": {}}, [])),
    ({"default": ENTRY}, "default", None, "absent", ("delete", None, ALL_FILE_KEYS)),
    ({"default": ENTRY, "other": {"lwa_app_id": "o"}}, "default", None, "absent",
     ("update", {"other": {"lwa_app_id": "o"}}, ALL_FILE_KEYS)),
])
def test_plan_credentials_file(current, account, creds, state, expected):
    assert plan_credentials_file(current, account, creds, state) == expected


def test_plans_never_name_a_value():
    for plan in (plan_secret(None, CREDS, "present"), plan_credentials_file(None, "default", CREDS, "present")):
        assert all(value not in plan[2] for value in CREDS.values())


@pytest.mark.parametrize("content, words", [
    (None, "holds no lwa_client_id or lwa_client_secret"),
    ({"lwa_client_id": "x"}, "holds no lwa_client_secret"),
    ({"lwa_client_id": "x", "lwa_client_secret": ""}, "holds no lwa_client_secret"),
    ({"lwa_client_id": "x", "lwa_client_secret": 12345}, "lwa_client_secret is not a string"),
    ({"lwa_client_id": "x", "lwa_client_secret": "s", "lwa_refresh_token": ["a"]}, "lwa_refresh_token is not a string"),
])
def test_vaulted_credentials_refused(content, words):
    with pytest.raises(ExportError) as refused:
        vaulted_credentials(content, "/v.yml")
    assert words in str(refused.value) and "/v.yml" in str(refused.value)


def test_vaulted_credentials():
    content = {"lwa_client_id": "c", "lwa_client_secret": "s", "lwa_refresh_token": None, "updated": "x", "team": 1}
    assert vaulted_credentials(content, "/v.yml") == {"lwa_refresh_token": None, "lwa_client_id": "c",
                                                      "lwa_client_secret": "s"}


def params(**overrides):
    base = dict(secret_name="sp-api/lwa", credentials_file=None, account="default", state="present")
    base.update(overrides)
    return base


@pytest.mark.parametrize("overrides, option", [
    ({"secret_name": None}, "secret_name"),
    ({"secret_name": ""}, "secret_name"),
    ({"secret_name": "has space"}, "secret_name"),
    ({"secret_name": "x" * 513}, "secret_name"),
    ({"secret_name": "arn:aws:secretsmanager:us-east-1:12345:secret:x"}, "secret_name"),
    ({"account": ""}, "account"),
    ({"account": "a\nb"}, "account"),
    ({"account": "a: b"}, "account"),
])
def test_validation_names_the_option(overrides, option):
    with pytest.raises(ValidationError) as refused:
        validate_export_params(params(**overrides))
    assert str(refused.value).startswith("option '%s': " % option)


@pytest.mark.parametrize("overrides", [
    {}, {"secret_name": None, "credentials_file": "/x/credentials.yml"},
    {"secret_name": "arn:aws:secretsmanager:us-east-1:123456789012:secret:sp-api/lwa-AbCdEf"},
    {"account": "eu-seller_2"},
])
def test_valid_input_passes(overrides):
    validate_export_params(params(**overrides))
