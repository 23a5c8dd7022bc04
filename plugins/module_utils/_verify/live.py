# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""verify's live checks: sts:AssumeRole with the vaulted key, sts:GetCallerIdentity to explain a failure.

A successful AssumeRole on a role that trusts exactly the user proves the key is the
user's and works, so the identity call is spared on a sound chain. The key signs these
calls and is never returned, logged or put into a message; the temporary credentials
AssumeRole returns are dropped at once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure, call, signed_with
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import retry_while

ONBOARD_FIX = "re-run playbooks/onboard.yml"
ROTATE_FIX = "rotate the key with playbooks/rotate_key.yml"
SESSION_NAME = "spapi-onboarding-verify"
# The shortest session STS grants: the credentials are thrown away at once.
SESSION_SECONDS = 900
FIRST_RETRY_DELAY = 0.5
# The links the live AssumeRole depends on; with scope=chain it is not tried when one of them is broken.
ASSUME_ROLE_NEEDS = ("policy_attached", "trust_policy", "sts_policy")


def _transient(codes, chain):
    """The propagation errors worth waiting for: only while a link of the chain is brand-new."""
    def predicate(exc):
        return exc.code in codes and bool(chain.new_links)
    return predicate


def live_failure(exc, key, new_links, what):
    """Words and a fix for an STS call that the vaulted key could not make."""
    key_id = key["aws_access_key_id"]
    waited = (" (still failing after waiting for the new %s to propagate)" % " and ".join(new_links)
              if new_links else "")
    if exc.code == "SignatureDoesNotMatch":
        return ("the secret in the vault file %s does not match key %s" % (key["source"], key_id), ROTATE_FIX)
    if exc.code == "InvalidClientTokenId":
        return ("STS does not accept key %s%s" % (key_id, waited), ROTATE_FIX)
    if what == "assume_role" and exc.code == "AccessDenied":
        return ("%s%s" % (exc, waited),
                "the chain's documents check out, so look for what else denies it (a permissions boundary, "
                "an explicit Deny, an SCP); if a policy was just repaired, run verify again in a minute")
    return (str(exc), ONBOARD_FIX)


def _skip_both(report, reason, not_checked=False):
    for name in ("caller_identity", "assume_role"):
        (report.not_checked if not_checked else report.skipped)(name, reason)


def check_live(task, report, chain, key, connect):
    """caller_identity and assume_role, as far as the options and the checks before allow."""
    params = task.params
    if key is None:
        return _skip_both(report, "no vault_file given")
    if not params["assume_role"]:
        return _skip_both(report, "assume_role is false")
    if key.get("error") or (params["scope"] == "chain" and not report.ok("access_key")):
        return _skip_both(report, "the access_key check did not pass", not_checked=True)
    sts = signed_with(params, key["aws_access_key_id"], key["aws_secret_access_key"], connect).sts
    blockers = [n for n in ASSUME_ROLE_NEEDS if not report.ok(n)]
    if params["scope"] == "chain" and blockers:
        check_identity(task, report, chain, key, sts)
        named = [n for n in blockers if report.status(n) == "failed"] or blockers  # the cause, not its echoes
        report.not_checked("assume_role", "the %s check%s did not pass" % (
            ", ".join(named), "" if len(named) == 1 else "s"))
        return None

    key_id, role_arn = key["aws_access_key_id"], chain.role()["Arn"]
    request = dict(RoleArn=role_arn, RoleSessionName=SESSION_NAME, DurationSeconds=SESSION_SECONDS)
    external_id = chain.external_id()
    if external_id:
        request["ExternalId"] = external_id
    try:
        assumed = retry_while(
            _transient(("InvalidClientTokenId", "AccessDenied"), chain),
            lambda: call("call sts:AssumeRole on %s with key %s" % (role_arn, key_id), sts.assume_role, **request),
            params["wait_timeout"], first_delay=FIRST_RETRY_DELAY)
    except AwsFailure as exc:
        if check_identity(task, report, chain, key, sts):
            report.failed("assume_role", *live_failure(exc, key, chain.new_links, "assume_role"))
        else:
            report.not_checked("assume_role", "the caller_identity check did not pass")
        return None
    if params["scope"] == "chain":
        report.passed("caller_identity", "implied by sts:AssumeRole: only IAM user %s may assume %s, and key %s did"
                      % (chain.user()["Arn"], role_arn, key_id))
    else:
        report.skipped("caller_identity", "scope is live, and sts:AssumeRole with key %s succeeded" % key_id)
    report.passed("assume_role", "sts:AssumeRole on %s with key %s succeeded as %s"
                  % (role_arn, key_id, assumed["AssumedRoleUser"]["Arn"]))
    return None


def check_identity(task, report, chain, key, sts):
    """sts:GetCallerIdentity with the vaulted key; True when it signs as the user."""
    key_id = key["aws_access_key_id"]
    try:
        identity = retry_while(
            _transient(("InvalidClientTokenId",), chain),
            lambda: call("call sts:GetCallerIdentity with key %s" % key_id, sts.get_caller_identity),
            task.params["wait_timeout"], first_delay=FIRST_RETRY_DELAY)
    except AwsFailure as exc:
        report.failed("caller_identity", *live_failure(exc, key, chain.new_links, "caller_identity"))
        return False
    user = chain.user()
    user_arn = user["Arn"] if user else key.get("iam_user_arn")
    if user_arn and identity.get("Arn") != user_arn:
        report.failed("caller_identity", "key %s signs as %s, not as IAM user %s"
                      % (key_id, identity.get("Arn"), user_arn), ROTATE_FIX)
        return False
    report.passed("caller_identity", "sts:GetCallerIdentity with key %s returns %s" % (key_id, identity["Arn"]))
    return True
