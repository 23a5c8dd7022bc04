# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a failed AWS call tells the user: AWS's code and message, how botocore's retries ended,
and where to look when the credentials or the endpoint are the cause. Pure: no call is made."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def _error(exc):
    # botocore's ClientError carries AWS's answer in .response; other errors have none.
    response = getattr(exc, "response", None)
    return response.get("Error", {}) if isinstance(response, dict) else {}


def error_code(exc):
    return _error(exc).get("Code")


def error_message(exc):
    return _error(exc).get("Message") or str(exc)


# AWS's answers to a key it does not know, a bad signature or expired temporary credentials.
CREDENTIAL_CODES = ("InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
                    "UnrecognizedClientException", "InvalidAccessKeyId", "AuthFailure", "TokenRefreshRequired")
CREDENTIALS_HINT = (
    " Check the AWS credentials this task runs with: AWS_PROFILE or the profile option, AWS_ACCESS_KEY_ID / "
    "AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN or the access_key/secret_key/session_token options, an SSO login "
    "that has expired (aws sso login --profile <profile>), and in the spapi.onboarding roles iam_aws or the play's "
    "module_defaults for group/spapi.onboarding.aws.")


def credentials_problem(exc, method):
    """AWS refused the operator's own credentials (not a vaulted key being proven: that has its own advice)."""
    if not getattr(getattr(method, "__self__", None), "spapi_operator_credentials", False):
        return False
    name = type(exc).__name__
    return error_code(exc) in CREDENTIAL_CODES or name in (
        "NoCredentialsError", "PartialCredentialsError", "TokenRetrievalError", "SSOTokenLoadError",
        "UnauthorizedSSOTokenError", "ProfileNotFound", "CredentialRetrievalError")


def connection_note(method):
    """How many attempts botocore made before a connection error reached us, and where to."""
    client = getattr(method, "__self__", None)
    meta = getattr(client, "meta", None)
    if meta is None:
        return ""
    retries = getattr(meta.config, "retries", None) or {}
    attempts = retries.get("total_max_attempts")
    if attempts is None and "max_attempts" in retries:
        attempts = retries["max_attempts"] + 1  # the legacy key counts retries, not attempts
    made = ("after %d attempts (retries.total_max_attempts in aws_config, or AWS_MAX_ATTEMPTS, sets how many)"
            % attempts) if attempts else "after botocore's retries"
    return (" Gave up %s to reach %s: check endpoint_url / AWS_ENDPOINT_URL, the region and the network."
            % (made, meta.endpoint_url))


def retry_note(exc):
    """How botocore's retries ended, when they did not succeed: said, never silent.

    botocore's standard and adaptive modes share a retry quota per client (500 units; a
    throttling retry costs 5, another retry 14, a success gives some back). Our clients live
    for one task, so a storm cannot drain it across a play; should one task drain it, the
    call fails at once instead of backing off, and the message says why.
    """
    metadata = (getattr(exc, "response", None) or {}).get("ResponseMetadata") or {}
    retries = metadata.get("RetryAttempts") or 0
    if metadata.get("RetryQuotaReached"):
        return (" (after %d retries botocore's retry quota for this connection was used up, so it stopped "
                "retrying: AWS is throttling or failing most calls; re-run later or lower the request rate)" % retries)
    if metadata.get("MaxAttemptsReached"):
        return " (gave up after %d attempts; aws_config retries.total_max_attempts sets how many)" % (retries + 1)
    if retries:
        return " (answer to attempt %d)" % (retries + 1)
    return ""
