"""verify against moto server with IAM authorization enforcement on.

The SP-API chain is built with boto3 as an administrator (its own user, allow-all
policy and key), the vault file is written with the real Vault helper, then
enforcement is armed: AssumeRole is checked against the user's policies and the
role's trust. Most of the failure matrix runs in-process; the real flows run
through ansible-playbook with --vault-password-file, as the steps of one process
(tests/support/steps.py) on one chain, broken and repaired between them.
"""

import datetime
import json
import re
import time

import pytest
from ansible.parsing.vault import VaultSecret

from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import read_key
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import LocalStore
from ansible_collections.spapi.onboarding.plugins.module_utils._verify import chain as _verify
from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsConnection
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.modules.verify import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import write_vault_file
from tests.support.ansible import play, run_playbook
from tests.support.errors import FailFirst, inject
from tests.support.moto import admin_with_enforcement, client_as, writes
from tests.support.steps import Step, rescued, run_steps
from tests.support.tasks import make_task

USER, ROLE, POLICY, STS_POLICY = "SellingPartnerAPIUser", "SellingPartnerAPIRole", "SellingPartnerAPI", "SellingPartnerAPIAssumeRole"
ACCOUNT = "123456789012"
USER_ARN = "arn:aws:iam::%s:user/%s" % (ACCOUNT, USER)
ROLE_ARN = "arn:aws:iam::%s:role/%s" % (ACCOUNT, ROLE)
POLICY_ARN = "arn:aws:iam::%s:policy/%s" % (ACCOUNT, POLICY)
SP_API_DOC = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*"}]}
# A sound chain, in the order verify reads it: the links, then everything else that could give the
# user or the role permissions (none on a sound chain, so no policy document is read), then the key.
CHAIN_READS = ["GetUser", "GetRole", "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion", "GetUserPolicy"]
GRANT_READS = ["ListAttachedUserPolicies", "ListUserPolicies", "ListGroupsForUser", "GetLoginProfile",
               "ListRolePolicies"]
SOUND_CALLS = CHAIN_READS + GRANT_READS + ["ListAccessKeys", "AssumeRole"]
VAULT_PASSWORD = "verify-test-vault-password"
ONBOARD = "re-run playbooks/onboard.yml"
ROTATE = "rotate the key with playbooks/rotate_key.yml"


def doc(statement):
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def trust_doc(principal, **extra):
    return doc(dict({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}, **extra))


def sts_doc(resource):
    return doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource})


class Chain:
    """The SP-API chain in moto, the administrator's clients, and the vaulted key."""

    def __init__(self, moto, tmp_path):
        self.moto = moto
        setup = client_as({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}, moto.url)
        # Enforcement is on from here: the chain is built by the administrator, as a real account would be.
        self.admin = admin_with_enforcement(setup, moto)
        self.iam = client_as(self.admin, moto.url)
        # The SP-API chain, built as the administrator.
        self.iam.create_user(UserName=USER)
        self.iam.create_policy(PolicyName=POLICY, PolicyDocument=json.dumps(SP_API_DOC))
        self.iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=trust_doc(USER_ARN))
        self.iam.attach_role_policy(RoleName=ROLE, PolicyArn=POLICY_ARN)
        self.iam.put_user_policy(UserName=USER, PolicyName=STS_POLICY, PolicyDocument=sts_doc(ROLE_ARN))
        key = self.iam.create_access_key(UserName=USER)["AccessKey"]
        self.key_id, self.secret = key["AccessKeyId"], key["SecretAccessKey"]
        # The vault file, encrypted by ansible-core's Vault with the password given to ansible-playbook.
        self.secrets = [("default", VaultSecret(VAULT_PASSWORD.encode()))]
        self.vault_file = tmp_path / "sp-api-key.vault.yml"
        self.write_vault(self.key_id, self.secret)
        self.password_file = tmp_path / "vault-password"
        self.password_file.write_text(VAULT_PASSWORD + "\n")

    def write_vault(self, key_id, secret, user_arn=USER_ARN):
        write_vault_file(str(self.vault_file), {
            "aws_access_key_id": key_id, "aws_secret_access_key": secret,
            "iam_user_arn": user_arn, "created": "2024-01-01T00:00:00Z"}, self.secrets)

    def key(self):
        """The vaulted key as the action plugin hands it to the checks: decrypted from the real file."""
        return read_key(LocalStore(str(self.vault_file)), self.secrets)

    def task(self, check_mode=False, **params):
        return make_task(ARGUMENT_SPEC, self.moto.url, check_mode=check_mode,
                         access_key=self.admin["AWS_ACCESS_KEY_ID"], secret_key=self.admin["AWS_SECRET_ACCESS_KEY"],
                         **params)

    def verify(self, key="vault", connect=AwsConnection, **params):
        """Run the checks in-process; return (result, AWS actions called)."""
        task = self.task(**params)
        self.moto.start_recording()
        try:
            result = _verify.verify_chain(task, self.key() if key == "vault" else key, connect=connect)
        finally:
            calls = self.moto.stop_recording()
        return result, calls


