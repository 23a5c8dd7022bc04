"""Whose role, STS policy or policy it is: the pure rules behind takeover refusal and safe offboarding.

No network: documents and IAM listings are given as data.
"""

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.managed_policy import users_of
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import (
    allowed_principals,
    allowed_resources,
    assume_role_policy,
    trust_policy,
    wildcard_match,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.role_ownership import (
    foreign_principals,
    reasons_to_keep,
    refuse_takeover,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.sts_policy import refuse_retarget
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.plan import Planner

ACCOUNT = "123456789012"
FIRST = "arn:aws:iam::%s:user/SellingPartnerAPIUser" % ACCOUNT
SECOND = "arn:aws:iam::%s:user/SecondAppUser" % ACCOUNT
ROOT = "arn:aws:iam::%s:root" % ACCOUNT
OTHER_ROOT = "arn:aws:iam::210987654321:root"
ROLE = "arn:aws:iam::%s:role/SellingPartnerAPIRole" % ACCOUNT
SECOND_ROLE = "arn:aws:iam::%s:role/SecondAppRole" % ACCOUNT
POLICY = "arn:aws:iam::%s:policy/SellingPartnerAPI" % ACCOUNT
DELETED_USER_ID = "AIDAEXAMPLEDELETEDUSR"


class FakeTask:
    """Only what the refusal rules read: the options."""

    def __init__(self, **params):
        self.params = dict({"on_conflict": "refuse", "user_name": "SecondAppUser",
                            "policy_name": "SellingPartnerAPIAssumeRole"}, **params)


def trusting(*principals):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": list(principals)}}]}


@pytest.mark.parametrize("document, expected", [
    (trust_policy([FIRST]), [FIRST]),
    (trusting(FIRST, SECOND), sorted([FIRST, SECOND])),
    ({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}}, ["*"]),
    ({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
     ["Service:ec2.amazonaws.com"]),
    ({"Statement": [{"Effect": "Deny", "Principal": {"AWS": SECOND}, "Action": "sts:AssumeRole"}]}, []),
    (None, []),
])
def test_allowed_principals(document, expected):
    assert allowed_principals(document) == expected


@pytest.mark.parametrize("document, expected", [
    (assume_role_policy([ROLE]), [ROLE]),
    (assume_role_policy([ROLE, SECOND_ROLE]), sorted([ROLE, SECOND_ROLE])),
    ({"Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}, ["*"]),
    ({"Statement": [{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": ROLE}]}, []),
])
def test_allowed_resources(document, expected):
    assert allowed_resources(document) == expected


@pytest.mark.parametrize("pattern, value, expected", [
    ("*", ROLE, True),
    ("arn:aws:iam::%s:role/*" % ACCOUNT, ROLE, True),
    ("arn:aws:iam::%s:role/SellingPartnerAPIRol?" % ACCOUNT, ROLE, True),
    ("arn:aws:iam::%s:role/Second*" % ACCOUNT, ROLE, False),
    (SECOND_ROLE, ROLE, False),
    ("arn:aws:iam::%s:role/SellingPartner.PIRole" % ACCOUNT, ROLE, False),  # a dot is not a wildcard
])
def test_wildcard_match(pattern, value, expected):
    assert wildcard_match(pattern, value) is expected


@pytest.mark.parametrize("current, why", [
    (trusting(FIRST), "another identity's user"),
    (trusting(OTHER_ROOT), "another account"),
    (trusting("*"), "anyone"),
])
def test_a_role_serving_someone_else_is_refused_by_default(current, why):
    with pytest.raises(ValidationError) as error:
        refuse_takeover(FakeTask(), "SellingPartnerAPIRole", current, trust_policy([SECOND]))
    assert error.value.option == "name", why
    assert "the existing IAM role SellingPartnerAPIRole trusts" in str(error.value)
    assert "on_conflict=replace" in str(error.value)


@pytest.mark.parametrize("current, why", [
    (trusting(SECOND), "already this identity's"),
    (trusting(SECOND, FIRST), "widened: narrowed back to this identity"),
    (trusting(ROOT), "the account root, as Amazon's console guide builds the role"),
    (trusting(ACCOUNT), "the account id form of the root"),
    (trusting(DELETED_USER_ID), "a deleted user trusts nobody alive"),
    ({"Version": "2012-10-17", "Statement": []}, "trusts nobody"),
])
def test_a_role_that_is_this_identitys_or_nobodys_is_repaired(current, why):
    assert refuse_takeover(FakeTask(), "SellingPartnerAPIRole", current, trust_policy([SECOND])) is None, why


def test_replace_takes_over_on_purpose():
    assert refuse_takeover(FakeTask(on_conflict="replace"), "R", trusting(FIRST), trust_policy([SECOND])) is None


@pytest.mark.parametrize("current, refused", [
    (assume_role_policy([ROLE]), True),
    (assume_role_policy([SECOND_ROLE]), False),
    (assume_role_policy([ROLE, SECOND_ROLE]), False),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}, False),
    (None, False),
])
def test_an_sts_policy_pointing_elsewhere_is_refused(current, refused):
    task = FakeTask()
    if refused:
        with pytest.raises(ValidationError) as error:
            refuse_retarget(task, current, assume_role_policy([SECOND_ROLE]))
        assert error.value.option == "role_arn"
        assert "lets it assume %s, not %s" % (ROLE, SECOND_ROLE) in str(error.value)
    else:
        assert refuse_retarget(task, current, assume_role_policy([SECOND_ROLE])) is None
    assert refuse_retarget(FakeTask(on_conflict="replace"), current, assume_role_policy([SECOND_ROLE])) is None


def role(trust, attached=(POLICY,)):
    return {"assume_role_policy_document": trust, "attached_policy_arns": list(attached)}


@pytest.mark.parametrize("view, inline, owned_policies, expected", [
    (role(trusting(FIRST)), [], [POLICY], []),
    (role(trusting(FIRST, DELETED_USER_ID)), [], [POLICY], []),
    (role(trusting(FIRST, SECOND)), [], [POLICY], ["it also trusts %s" % SECOND]),
    (role(trusting(ROOT)), [], [POLICY], ["it also trusts %s" % ROOT]),
    (role(trusting(FIRST), attached=(POLICY, "arn:aws:iam::aws:policy/ReadOnlyAccess")), [], [POLICY],
     ["it also has arn:aws:iam::aws:policy/ReadOnlyAccess attached"]),
    (role(trusting(FIRST), attached=(POLICY, "arn:aws:iam::aws:policy/ReadOnlyAccess")), [], None, []),
    (role(trusting(FIRST)), ["s3-access"], [POLICY], ["it has inline policies (s3-access)"]),
])
def test_reasons_to_keep_a_role_when_offboarding(view, inline, owned_policies, expected):
    assert reasons_to_keep(view, inline, [FIRST], owned_policies) == expected


def test_foreign_principals_ignore_deleted_ones():
    assert foreign_principals(trusting(FIRST, SECOND, DELETED_USER_ID), [SECOND]) == [FIRST]


ENTITIES = {"PolicyUsers": [{"UserName": "ops"}], "PolicyGroups": [{"GroupName": "admins"}],
            "PolicyRoles": [{"RoleName": "SellingPartnerAPIRole"}, {"RoleName": "SecondAppRole"}]}


@pytest.mark.parametrize("entities, leaving, expected", [
    (ENTITIES, (), ["user ops", "group admins", "role SellingPartnerAPIRole", "role SecondAppRole"]),
    (ENTITIES, ("SecondAppRole",), ["user ops", "group admins", "role SellingPartnerAPIRole"]),
    ({"PolicyUsers": [], "PolicyGroups": [], "PolicyRoles": [{"RoleName": "SecondAppRole"}]}, ("SecondAppRole",), []),
    ({"PolicyUsers": [], "PolicyGroups": [], "PolicyRoles": []}, (), []),
])
def test_who_still_uses_a_policy(entities, leaving, expected):
    assert users_of(entities, leaving) == expected


@pytest.mark.parametrize("step, option, rule, expected", [
    ("policy", "name", "'a b' is not a valid IAM policy name", "variable 'iam_policy_name': 'a b' is not a valid IAM"),
    ("access_key", "on_unknown_keys", "check that vault_file names it, or set on_unknown_keys",
     "variable 'iam_on_unknown_keys': check that iam_vault_file names it, or set iam_on_unknown_keys"),
    ("sts_policy", "role_arn", "points elsewhere", "variable 'iam_role_name': points elsewhere"),
])
def test_a_plan_refusal_names_the_callers_variables(step, option, rule, expected):
    planner = Planner({"variable_prefix": "iam_"}, connection=None, run_access_key=None)
    assert str(planner.refused(step, ValidationError(option, rule))).startswith(expected)
