"""verify against moto server: whatever else gives the SP-API user or role permissions fails the chain.

The escalations an administrator can add by hand, each of which turns the vaulted long-lived key
into more than an SP-API key: an allow-all inline policy on the role, AdministratorAccess attached
to the user directly or through a group, an allow-all inline policy on the user, a console password.
moto has no AWS managed policies, so AdministratorAccess is a customer policy with the same document.
"""

import json

import pytest

from tests.functional.test_verify import (
    ACCOUNT,
    CHAIN_READS,
    GRANT_READS,
    ROLE,
    ROLE_ARN,
    USER,
    Chain,
    assert_sound,
    check,
    doc,
    verify_task,
)
from tests.support.ansible import play, run_playbook
from tests.support.moto import writes

ADMIN_POLICY_ARN = "arn:aws:iam::%s:policy/AdministratorAccess" % ACCOUNT
ALLOW_ALL = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
CONSOLE_PASSWORD = "Console-Passw0rd-never-printed!"


@pytest.fixture
def chain(moto, tmp_path):
    return Chain(moto, tmp_path)


def _administrator_access(c):
    """AWS's AdministratorAccess, as a customer policy (created once: several escalations use it)."""
    if not any(p["Arn"] == ADMIN_POLICY_ARN for p in c.iam.list_policies(Scope="Local")["Policies"]):
        c.iam.create_policy(PolicyName="AdministratorAccess", PolicyDocument=ALLOW_ALL)
    return ADMIN_POLICY_ARN


def _admins_group(c):
    c.iam.create_group(GroupName="admins")
    c.iam.attach_group_policy(GroupName="admins", PolicyArn=_administrator_access(c))
    c.iam.add_user_to_group(GroupName="admins", UserName=USER)


def _leave_admins(c):
    c.iam.remove_user_from_group(GroupName="admins", UserName=USER)


ESCALATIONS = {
    "allow-all inline policy on the role": (
        lambda c: c.iam.put_role_policy(RoleName=ROLE, PolicyName="escalate", PolicyDocument=ALLOW_ALL),
        lambda c: c.iam.delete_role_policy(RoleName=ROLE, PolicyName="escalate"),
        "role_grants",
        "IAM role %s has permissions beyond the SP-API chain: inline policy escalate allows * on *" % ROLE,
        "aws iam delete-role-policy --role-name %s --policy-name escalate" % ROLE),
    "AdministratorAccess attached to the user": (
        lambda c: c.iam.attach_user_policy(UserName=USER, PolicyArn=_administrator_access(c)),
        lambda c: c.iam.detach_user_policy(UserName=USER, PolicyArn=ADMIN_POLICY_ARN),
        "user_grants",
        "IAM user %s has permissions beyond the SP-API chain: managed policy AdministratorAccess (%s) allows * on *"
        % (USER, ADMIN_POLICY_ARN),
        "aws iam detach-user-policy --user-name %s --policy-arn %s" % (USER, ADMIN_POLICY_ARN)),
    "AdministratorAccess through a group": (
        _admins_group, _leave_admins,
        "user_grants",
        "IAM user %s has permissions beyond the SP-API chain: group admins: managed policy AdministratorAccess (%s) "
        "allows * on *" % (USER, ADMIN_POLICY_ARN),
        "aws iam remove-user-from-group --group-name admins --user-name %s" % USER),
    "allow-all inline policy on the user": (
        lambda c: c.iam.put_user_policy(UserName=USER, PolicyName="extra", PolicyDocument=ALLOW_ALL),
        lambda c: c.iam.delete_user_policy(UserName=USER, PolicyName="extra"),
        "user_grants",
        "IAM user %s has permissions beyond the SP-API chain: inline policy extra allows * on *" % USER,
        "aws iam delete-user-policy --user-name %s --policy-name extra" % USER),
    "console password": (
        lambda c: c.iam.create_login_profile(UserName=USER, Password=CONSOLE_PASSWORD),
        lambda c: c.iam.delete_login_profile(UserName=USER),
        "user_grants",
        "IAM user %s has permissions beyond the SP-API chain: a console password (login profile)" % USER,
        "aws iam delete-login-profile --user-name %s" % USER),
}


def test_clean_chain_has_no_extra_grants_and_reads_no_document(chain):
    result, calls = chain.verify()
    assert_sound(result, calls)
    assert check(result, "user_grants")["detail"] == \
        "IAM user %s has no permissions beyond the SP-API chain" % USER
    assert check(result, "role_grants")["detail"].startswith("IAM role %s has no inline policy that grants anything" % ROLE)
    # Five listings, and no policy document beyond the chain's own: there is none to read.
    assert calls[len(CHAIN_READS):len(CHAIN_READS) + len(GRANT_READS)] == GRANT_READS
    assert calls.count("GetPolicy") == 1 and "GetRolePolicy" not in calls