@pytest.fixture
def chain(moto, tmp_path):
    return Chain(moto, tmp_path)


def check(result, name):
    return [c for c in result["checks"] if c["name"] == name][0]


def assert_sound(result, calls):
    assert result["ok"] is True, result["msg"]
    assert "failed" not in result
    assert [c["name"] for c in result["checks"]] == list(_verify.CHECKS)
    assert all(c["ok"] for c in result["checks"]), result["checks"]
    assert writes(calls) == []


def verify_task(**options):
    return {"name": "verify", "spapi.onboarding.verify": options, "register": "out"}


# --- the real flows, through ansible-playbook -------------------------------------------------------------

@pytest.fixture(scope="module")
def flows(module_moto, tmp_path_factory):
    """One chain, verified by the steps of one process at -vvv; broken and repaired between steps."""
    chain = Chain(module_moto, tmp_path_factory.mktemp("verify_chain"))
    task = verify_task(vault_file=str(chain.vault_file))

    def break_trust():
        chain.iam.create_user(UserName="Other")
        chain.iam.update_assume_role_policy(RoleName=ROLE,
                                            PolicyDocument=trust_doc("arn:aws:iam::%s:user/Other" % ACCOUNT))

    steps = [
        Step("sound", [task], record=True),
        Step("check", [task], check=True, record=True),
        Step("broken", [rescued(task)], record=True, before=break_trust),
        Step("repaired", [task], record=True, before=lambda: chain.iam.update_assume_role_policy(
            RoleName=ROLE, PolicyDocument=trust_doc(USER_ARN))),
        Step("deleted key", [dict(verify_task(vault_file=str(chain.vault_file), fail_on_error=False), name="report"),
                             rescued(task)], record=True,
             before=lambda: chain.iam.delete_access_key(UserName=USER, AccessKeyId=chain.key_id)),
    ]
    runs = run_steps(tmp_path_factory.mktemp("verify_runs"), module_moto, steps,
                     ["--vault-password-file", str(chain.password_file), "-vvv"], credentials=chain.admin)
    runs.chain = chain
    return runs


def test_sound_chain_passes_with_a_live_assume_role(flows):
    chain, run = flows.chain, flows["sound"]
    calls = run.calls
    run.assert_ok()
    result = run.result("verify")
    assert_sound(result, calls)
    assert result["changed"] is False
    # Thirteen calls on a sound chain, each read once: twelve IAM reads, AssumeRole with the vaulted key.
    assert calls == SOUND_CALLS
    assert (result["user_arn"], result["role_arn"], result["policy_arn"]) == (USER_ARN, ROLE_ARN, POLICY_ARN)
    assert result["access_key_id"] == chain.key_id
    assert "assumed-role/%s/" % ROLE in check(result, "assume_role")["detail"]
    assert "implied by sts:AssumeRole: only IAM user %s may assume" % USER_ARN in check(result, "caller_identity")["detail"]
    # -vvv prints the whole result (the key id is there), never the secret.
    assert chain.key_id in run.output
    assert chain.secret not in run.output
    assert chain.secret not in json.dumps(run.records)


def test_check_mode_runs_the_same_read_only_checks(flows):
    chain, run = flows.chain, flows["check"]
    calls = run.calls
    run.assert_ok()
    assert run.status("verify") == "ok"
    assert_sound(run.result("verify"), calls)
    assert calls == SOUND_CALLS
    assert chain.secret not in run.output


