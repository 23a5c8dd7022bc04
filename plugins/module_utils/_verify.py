# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check every link of the SP-API IAM chain, read-only, and try the stored key for real.

Amazon's SP-API tutorial ends its IAM part with "Verify that the STS policy is
attached" and "Test the STS AssumeRole operation". This does both and the rest of
the chain, so that an operator can run it any day and trust the answer:

    user -> policy -> role (policy attached, trust = exactly the user)
         -> STS policy on the user -> nothing else grants the user or the role
            anything (_grants) -> the vaulted key (Active, the user's)
         -> live sts:AssumeRole with that key (sts:GetCallerIdentity to explain a failure)

Only read calls are made. ARNs come from the responses (GetUser gives partition
and account), and nothing is read twice: on a sound chain that is eleven IAM reads
and one STS call; with scope=live, the STS call alone. The key arrives here as data
(the action plugin decrypts the vault file on the controller); it is used to sign
the STS calls and never returned, logged or put into a message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
from email.utils import parsedate_to_datetime

from ansible_collections.spapi.onboarding.plugins.module_utils._aws import (
    AwsConnection,
    AwsFailure,
    call,
    read,
    signed_with,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._grants import check_role_grants, check_user_grants
from ansible_collections.spapi.onboarding.plugins.module_utils._iam import list_all, retry_while
from ansible_collections.spapi.onboarding.plugins.module_utils._policies import (
    assume_role_policy,
    decode_document,
    same_policy,
    sp_api_policy,
    to_json,
    trust_policy,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._policy_analysis import (
    describe_difference,
    principal_words,
    trust_external_id,
    trusted_principals,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._validate import (
    ValidationError,
    check_arn,
    check_name,
    check_positive,
)


# The checks, in chain order: this is the order of the returned list.
CHECKS = (
    "user",
    "policy",
    "role",
    "policy_attached",
    "trust_policy",
    "sts_policy",
    "user_grants",
    "role_grants",
    "access_key",
    "caller_identity",
    "assume_role",
)

ONBOARD_FIX = "re-run playbooks/onboard.yml"
ROTATE_FIX = "rotate the key with playbooks/rotate_key.yml"
SESSION_NAME = "spapi-onboarding-verify"
# The shortest session STS grants: the credentials are thrown away at once.
SESSION_SECONDS = 900
# IAM and STS propagate a new key, user or role within seconds; older links are not "new".
PROPAGATION_WINDOW = datetime.timedelta(minutes=5)
FIRST_RETRY_DELAY = 0.5


def validate_verify_params(params):
    if params["scope"] == "live":
        if not params.get("role_arn"):
            raise ValidationError("role_arn", "is required when scope is live")
        if not params.get("vault_file"):
            raise ValidationError("vault_file", "is required when scope is live")
        check_arn(params["role_arn"], "role_arn", "role")
    check_name(params["user_name"], "user_name", "user")
    check_name(params["role_name"], "role_name", "role")
    check_name(params["policy_name"], "policy_name", "policy")
    check_name(params["sts_policy_name"], "sts_policy_name", "policy")
    check_positive(params["wait_timeout"], "wait_timeout")


class Report:
    """The outcome of each check; a check that cannot run says why, and is not ok."""

    def __init__(self):
        self._checks = {}
        self.broken = []

    def passed(self, name, detail):
        self._checks[name] = {"name": name, "ok": True, "detail": detail}

    def failed(self, name, detail, fix):
        self._checks[name] = {"name": name, "ok": False, "detail": detail, "fix": fix}
        self.broken.append(name)

    def skipped(self, name, detail):
        self._checks[name] = {"name": name, "ok": True, "detail": "skipped: %s" % detail}

    def not_checked(self, name, reason):
        self._checks[name] = {"name": name, "ok": False, "detail": "not checked: %s" % reason}

    def ok(self, name):
        return self._checks.get(name, {}).get("ok", False) and name not in self.skipped_names()

    def skipped_names(self):
        return [n for n, c in self._checks.items() if c["detail"].startswith("skipped:")]

    def checks(self):
        return [self._checks[name] for name in CHECKS if name in self._checks]

    @property
    def all_ok(self):
        return all(c["ok"] for c in self._checks.values())

    def message(self):
        if self.all_ok:
            done = [c for c in self.checks() if not c["detail"].startswith("skipped:")]
            return "the SP-API IAM chain is sound: %d checks passed%s" % (
                len(done), (", %d skipped" % (len(self._checks) - len(done))) if len(done) < len(self._checks) else "")
        parts = []
        for name in self.broken:
            check = self._checks[name]
            parts.append("%s: %s. Fix: %s." % (name, check["detail"], check["fix"]))
        return "the SP-API IAM chain is broken (%d link%s): %s" % (
            len(parts), "" if len(parts) == 1 else "s", " ".join(parts))


def _server_now(response):
    """The time AWS answered this response (its Date header): immune to the controller's clock."""
    date = ((response or {}).get("ResponseMetadata") or {}).get("HTTPHeaders", {}).get("date")
    if date:
        try:
            when = parsedate_to_datetime(date)
            return when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)
        except (TypeError, ValueError):
            pass
    return datetime.datetime.now(datetime.timezone.utc)


def _is_new(created, now):
    if not isinstance(created, datetime.datetime):
        return False
    if created.tzinfo is None:
        created = created.replace(tzinfo=datetime.timezone.utc)
    return now - created < PROPAGATION_WINDOW


class _Chain:
    """What the reads found, shared between the checks."""

    def __init__(self):
        self.user = None
        self.role = None
        self.policy_arn = None
        self.attached = []
        self.external_id = None
        self.new_links = []  # names of links created within PROPAGATION_WINDOW
        self.now = None  # AWS's clock, from the first IAM answer


def verify_chain(task, key=None, connect=AwsConnection):
    """Run every check; return the task result (failed only when fail_on_error and a link is broken).

    key: None when no vault file was given (the key checks are skipped), else a dict with
    `source` (the vault file path) and either `error` (the vault file could not be used)
    or `aws_access_key_id`, `aws_secret_access_key` and optionally `iam_user_arn`.
    connect: builds the AwsConnection that signs with the vaulted key (a seam for tests).
    """
    params = task.params
    validate_verify_params(params)
    report, chain = Report(), _Chain()

    if params["scope"] == "live":
        _assume_ensured_chain(task, report, chain, key)
    else:
        check_user(task, report, chain)
        check_role(task, report, chain)
        check_policy(task, report, chain)
        check_attachment(task, report, chain)
        check_trust(task, report, chain)
        check_sts_policy(task, report, chain)
        check_user_grants(task, report, chain)
        check_role_grants(task, report, chain)
        check_key(task, report, chain, key)
    check_live(task, report, chain, key, connect)

    result = {
        "changed": False,
        "ok": report.all_ok,
        "checks": report.checks(),
        "user_arn": chain.user["Arn"] if chain.user else None,
        "role_arn": chain.role["Arn"] if chain.role else None,
        "policy_arn": chain.policy_arn,
        "access_key_id": key.get("aws_access_key_id") if key and not key.get("error") else None,
        "msg": report.message(),
    }
    if not report.all_ok and params["fail_on_error"]:
        result["failed"] = True
    return result


def _assume_ensured_chain(task, report, chain, key):
    """scope=live: the tasks just before ensured each link; only the live call is left to prove."""
    reason = "scope is live: the tasks before this one ensured it"
    for name in CHECKS[:-2]:
        report.skipped(name, reason)
    if key and key.get("error"):
        report.failed("access_key", key["error"], ROTATE_FIX)
    chain.role = {"Arn": task.params["role_arn"]}
    chain.user = {"Arn": key["iam_user_arn"]} if key and key.get("iam_user_arn") else None
    # Nothing was read, so nothing is known to be old: wait out propagation as for new links.
    chain.new_links.append("chain")


def _existing(task, report, chain, kind, name, method, key, **request):
    """Read the user or the role: report whether it exists, note if it is brand-new, return it."""
    found = read("read IAM %s '%s'" % (kind, name), method, **request)
    if not found:
        report.failed(kind, "IAM %s %s does not exist" % (kind, name), ONBOARD_FIX)
        return None
    entity = found[key]
    chain.now = chain.now or _server_now(found)
    task.aws.learn_identity_from(entity["Arn"])
    if _is_new(entity.get("CreateDate"), chain.now):
        chain.new_links.append(kind)
    report.passed(kind, "IAM %s %s exists: %s" % (kind, name, entity["Arn"]))
    return entity


def check_user(task, report, chain):
    name = task.params["user_name"]
    chain.user = _existing(task, report, chain, "user", name, task.aws.iam.get_user, "User", UserName=name)


def check_role(task, report, chain):
    name = task.params["role_name"]
    chain.role = _existing(task, report, chain, "role", name, task.aws.iam.get_role, "Role", RoleName=name)
    if chain.role:
        chain.attached = _attached_policies(task, name)


def _attached_policies(task, role_name):
    return list_all("list the policies attached to IAM role '%s'" % role_name, task.aws.iam,
                    "list_attached_role_policies", "AttachedPolicies", RoleName=role_name)


def check_policy(task, report, chain):
    name = task.params["policy_name"]
    by_name = [p["PolicyArn"] for p in chain.attached if p["PolicyName"] == name]
    # Attached: its ARN (whatever its path) comes with the attachment. Otherwise look at the default path.
    chain.policy_arn = by_name[0] if by_name else task.aws.arn("policy", "/", name)
    found = read("read IAM policy %s" % chain.policy_arn, task.aws.iam.get_policy, PolicyArn=chain.policy_arn)
    if not found:
        report.failed("policy", "IAM policy %s does not exist (%s)" % (name, chain.policy_arn), ONBOARD_FIX)
        chain.policy_arn = None
        return
    version_id = found["Policy"]["DefaultVersionId"]
    version = call("read version %s of IAM policy %s" % (version_id, chain.policy_arn),
                   task.aws.iam.get_policy_version, PolicyArn=chain.policy_arn, VersionId=version_id)
    document = decode_document(version["PolicyVersion"]["Document"])
    if same_policy(document, sp_api_policy()):
        report.passed("policy", "IAM policy %s (%s): default version %s is the SP-API document"
                      % (name, chain.policy_arn, version_id))
    else:
        report.failed("policy", "the default version %s of IAM policy %s (%s) is not the SP-API document: %s"
                      % (version_id, name, chain.policy_arn, describe_difference(document, sp_api_policy())),
                      ONBOARD_FIX + " (iam_policy makes the SP-API document the default version)")


def check_attachment(task, report, chain):
    role_name, name = task.params["role_name"], task.params["policy_name"]
    if chain.role is None:
        report.not_checked("policy_attached", "IAM role %s does not exist" % role_name)
        return
    others = sorted(p["PolicyArn"] for p in chain.attached if p["PolicyName"] != name)
    if chain.policy_arn is None and not others:
        report.not_checked("policy_attached", "IAM policy %s does not exist" % name)
    elif not any(p["PolicyName"] == name for p in chain.attached):
        report.failed("policy_attached", "IAM policy %s is not attached to IAM role %s%s"
                      % (name, role_name, (" (attached: %s)" % ", ".join(others)) if others else ""),
                      ONBOARD_FIX)
    elif others:
        report.failed("policy_attached", "IAM role %s has more than the SP-API policy attached: %s"
                      % (role_name, ", ".join(others)),
                      "detach them, or re-run playbooks/onboard.yml with the role's purge_policies on")
    else:
        report.passed("policy_attached", "IAM policy %s is attached to IAM role %s, and nothing else" % (name, role_name))


def check_trust(task, report, chain):
    role_name = task.params["role_name"]
    if chain.role is None:
        report.not_checked("trust_policy", "IAM role %s does not exist" % role_name)
        return
    if chain.user is None:
        report.not_checked("trust_policy", "IAM user %s does not exist" % task.params["user_name"])
        return
    user_arn = chain.user["Arn"]
    document = decode_document(chain.role.get("AssumeRolePolicyDocument") or {"Statement": []})
    external_id = trust_external_id(document)
    if same_policy(document, trust_policy([user_arn], external_id)):
        chain.external_id = external_id
        report.passed("trust_policy", "IAM role %s trusts exactly IAM user %s%s"
                      % (role_name, user_arn, " (with an sts:ExternalId condition)" if external_id else ""))
        return
    principals = trusted_principals(document)
    account = user_arn.split(":")[4]
    if principals != [user_arn]:
        found = ", ".join(principal_words(p, account) for p in principals) or "no principal"
        detail = "the trust policy of IAM role %s allows %s instead of exactly IAM user %s" % (role_name, found, user_arn)
    else:
        detail = ("the trust policy of IAM role %s names IAM user %s but is not the documented one "
                  "(Allow sts:AssumeRole, optionally with an sts:ExternalId condition): %s"
                  % (role_name, user_arn, to_json(document)))
    report.failed("trust_policy", detail, ONBOARD_FIX + " (iam_role rewrites the trust policy)")


def check_sts_policy(task, report, chain):
    user_name, policy_name = task.params["user_name"], task.params["sts_policy_name"]
    if chain.user is None:
        report.not_checked("sts_policy", "IAM user %s does not exist" % user_name)
        return
    if chain.role is None:
        report.not_checked("sts_policy", "IAM role %s does not exist" % task.params["role_name"])
        return
    found = read("read inline policy %s of IAM user '%s'" % (policy_name, user_name),
                 task.aws.iam.get_user_policy, UserName=user_name, PolicyName=policy_name)
    if not found:
        report.failed("sts_policy", "IAM user %s has no inline STS policy %s" % (user_name, policy_name),
                      ONBOARD_FIX + " (sts_policy puts it back)")
        return
    document = decode_document(found["PolicyDocument"])
    expected = assume_role_policy([chain.role["Arn"]])
    if same_policy(document, expected):
        report.passed("sts_policy", "the inline policy %s of IAM user %s allows sts:AssumeRole on exactly %s"
                      % (policy_name, user_name, chain.role["Arn"]))
    else:
        report.failed("sts_policy", "the inline policy %s of IAM user %s is not sts:AssumeRole on exactly %s: %s"
                      % (policy_name, user_name, chain.role["Arn"], describe_difference(document, expected)),
                      ONBOARD_FIX + " (sts_policy rewrites it)")


def check_key(task, report, chain, key):
    user_name = task.params["user_name"]
    if key is None:
        report.skipped("access_key", "no vault_file given")
        return
    if key.get("error"):
        report.failed("access_key", key["error"], ROTATE_FIX)
        return
    key_id = key["aws_access_key_id"]
    if chain.user is None:
        report.not_checked("access_key", "IAM user %s does not exist" % user_name)
        return
    vault_user = key.get("iam_user_arn")
    if vault_user and vault_user != chain.user["Arn"]:
        report.failed("access_key", "the vault file %s holds key %s of %s, not of IAM user %s (%s)"
                      % (key["source"], key_id, vault_user, user_name, chain.user["Arn"]), ROTATE_FIX)
        return
    listed = call("list the access keys of IAM user '%s'" % user_name, task.aws.iam.list_access_keys, UserName=user_name)
    keys = dict((k["AccessKeyId"], k) for k in listed.get("AccessKeyMetadata", []))
    others = sorted("%s (%s)" % (k, v.get("Status")) for k, v in keys.items() if k != key_id)
    others_text = ("; the user's other keys: %s" % ", ".join(others)) if others else ""
    mine = keys.get(key_id)
    if mine is None:
        report.failed("access_key", "key %s in the vault file %s is not a key of IAM user %s (deleted?)%s"
                      % (key_id, key["source"], user_name, others_text), ROTATE_FIX)
        return
    if mine.get("Status") != "Active":
        report.failed("access_key", "key %s in the vault file %s is %s, not Active%s"
                      % (key_id, key["source"], mine.get("Status"), others_text),
                      ROTATE_FIX + " (or reactivate key %s if it was deactivated by mistake)" % key_id)
        return
    if _is_new(mine.get("CreateDate"), chain.now or _server_now(listed)):
        chain.new_links.append("access key")
    if any(v.get("Status") == "Active" for k, v in keys.items() if k != key_id):
        task.warn("IAM user %s has another active access key besides the one in %s: %s"
                  % (user_name, key["source"], ", ".join(others)))
    report.passed("access_key", "key %s in the vault file %s is an Active key of IAM user %s%s"
                  % (key_id, key["source"], user_name, others_text))


def _transient(codes, chain):
    """The propagation errors worth waiting for: only while a link of the chain is brand-new."""
    def predicate(exc):
        return exc.code in codes and bool(chain.new_links)
    return predicate


def _live_failure(exc, key, chain, what):
    """Words and a fix for an STS call that the vaulted key could not make."""
    key_id = key["aws_access_key_id"]
    waited = (" (still failing after waiting for the new %s to propagate)" % " and ".join(chain.new_links)
              if chain.new_links else "")
    if exc.code == "SignatureDoesNotMatch":
        return ("the secret in the vault file %s does not match key %s" % (key["source"], key_id), ROTATE_FIX)
    if exc.code == "InvalidClientTokenId":
        return ("STS does not accept key %s%s" % (key_id, waited), ROTATE_FIX)
    if what == "assume_role" and exc.code == "AccessDenied":
        return ("%s%s" % (exc, waited),
                "the chain's documents check out, so look for what else denies it (a permissions boundary, "
                "an explicit Deny, an SCP); if a policy was just repaired, run verify again in a minute")
    return (str(exc), ONBOARD_FIX)


def check_live(task, report, chain, key, connect):
    """sts:AssumeRole with the vaulted key; sts:GetCallerIdentity only to explain a failure.

    A successful AssumeRole on a role that trusts exactly the user proves the key is the
    user's and works, so the identity call is spared on a sound chain.
    """
    params = task.params
    if key is None:
        report.skipped("caller_identity", "no vault_file given")
        report.skipped("assume_role", "no vault_file given")
        return
    if not params["assume_role"]:
        report.skipped("caller_identity", "assume_role is false")
        report.skipped("assume_role", "assume_role is false")
        return
    if key.get("error") or (params["scope"] == "chain" and not report.ok("access_key")):
        report.not_checked("caller_identity", "the access_key check did not pass")
        report.not_checked("assume_role", "the access_key check did not pass")
        return
    sts = signed_with(task.params, key["aws_access_key_id"], key["aws_secret_access_key"], connect).sts
    blockers = [n for n in ("policy_attached", "trust_policy", "sts_policy") if not report.ok(n)]
    if params["scope"] == "chain" and blockers:
        _check_identity(task, report, chain, key, sts)
        report.not_checked("assume_role", "the %s check%s did not pass" % (
            ", ".join(blockers), "" if len(blockers) == 1 else "s"))
        return

    key_id, role_arn = key["aws_access_key_id"], chain.role["Arn"]
    request = dict(RoleArn=role_arn, RoleSessionName=SESSION_NAME, DurationSeconds=SESSION_SECONDS)
    if chain.external_id:
        request["ExternalId"] = chain.external_id
    try:
        assumed = retry_while(
            _transient(("InvalidClientTokenId", "AccessDenied"), chain),
            lambda: call("call sts:AssumeRole on %s with key %s" % (role_arn, key_id), sts.assume_role, **request),
            params["wait_timeout"], first_delay=FIRST_RETRY_DELAY)
    except AwsFailure as exc:
        if _check_identity(task, report, chain, key, sts):
            detail, fix = _live_failure(exc, key, chain, "assume_role")
            report.failed("assume_role", detail, fix)
        else:
            report.not_checked("assume_role", "the caller_identity check did not pass")
        return
    # The temporary credentials are dropped here: only who we became is reported.
    if params["scope"] == "chain":
        report.passed("caller_identity", "implied by sts:AssumeRole: only IAM user %s may assume %s, and key %s did"
                      % (chain.user["Arn"], role_arn, key_id))
    else:
        report.skipped("caller_identity", "scope is live, and sts:AssumeRole with key %s succeeded" % key_id)
    report.passed("assume_role", "sts:AssumeRole on %s with key %s succeeded as %s"
                  % (role_arn, key_id, assumed["AssumedRoleUser"]["Arn"]))


def _check_identity(task, report, chain, key, sts):
    """sts:GetCallerIdentity with the vaulted key; True when it signs as the user."""
    key_id = key["aws_access_key_id"]
    try:
        identity = retry_while(
            _transient(("InvalidClientTokenId",), chain),
            lambda: call("call sts:GetCallerIdentity with key %s" % key_id, sts.get_caller_identity),
            task.params["wait_timeout"], first_delay=FIRST_RETRY_DELAY)
    except AwsFailure as exc:
        detail, fix = _live_failure(exc, key, chain, "caller_identity")
        report.failed("caller_identity", detail, fix)
        return False
    user_arn = chain.user["Arn"] if chain.user else key.get("iam_user_arn")
    if user_arn and identity.get("Arn") != user_arn:
        report.failed("caller_identity", "key %s signs as %s, not as IAM user %s"
                      % (key_id, identity.get("Arn"), user_arn), ROTATE_FIX)
        return False
    report.passed("caller_identity", "sts:GetCallerIdentity with key %s returns %s" % (key_id, identity["Arn"]))
    return True