@pytest.mark.parametrize("case", list(ESCALATIONS))
def test_each_escalation_fails_naming_the_grant_and_how_to_remove_it(chain, case):
    escalate, repair, name, detail, fix = ESCALATIONS[case]
    escalate(chain)
    result, calls = chain.verify()
    assert writes(calls) == []
    assert result["ok"] is False and result["failed"] is True
    failed = check(result, name)
    assert failed["ok"] is False
    assert failed["detail"].startswith(detail), failed
    assert failed["fix"] == "remove it: %s" % fix
    # Exactly that link is blamed, with its fix; the rest of the chain, the live call included, is sound.
    assert result["msg"] == "the SP-API IAM chain is broken (1 link): %s: %s. Fix: %s." % (
        name, failed["detail"], failed["fix"])
    assert [c["name"] for c in result["checks"] if not c["ok"]] == [name]
    assert calls[-1] == "AssumeRole"
    assert chain.secret not in json.dumps(result) and CONSOLE_PASSWORD not in json.dumps(result)

    repair(chain)
    result, calls = chain.verify()
    assert_sound(result, calls)


def test_every_escalation_at_once_is_named(chain):
    for escalate, dummy, dummy, dummy, dummy in ESCALATIONS.values():
        escalate(chain)
    result, calls = chain.verify()
    assert writes(calls) == []
    assert result["msg"].startswith("the SP-API IAM chain is broken (2 links): user_grants: ")
    user, role = check(result, "user_grants"), check(result, "role_grants")
    for dummy, dummy, name, detail, fix in ESCALATIONS.values():
        found = user if name == "user_grants" else role
        assert detail.split("chain: ")[1] in found["detail"]
        assert fix in found["fix"]
    assert user["fix"].startswith("remove each: ")
    # The managed policy the user and its group share is read once.
    assert calls.count("GetPolicyVersion") == 2  # the SP-API policy's and AdministratorAccess's
    assert CONSOLE_PASSWORD not in json.dumps(result)


def test_policies_that_only_deny_and_empty_groups_are_not_grants(chain):
    # Hardening a long-lived key narrows the chain: it must not fail verify.
    chain.iam.put_user_policy(UserName=USER, PolicyName="no-admin", PolicyDocument=doc(
        {"Effect": "Deny", "Action": ["iam:*", "organizations:*"], "Resource": "*"}))
    chain.iam.put_role_policy(RoleName=ROLE, PolicyName="no-iam", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}))
    chain.iam.create_group(GroupName="everyone")
    chain.iam.add_user_to_group(GroupName="everyone", UserName=USER)
    result, calls = chain.verify()
    assert_sound(result, calls)
    assert check(result, "user_grants")["detail"] == (
        "IAM user %s has no permissions beyond the SP-API chain (inline policy no-admin only denies; "
        "group everyone grants nothing)" % USER)
    assert "(inline policy no-iam only denies)" in check(result, "role_grants")["detail"]


def test_live_scope_reads_no_grants(chain):
    # scope=live follows tasks that just ensured the chain: it makes the live call only, whatever else exists.
    chain.iam.attach_user_policy(UserName=USER, PolicyArn=_administrator_access(chain))
    result, calls = chain.verify(scope="live", role_arn=ROLE_ARN, vault_file=str(chain.vault_file))
    assert calls == ["AssumeRole"]
    for name in ("user_grants", "role_grants"):
        assert check(result, name)["status"] == "skipped"
        assert check(result, name)["detail"].startswith("not run: scope is live")


def test_playbook_fails_on_an_administrator_key(chain, tmp_path):
    _admins_group(chain)
    chain.iam.create_login_profile(UserName=USER, Password=CONSOLE_PASSWORD)
    chain.moto.start_recording()
    run = run_playbook(play([verify_task(vault_file=str(chain.vault_file))]), tmp_path / "run", chain.moto.url,
                       ["--vault-password-file", str(chain.password_file), "-vvv"], credentials=chain.admin)
    calls = chain.moto.stop_recording()
    assert run.returncode != 0 and run.status("verify") == "failed"
    assert writes(calls) == []
    msg = run.result("verify")["msg"]
    assert msg.startswith("the SP-API IAM chain is broken (1 link): user_grants: ")
    assert "group admins: managed policy AdministratorAccess (%s) allows * on *" % ADMIN_POLICY_ARN in msg
    assert "a console password (login profile)" in msg
    assert "aws iam remove-user-from-group --group-name admins --user-name %s" % USER in msg
    assert "aws iam delete-login-profile --user-name %s" % USER in msg
    assert chain.secret not in run.output and CONSOLE_PASSWORD not in run.output


def test_a_read_the_operator_may_not_make_fails_that_check_only(chain):
    # An operator policy from before these checks: the grants cannot be ruled out, so user_grants fails.
    chain.iam.put_user_policy(UserName="admin", PolicyName="no-groups", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "iam:ListGroupsForUser", "Resource": "*"}))
    result, calls = chain.verify()
    assert writes(calls) == []
    failed = check(result, "user_grants")
    assert failed["detail"].startswith("could not read everything that gives IAM user %s permissions: " % USER)
    assert "AccessDenied" in failed["detail"] and "iam:ListGroupsForUser" in failed["detail"]
    assert failed["fix"].startswith("allow the identity running verify iam:ListAttachedUserPolicies, ")
    assert "iam:ListGroupsForUser" in failed["fix"]
    # Every other check still ran and is reported.
    assert [c["name"] for c in result["checks"] if not c["ok"]] == ["user_grants"]
    assert calls[-1] == "AssumeRole"