def test_broken_trust_fails_names_the_role_then_passes_after_repair(flows):
    chain, broken = flows.chain, flows["broken"]
    calls = broken.calls
    assert broken.returncode != 0
    result = broken.result("verify")
    assert broken.status("verify") == "failed" and result["ok"] is False
    assert writes(calls) == []
    assert "AssumeRole" not in calls  # a known-broken trust is not tried live
    assert "trust_policy: the trust policy of IAM role %s allows arn:aws:iam::%s:user/Other instead of exactly " \
           "IAM user %s" % (ROLE, ACCOUNT, USER_ARN) in result["msg"]
    assert ONBOARD in result["msg"]
    assert check(result, "assume_role")["detail"] == "not checked: the trust_policy check did not pass"
    assert chain.secret not in broken.output

    repaired = flows["repaired"]
    calls = repaired.calls
    repaired.assert_ok()
    assert_sound(repaired.result("verify"), calls)


def test_deleted_key_fails_with_rotate_fix_and_report_mode_does_not_fail(flows):
    chain, run = flows.chain, flows["deleted key"]
    calls = run.calls
    assert writes(calls) == []

    assert run.status("report") == "ok"
    report = run.result("report")
    assert report["ok"] is False and not report.get("failed")
    assert check(report, "access_key")["ok"] is False
    assert check(report, "caller_identity")["detail"] == "not checked: the access_key check did not pass"

    assert run.returncode != 0 and run.status("verify") == "failed"
    msg = run.result("verify")["msg"]
    assert "access_key: key %s in the vault file %s is not a key of IAM user %s" % (
        chain.key_id, chain.vault_file, USER) in msg
    assert ROTATE in msg
    assert chain.secret not in run.output


def test_no_vault_password_is_refused_before_any_call(chain, tmp_path):
    chain.moto.start_recording()
    run = run_playbook(play([verify_task(vault_file=str(chain.vault_file))]), tmp_path / "run", chain.moto.url,
                       credentials=chain.admin)
    calls = chain.moto.stop_recording()
    assert run.returncode != 0
    assert "option 'vault_file': no vault password is loaded" in run.result("verify")["msg"]
    assert calls == []


# --- the failure matrix, in-process -----------------------------------------------------------------------

