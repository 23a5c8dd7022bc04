"""access_key's plan: the user's keys, the vaulted key, the options and the time -> what to do and why.

Pure: no AWS, no vault file. Each row is one situation a run meets.
"""

import datetime

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.plan import (
    NEW_KEY,
    AccessKeyError,
    AccessKeyRefused,
    check_vault_account,
    check_vault_user,
    plan_absent,
    plan_present,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import with_aws_options
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.modules.iam_plan import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.plan import plan

USER = "SellingPartnerAPIUser"
VAULT = "/srv/sp.vault.yml"
NOW = datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc)
VAULTED, OTHER, THIRD = "AKIAEXAMPLEVAULTED01", "AKIAEXAMPLEOTHER0002", "AKIAEXAMPLETHIRD0003"


def key(key_id, status="Active", age_days=1):
    # Naive, as moto and some botocore versions return it: the plan must read it as UTC.
    created = (NOW - datetime.timedelta(days=age_days)).replace(tzinfo=None)
    return {"AccessKeyId": key_id, "Status": status, "CreateDate": created}


def options(**overrides):
    values = dict(rotate=False, max_age_days=None, on_unknown_keys="fail")
    values.update(overrides)
    return values


def ids(keys):
    return [k["AccessKeyId"] for k in keys]


def present(keys, stored_id=VAULTED, **overrides):
    return plan_present(USER, keys, stored_id, options(**overrides), NOW, VAULT)


@pytest.mark.parametrize("keys, stored_id, overrides, reason", [
    ([key(VAULTED)], VAULTED, {}, None),
    ([key(VAULTED, age_days=400)], VAULTED, {}, None),  # no max_age_days: age never matters
    ([key(VAULTED, age_days=89)], VAULTED, {"max_age_days": 90}, None),
    ([key(VAULTED, age_days=91)], VAULTED, {"max_age_days": 90}, "the vaulted key %s is older than 90 days" % VAULTED),
    ([key(VAULTED)], VAULTED, {"rotate": True}, "rotation was requested"),
    ([key(VAULTED, "Inactive")], VAULTED, {}, "the vaulted key %s is inactive" % VAULTED),
    ([], VAULTED, {}, "the vaulted key %s no longer exists in AWS" % VAULTED),
    ([], None, {}, "the vault file holds no key"),
    ([key(OTHER, "Inactive")], None, {}, "the vault file holds no key"),
])
def test_why_a_new_key_is_made(keys, stored_id, overrides, reason):
    assert present(keys, stored_id, **overrides).reason == reason


def test_a_sound_vaulted_key_is_kept_and_nothing_changes():
    plan = present([key(VAULTED)])
    assert (plan.reason, plan.replace, plan.delete_first, plan.deactivate, plan.delete_unknown) == (None, None, None, [], [])
    assert plan.after() == {"vaulted_access_key_id": VAULTED, "access_keys": {VAULTED: "Active"}}


def test_rotation_replaces_the_vaulted_key_after_the_new_one_is_made():
    plan = present([key(VAULTED)], rotate=True)
    assert plan.replace["AccessKeyId"] == VAULTED and plan.delete_first is None
    assert plan.after(NEW_KEY) == {"vaulted_access_key_id": NEW_KEY, "access_keys": {NEW_KEY: "Active"}}


@pytest.mark.parametrize("policy, deactivate, delete, after", [
    ("deactivate", [OTHER], [], {VAULTED: "Active", OTHER: "Inactive", THIRD: "Inactive"}),
    ("delete", [], [OTHER, THIRD], {VAULTED: "Active"}),
])
def test_unknown_keys_follow_on_unknown_keys(policy, deactivate, delete, after):
    plan = present([key(VAULTED), key(OTHER), key(THIRD, "Inactive")], on_unknown_keys=policy)
    assert plan.unknown_ids == [OTHER, THIRD]
    assert (ids(plan.deactivate), ids(plan.delete_unknown)) == (deactivate, delete)
    assert plan.after()["access_keys"] == after


def test_an_active_unknown_key_is_refused_by_default_naming_it():
    with pytest.raises(AccessKeyRefused) as refused:
        present([key(VAULTED), key(OTHER)])
    assert refused.value.code == "UnknownAccessKeys" and refused.value.option == "on_unknown_keys"
    assert "IAM user '%s' has active access keys that %s does not hold: %s" % (USER, VAULT, OTHER) in str(refused.value)
    assert refused.value.report == {"unknown_key_ids": [OTHER]}


def test_an_inactive_unknown_key_is_reported_not_refused():
    plan = present([key(VAULTED), key(OTHER, "Inactive")])
    assert plan.unknown_ids == [OTHER] and plan.reason is None


