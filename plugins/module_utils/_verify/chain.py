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
         -> live sts:AssumeRole with that key (_verify_live)

Only read calls are made. ARNs come from the responses (GetUser gives partition
and account), and nothing is read twice: a ChainReads (_chain_reads) reads each link when a check
first needs it and keeps it. On a sound chain that is eleven IAM reads and one STS
call; with scope=live, the STS call alone. The key arrives here as data (the action
plugin decrypts the vault file on the controller); it is used to sign the STS calls
and never returned, logged or put into a message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsConnection, call, read
from ansible_collections.spapi.onboarding.plugins.module_utils._verify.reads import AssumedChain, ChainReads, is_new
from ansible_collections.spapi.onboarding.plugins.module_utils._common.dates import server_time
from ansible_collections.spapi.onboarding.plugins.module_utils._verify.grants import check_role_grants, check_user_grants
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import default_document
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import (
    allowed_principals,
    assume_role_policy,
    decode_document,
    same_policy,
    sp_api_policy,
    to_json,
    trust_policy,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policy_analysis import (
    describe_difference,
    principal_words,
    trust_external_id,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import (
    ValidationError,
    check_arn,
    check_name,
    check_zero_or_more,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._verify.live import ONBOARD_FIX, ROTATE_FIX, check_live
from ansible_collections.spapi.onboarding.plugins.module_utils._verify.report import CHECKS, Report


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
    check_zero_or_more(params["wait_timeout"], "wait_timeout")


def verify_chain(task, key=None, connect=AwsConnection):
    """Run every check; return the task result (failed only when fail_on_error and a link is broken).

    key: None when no vault file was given (the key checks are skipped), else a dict with
    `source` (the vault file path) and either `error` (the vault file could not be used)
    or `aws_access_key_id`, `aws_secret_access_key` and optionally `iam_user_arn`.
    connect: builds the AwsConnection that signs with the vaulted key (a seam for tests).
    """
    params = task.params
    validate_verify_params(params)
    report = Report()
    if params["scope"] == "live":
        chain = AssumedChain(task, key)
        report.not_run(CHECKS[:-2], "scope is live: the tasks before this one ensured it")
        if key and key.get("error"):
            report.failed("access_key", key["error"], key.get("fix", ROTATE_FIX))
    else:
        chain = ChainReads(task)
        for check in (check_user, check_role, check_policy, check_attachment, check_trust, check_sts_policy,
                      check_user_grants, check_role_grants):
            check(task, report, chain)
        check_key(task, report, chain, key)
    check_live(task, report, chain, key, connect)

    policy = None if params["scope"] == "live" else chain.policy()
    result = {
        "changed": False,
        "ok": report.all_ok,
        "checks": report.checks(),
        "user_arn": chain.user()["Arn"] if chain.user() else None,
        "role_arn": chain.role()["Arn"] if chain.role() else None,
        "policy_arn": policy["Arn"] if policy and not policy.get("missing") else None,
        "access_key_id": key.get("aws_access_key_id") if key and not key.get("error") else None,
        "msg": report.message(),
    }
    if not report.all_ok and params["fail_on_error"]:
        result["failed"] = True
    return result


def _exists(report, kind, name, entity):
    if entity:
        report.passed(kind, "IAM %s %s exists: %s" % (kind, name, entity["Arn"]))
    else:
        report.failed(kind, "IAM %s %s does not exist" % (kind, name), ONBOARD_FIX)


def check_user(task, report, chain):
    _exists(report, "user", task.params["user_name"], chain.user())


def check_role(task, report, chain):
    _exists(report, "role", task.params["role_name"], chain.role())


def check_policy(task, report, chain):
    name, policy = task.params["policy_name"], chain.policy()
    arn = policy["Arn"]
    if policy.get("missing"):
        report.failed("policy", "IAM policy %s does not exist (%s)" % (name, arn), ONBOARD_FIX)
        return
    document = default_document(task.aws.iam, policy)
    version_id = policy["DefaultVersionId"]
    if same_policy(document, sp_api_policy()):
        report.passed("policy", "IAM policy %s (%s): default version %s is the SP-API document" % (name, arn, version_id))
    else:
        report.failed("policy", "the default version %s of IAM policy %s (%s) is not the SP-API document: %s"
                      % (version_id, name, arn, describe_difference(document, sp_api_policy())),
                      ONBOARD_FIX + " (iam_policy makes the SP-API document the default version)")


def foreign_role_fix(role_name):
    return ("give this identity a role of its own (iam_role_name), or, only if role %s really is this identity's, "
            "re-run playbooks/onboard.yml with -e iam_on_conflict=replace" % role_name)


def check_attachment(task, report, chain):
    role_name, name = task.params["role_name"], task.params["policy_name"]
    if chain.role() is None:
        report.not_checked("policy_attached", "IAM role %s does not exist" % role_name)
        return
    if chain.foreign():
        report.not_checked("policy_attached", chain.foreign_reason())
        return
    attached = chain.attached()
    others = sorted(p["PolicyArn"] for p in attached if p["PolicyName"] != name)
    if chain.policy().get("missing") and not others:
        report.not_checked("policy_attached", "IAM policy %s does not exist" % name)
    elif not any(p["PolicyName"] == name for p in attached):
        report.failed("policy_attached", "IAM policy %s is not attached to IAM role %s%s"
                      % (name, role_name, (" (attached: %s)" % ", ".join(others)) if others else ""),
                      ONBOARD_FIX)
    elif others:
        report.failed("policy_attached", "IAM role %s has more than the SP-API policy attached: %s"
                      % (role_name, ", ".join(others)),
                      "detach them, or re-run playbooks/onboard.yml with the role's purge_policies on")
    else:
        report.passed("policy_attached", "IAM policy %s is attached to IAM role %s, and nothing else" % (name, role_name))


def _missing_link(report, check, chain, params, needs):
    """Report `check` as not checked when a link it needs does not exist; True then."""
    for kind in needs:
        if getattr(chain, kind)() is None:
            report.not_checked(check, "IAM %s %s does not exist" % (kind, params["%s_name" % kind]))
            return True
    return False


def check_trust(task, report, chain):
    role_name = task.params["role_name"]
    if _missing_link(report, "trust_policy", chain, task.params, ("role", "user")):
        return
    user_arn = chain.user()["Arn"]
    document = chain.trust()
    external_id = trust_external_id(document)
    if same_policy(document, trust_policy([user_arn], external_id)):
        report.passed("trust_policy", "IAM role %s trusts exactly IAM user %s%s"
                      % (role_name, user_arn, " (with an sts:ExternalId condition)" if external_id else ""))
        return
    principals = allowed_principals(document)
    if chain.foreign():  # someone else's role: iam_role would refuse to repair it, so do not advise that
        report.failed("trust_policy", "the trust policy of IAM role %s allows %s instead of exactly IAM user %s: the "
                      "role serves someone else" % (role_name, ", ".join(chain.foreign()), user_arn),
                      foreign_role_fix(role_name))
        return
    if principals != [user_arn]:
        account = user_arn.split(":")[4]
        found = ", ".join(principal_words(p, account) for p in principals) or "no principal"
        detail = "the trust policy of IAM role %s allows %s instead of exactly IAM user %s" % (role_name, found, user_arn)
    else:
        detail = ("the trust policy of IAM role %s names IAM user %s but is not the documented one "
                  "(Allow sts:AssumeRole, optionally with an sts:ExternalId condition): %s"
                  % (role_name, user_arn, to_json(document)))
    report.failed("trust_policy", detail, ONBOARD_FIX + " (iam_role rewrites the trust policy)")


def check_sts_policy(task, report, chain):
    user_name, policy_name = task.params["user_name"], task.params["sts_policy_name"]
    if _missing_link(report, "sts_policy", chain, task.params, ("user", "role")):
        return
    found = read("read inline policy %s of IAM user '%s'" % (policy_name, user_name),
                 task.aws.iam.get_user_policy, UserName=user_name, PolicyName=policy_name)
    if not found:
        report.failed("sts_policy", "IAM user %s has no inline STS policy %s" % (user_name, policy_name),
                      ONBOARD_FIX + " (sts_policy puts it back)")
        return
    document = decode_document(found["PolicyDocument"])
    role_arn = chain.role()["Arn"]
    expected = assume_role_policy([role_arn])
    if same_policy(document, expected):
        report.passed("sts_policy", "the inline policy %s of IAM user %s allows sts:AssumeRole on exactly %s"
                      % (policy_name, user_name, role_arn))
    else:
        report.failed("sts_policy", "the inline policy %s of IAM user %s is not sts:AssumeRole on exactly %s: %s"
                      % (policy_name, user_name, role_arn, describe_difference(document, expected)),
                      ONBOARD_FIX + " (sts_policy rewrites it)")


def check_key(task, report, chain, key):
    user_name = task.params["user_name"]
    if key is None:
        report.skipped("access_key", "no vault_file given")
        return
    if key.get("error"):
        report.failed("access_key", key["error"], key.get("fix", ROTATE_FIX))
        return
    key_id, user = key["aws_access_key_id"], chain.user()
    if user is None:
        report.not_checked("access_key", "IAM user %s does not exist" % user_name)
        return
    vault_user = key.get("iam_user_arn")
    if vault_user and vault_user != user["Arn"]:
        report.failed("access_key", "the vault file %s holds key %s of %s, not of IAM user %s (%s)"
                      % (key["source"], key_id, vault_user, user_name, user["Arn"]), ROTATE_FIX)
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
    if is_new(mine.get("CreateDate"), chain.now or server_time(listed)):
        chain.new_links.append("access key")
    if any(v.get("Status") == "Active" for k, v in keys.items() if k != key_id):
        task.warn("IAM user %s has another active access key besides the one in %s: %s"
                  % (user_name, key["source"], ", ".join(others)))
    report.passed("access_key", "key %s in the vault file %s is an Active key of IAM user %s%s"
                  % (key_id, key["source"], user_name, others_text))