def _widen_policy(c):
    c.iam.create_policy_version(PolicyArn=POLICY_ARN, SetAsDefault=True,
                                PolicyDocument=doc({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:execute-api:*:*:*"}))


def _narrow_policy(c):
    c.iam.create_policy_version(PolicyArn=POLICY_ARN, SetAsDefault=True, PolicyDocument=doc(
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:eu-west-1:*:*"}))


def _restore_policy(c):
    c.iam.set_default_policy_version(PolicyArn=POLICY_ARN, VersionId="v1")


def _deactivate_key(c):
    c.iam.update_access_key(UserName=USER, AccessKeyId=c.key_id, Status="Inactive")


def _reactivate_key(c):
    c.iam.update_access_key(UserName=USER, AccessKeyId=c.key_id, Status="Active")


def _rotate_key(c):
    key = c.iam.create_access_key(UserName=USER)["AccessKey"]
    c.key_id, c.secret = key["AccessKeyId"], key["SecretAccessKey"]
    c.write_vault(c.key_id, c.secret)


BROKEN = {
    "trust names another user": (
        lambda c: c.iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=trust_doc("arn:aws:iam::%s:user/Other" % ACCOUNT)),
        lambda c: c.iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=trust_doc(USER_ARN)),
        "trust_policy", ["allows arn:aws:iam::%s:user/Other instead of exactly IAM user %s" % (ACCOUNT, USER_ARN), ONBOARD]),
    "trust names the account root": (
        lambda c: c.iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=trust_doc("arn:aws:iam::%s:root" % ACCOUNT)),
        lambda c: c.iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=trust_doc(USER_ARN)),
        "trust_policy", ["the account root arn:aws:iam::%s:root" % ACCOUNT, ROLE]),
    "policy detached from the role": (
        lambda c: c.iam.detach_role_policy(RoleName=ROLE, PolicyArn=POLICY_ARN),
        lambda c: c.iam.attach_role_policy(RoleName=ROLE, PolicyArn=POLICY_ARN),
        "policy_attached", ["IAM policy %s is not attached to IAM role %s" % (POLICY, ROLE), ONBOARD]),
    "another policy attached to the role": (
        lambda c: c.iam.attach_role_policy(RoleName=ROLE, PolicyArn=c.iam.create_policy(
            PolicyName="Extra", PolicyDocument=doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))["Policy"]["Arn"]),
        lambda c: c.iam.detach_role_policy(RoleName=ROLE, PolicyArn="arn:aws:iam::%s:policy/Extra" % ACCOUNT),
        "policy_attached", ["more than the SP-API policy attached: arn:aws:iam::%s:policy/Extra" % ACCOUNT]),
    "STS policy deleted": (
        lambda c: c.iam.delete_user_policy(UserName=USER, PolicyName=STS_POLICY),
        lambda c: c.iam.put_user_policy(UserName=USER, PolicyName=STS_POLICY, PolicyDocument=sts_doc(ROLE_ARN)),
        "sts_policy", ["IAM user %s has no inline STS policy %s" % (USER, STS_POLICY), ONBOARD]),
    "STS policy widened": (
        lambda c: c.iam.put_user_policy(UserName=USER, PolicyName=STS_POLICY, PolicyDocument=sts_doc("*")),
        lambda c: c.iam.put_user_policy(UserName=USER, PolicyName=STS_POLICY, PolicyDocument=sts_doc(ROLE_ARN)),
        "sts_policy", ["is not sts:AssumeRole on exactly %s: widened: it also allows sts:AssumeRole on *" % ROLE_ARN]),
    "vaulted key deactivated": (
        _deactivate_key, _reactivate_key,
        "access_key", ["is Inactive, not Active", ROTATE]),
    "vaulted key deleted": (
        lambda c: c.iam.delete_access_key(UserName=USER, AccessKeyId=c.key_id), _rotate_key,
        "access_key", ["is not a key of IAM user %s" % USER, ROTATE]),
    "wrong secret in the vault file": (
        lambda c: c.write_vault(c.key_id, "not-the-secret-" + c.secret[15:]), lambda c: c.write_vault(c.key_id, c.secret),
        "caller_identity", ["the secret in the vault file", "does not match key", ROTATE]),
    "vault file of another user": (
        lambda c: c.write_vault(c.key_id, c.secret, user_arn="arn:aws:iam::%s:user/Other" % ACCOUNT),
        lambda c: c.write_vault(c.key_id, c.secret),
        "access_key", ["of arn:aws:iam::%s:user/Other, not of IAM user %s" % (ACCOUNT, USER), ROTATE]),
    "policy document widened": (
        _widen_policy, _restore_policy,
        "policy", ["default version v2 of IAM policy %s (%s) is not the SP-API document" % (POLICY, POLICY_ARN),
                   "SP-API document: widened: it also allows * on arn:aws:execute-api:*:*:*. Fix: ", ONBOARD]),
    "policy document narrowed": (
        _narrow_policy, _restore_policy,
        "policy", ["SP-API document: narrowed: it does not allow execute-api:Invoke on arn:aws:execute-api:*:*:* "
                   "(only execute-api:Invoke on arn:aws:execute-api:eu-west-1:*:*). Fix: ", ONBOARD]),
    "policy deleted": (
        lambda c: (c.iam.detach_role_policy(RoleName=ROLE, PolicyArn=POLICY_ARN), c.iam.delete_policy(PolicyArn=POLICY_ARN)),
        lambda c: (c.iam.create_policy(PolicyName=POLICY, PolicyDocument=json.dumps(SP_API_DOC)),
                   c.iam.attach_role_policy(RoleName=ROLE, PolicyArn=POLICY_ARN)),
        "policy", ["IAM policy %s does not exist (%s)" % (POLICY, POLICY_ARN), ONBOARD]),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_link_is_named_with_its_fix_and_nothing_is_written(chain, case):
    break_it, repair, name, words = BROKEN[case]
    break_it(chain)
    result, calls = chain.verify()
    assert writes(calls) == []
    assert result["ok"] is False and result["failed"] is True
    broken = check(result, name)
    assert broken["ok"] is False
    for word in words:
        assert word in "%s. Fix: %s." % (broken["detail"], broken["fix"]), broken
        assert word in result["msg"]
    # Exactly the broken link is named: what merely could not run is not blamed.
    assert result["msg"].startswith("the SP-API IAM chain is broken (1 link): %s: " % name)
    assert result["msg"].count("Fix:") == 1
    assert "%s: " % name in result["msg"]
    assert chain.secret not in json.dumps(result)

    repair(chain)
    result, calls = chain.verify()
    assert_sound(result, calls)


def test_report_mode_returns_not_ok_without_failing(chain):
    _widen_policy(chain)
    result, calls = chain.verify(fail_on_error=False)
    assert result["ok"] is False and "failed" not in result
    assert check(result, "policy")["ok"] is False
    # Every other link is still checked and reported, the live calls included.
    assert [c["name"] for c in result["checks"] if not c["ok"]] == ["policy"]
    assert calls == SOUND_CALLS


def test_missing_user_and_role_report_what_could_not_be_checked(chain):
    chain.iam.delete_user_policy(UserName=USER, PolicyName=STS_POLICY)
    chain.iam.delete_access_key(UserName=USER, AccessKeyId=chain.key_id)
    chain.iam.delete_user(UserName=USER)
    chain.iam.detach_role_policy(RoleName=ROLE, PolicyArn=POLICY_ARN)
    chain.iam.delete_role(RoleName=ROLE)
    result, calls = chain.verify()
    assert writes(calls) == []
    by_name = dict((c["name"], c) for c in result["checks"])
    assert by_name["user"]["detail"] == "IAM user %s does not exist" % USER
    assert by_name["role"]["detail"] == "IAM role %s does not exist" % ROLE
    assert by_name["policy"]["ok"] is True  # found at the default path through the account's identity
    for name in ("policy_attached", "trust_policy", "sts_policy", "user_grants", "role_grants", "access_key",
                 "caller_identity", "assume_role"):
        assert by_name[name]["ok"] is False and by_name[name]["detail"].startswith("not checked:"), by_name[name]
    assert result["msg"].startswith("the SP-API IAM chain is broken (2 links): user: ")


def test_without_vault_file_key_checks_are_skipped(chain):
    result, calls = chain.verify(key=None)
    assert result["ok"] is True
    for name in ("access_key", "caller_identity", "assume_role"):
        assert check(result, name) == {"name": name, "ok": True, "status": "skipped",
                                       "detail": "skipped: no vault_file given"}
    assert result["access_key_id"] is None
    assert calls == CHAIN_READS + GRANT_READS


def test_assume_role_false_skips_the_live_calls(chain):
    result, calls = chain.verify(assume_role=False)
    assert result["ok"] is True
    assert check(result, "access_key")["ok"] is True
    assert check(result, "assume_role")["detail"] == "skipped: assume_role is false"
    assert calls == CHAIN_READS + GRANT_READS + ["ListAccessKeys"]


def test_missing_vault_file_is_a_broken_key_link(chain):
    chain.vault_file.unlink()
    result, calls = chain.verify()
    assert result["failed"] and "access_key: the vault file %s does not exist" % chain.vault_file in result["msg"]
    assert writes(calls) == []


def test_external_id_condition_is_accepted_and_passed_to_assume_role(chain):
    chain.iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=trust_doc(
        USER_ARN, Condition={"StringEquals": {"sts:ExternalId": "sp-api-ext"}}))
    sent = []
    result, calls = chain.verify(connect=sts_with(lambda params, **kw: sent.append(params["body"])))
    assert_sound(result, calls)
    assert "sts:ExternalId condition" in check(result, "trust_policy")["detail"]
    assert sent[0]["ExternalId"] == "sp-api-ext"