def test_two_working_keys_leave_no_room_for_a_new_one():
    with pytest.raises(AccessKeyRefused) as refused:
        present([key(VAULTED), key(OTHER, "Inactive")], rotate=True)
    assert refused.value.code == "LimitExceeded"
    assert "already has 2 access keys (%s active (vaulted), %s inactive)" % (VAULTED, OTHER) in str(refused.value)
    assert "(rotation was requested)" in str(refused.value)


def test_an_inactive_vaulted_key_makes_room_by_going_first():
    plan = present([key(VAULTED, "Inactive"), key(OTHER, "Inactive")])
    assert plan.delete_first["AccessKeyId"] == VAULTED and plan.replace is None
    assert plan.after("AKIANEW") == {"vaulted_access_key_id": "AKIANEW",
                                     "access_keys": {OTHER: "Inactive", "AKIANEW": "Active"}}


def test_deleting_unknown_keys_makes_room():
    plan = present([key(VAULTED), key(OTHER)], rotate=True, on_unknown_keys="delete")
    assert ids(plan.delete_unknown) == [OTHER] and plan.replace["AccessKeyId"] == VAULTED


def test_an_inactive_vaulted_key_with_room_is_replaced_after_the_new_one():
    plan = present([key(VAULTED, "Inactive")])
    assert plan.replace["AccessKeyId"] == VAULTED and plan.delete_first is None


@pytest.mark.parametrize("keys, stored_id, policy, deleted, after", [
    ([key(VAULTED)], VAULTED, "fail", VAULTED, {}),
    ([], VAULTED, "fail", None, {}),
    ([key(VAULTED), key(OTHER)], VAULTED, "delete", VAULTED, {}),
    ([key(VAULTED), key(OTHER)], VAULTED, "deactivate", VAULTED, {OTHER: "Inactive"}),
])
def test_absent_deletes_the_vaulted_key_and_the_vault_holds_none(keys, stored_id, policy, deleted, after):
    plan = plan_absent(USER, keys, stored_id, options(on_unknown_keys=policy), VAULT)
    assert (plan.delete_vaulted or {}).get("AccessKeyId") == deleted
    assert plan.after() == {"vaulted_access_key_id": None, "access_keys": after}


def test_absent_refuses_an_active_unknown_key_too():
    with pytest.raises(AccessKeyRefused, match="does not hold: %s" % OTHER):
        plan_absent(USER, [key(OTHER)], None, options(), VAULT)


def test_a_vault_file_of_another_user_is_refused():
    check_vault_user("arn:aws:iam::123456789012:user/%s" % USER, USER, VAULT)
    check_vault_user(None, USER, VAULT)
    with pytest.raises(AccessKeyRefused) as refused:
        check_vault_user("arn:aws:iam::123456789012:user/SomeoneElse", USER, VAULT)
    assert str(refused.value).startswith("option 'vault_file': %s holds the access key of " % VAULT)


@pytest.mark.parametrize("stored_arn, refused", [
    ("arn:aws:iam::123456789012:user/%s" % USER, False),
    ("arn:aws:iam::210987654321:user/%s" % USER, True),
    ("arn:aws-cn:iam::123456789012:user/%s" % USER, True),
    (None, False),
    ("not an arn", False),
])
def test_a_vaulted_key_of_another_account_is_refused(stored_arn, refused):
    here = {"partition": "aws", "account": "123456789012"}
    if refused:
        with pytest.raises(AccessKeyRefused, match="in another account than 123456789012"):
            check_vault_account(stored_arn, here, VAULT)
    else:
        check_vault_account(stored_arn, here, VAULT)


def test_refusals_are_validation_errors_not_aws_failures():
    """So that iam_plan names the variable behind the option, and a refusal is never mistaken for AWS failing."""
    with pytest.raises(AccessKeyRefused) as refused:
        present([key(VAULTED), key(OTHER)])
    assert isinstance(refused.value, AccessKeyError) and isinstance(refused.value, ValidationError)
    assert not isinstance(refused.value, AwsFailure)


def test_iam_plan_names_the_role_variable_behind_a_refusal():
    """iam_plan runs access_key's logic in check mode: its refusal names the variable the user set."""
    def refuse(step):
        assert step.check_mode
        return present([key(VAULTED), key(OTHER)])  # refuses: an active key the vault does not hold

    params = ArgumentSpecValidator(with_aws_options(ARGUMENT_SPEC)).validate(
        {"scope": "access_key", "vault_file": VAULT, "variable_prefix": "iam_"}).validated_parameters
    with pytest.raises(ValidationError) as refused:
        plan(params, connection=object(), run_access_key=refuse)
    assert str(refused.value).startswith("variable 'iam_on_unknown_keys': IAM user '%s' has active access keys" % USER)