@pytest.mark.parametrize("options, message", [
    ({"user_name": "Selling Partner"}, "option 'user_name': 'Selling Partner' is not a valid IAM user name"),
    ({"role_name": "r" * 65}, "option 'role_name': IAM role names are at most 64 characters"),
    ({"sts_policy_name": "a/b"}, "option 'sts_policy_name'"),
    ({"wait_timeout": -1}, "option 'wait_timeout': must be zero or more"),
])
def test_bad_input_refused_before_any_call(chain, options, message):
    task = chain.task(**options)
    chain.moto.start_recording()
    with pytest.raises(ValidationError) as error:
        _verify.verify_chain(task, chain.key())
    assert chain.moto.stop_recording() == []
    assert message in str(error.value)


# --- waiting out propagation, and only that -----------------------------------------------------------------

def sts_with(handler, operation="AssumeRole"):
    """verify's connect=: the vaulted key's connection, with handler answering its STS operation."""
    def connect(params):
        connection = AwsConnection(params)
        inject(connection.sts, operation, handler)
        return connection
    return connect


def age_the_chain(task, days=2):
    """AWS reports the user, role and keys as created days ago: nothing in the chain is new."""
    def older(parsed, **kwargs):
        then = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
        for entity in [parsed.get("User"), parsed.get("Role")] + list(parsed.get("AccessKeyMetadata") or []):
            if entity and "CreateDate" in entity:
                entity["CreateDate"] = then
    task.aws.iam.meta.events.register("after-call.iam", older)


def test_new_key_rejected_by_sts_is_retried_until_accepted(chain):
    injected = FailFirst("InvalidClientTokenId", 2, status=403)
    started = time.monotonic()
    result, calls = chain.verify(connect=sts_with(injected), wait_timeout=10)
    assert_sound(result, calls)
    assert injected.calls == 3
    assert time.monotonic() - started < 5


def test_new_key_still_rejected_after_wait_timeout_fails(chain):
    injected = FailFirst("InvalidClientTokenId", 1000, status=403)
    started = time.monotonic()
    result, calls = chain.verify(connect=sts_with(injected), wait_timeout=2)
    elapsed = time.monotonic() - started
    assert result["failed"] and injected.calls >= 2 and elapsed < 4
    assert "STS does not accept key %s (still failing after waiting for the new user and role and access key" % chain.key_id \
        in check(result, "assume_role")["detail"]
    # The key itself still signs: the identity call tells a slow STS from a bad key.
    assert check(result, "caller_identity")["ok"] is True
    assert writes(calls) == []


@pytest.mark.parametrize("new", [True, False], ids=["new-chain-waits", "old-chain-fails-fast"])
def test_access_denied_is_waited_for_only_while_the_chain_is_new(chain, new):
    # A real, lasting denial that the chain's documents do not show: an explicit Deny on the user.
    chain.iam.put_user_policy(UserName=USER, PolicyName="deny-assume",
                              PolicyDocument=doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}))
    attempts = FailFirst("none", times=0)  # counts the attempts, answers none of them
    task = chain.task(wait_timeout=2)
    if not new:
        age_the_chain(task)

    connect = sts_with(attempts)
    chain.moto.start_recording()
    started = time.monotonic()
    result = _verify.verify_chain(task, chain.key(), connect=connect)
    elapsed = time.monotonic() - started
    calls = chain.moto.stop_recording()
    assert writes(calls) == []
    assert result["failed"] is True
    failed = check(result, "assume_role")
    assert failed["ok"] is False and "AccessDenied" in failed["detail"]
    assert "permissions boundary" in failed["fix"]
    if new:
        assert attempts.calls >= 2 and elapsed >= 1
    else:
        assert attempts.calls == 1 and elapsed < 1
        assert calls.count("AssumeRole") == 1


# --- scope=live: only the live call, after tasks that just ensured the chain -------------------------------

def test_live_scope_makes_one_call_on_a_sound_chain(chain):
    result, calls = chain.verify(scope="live", role_arn=ROLE_ARN, vault_file=str(chain.vault_file))
    assert calls == ["AssumeRole"]
    assert result["ok"] is True and "failed" not in result
    assert check(result, "assume_role")["ok"] is True
    # Every other check is reported as not run, and the verdict does not call the whole chain sound.
    for name in _verify.CHECKS[:-2]:
        assert check(result, name)["status"] == "skipped", check(result, name)
        assert check(result, name)["detail"] == "not run: scope is live: the tasks before this one ensured it"
    assert result["msg"].startswith("the SP-API IAM chain's checks that ran passed: 1 checks passed, 9 not run (")
    assert "is sound" not in result["msg"]
    assert chain.secret not in str(result)


def test_live_scope_still_fails_on_a_broken_link(chain):
    chain.iam.delete_user_policy(UserName=USER, PolicyName=STS_POLICY)
    result, calls = chain.verify(scope="live", role_arn=ROLE_ARN, vault_file=str(chain.vault_file), wait_timeout=1)
    assert result["failed"] and result["ok"] is False
    assert check(result, "assume_role")["ok"] is False
    # The identity call explains the failure: the key is fine, the permission is not.
    assert check(result, "caller_identity")["ok"] is True
    assert "assume_role" in result["msg"]
    assert writes(calls) == [] and calls[-1] == "GetCallerIdentity"


@pytest.mark.parametrize("params, message", [
    ({"scope": "live", "vault_file": "x.yml"}, "option 'role_arn': is required when scope is live"),
    ({"scope": "live", "role_arn": ROLE_ARN}, "option 'vault_file': is required when scope is live"),
    ({"scope": "live", "vault_file": "x.yml", "role_arn": USER_ARN}, "option 'role_arn'"),
])
def test_live_scope_bad_input_refused_before_any_call(chain, params, message):
    chain.moto.start_recording()
    with pytest.raises(ValidationError, match=re.escape(message)):
        _verify.verify_chain(chain.task(**params), None)
    assert chain.moto.stop_recording() == []
