# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place where AWS clients are made and AWS errors become messages.

Options and their meaning follow the amazon.aws collection so that habits and
module_defaults carry over. Credentials, profile and region left unset are left
to boto3's own configuration chain (environment, shared files, AWS_ENDPOINT_URL),
and throttling is retried by botocore's own retry modes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

try:
    import boto3
    import botocore.config
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    HAS_BOTO3 = True
except ImportError:  # pragma: no cover - reported by the caller
    HAS_BOTO3 = False

    class BotoCoreError(Exception):
        """Stands in for botocore's class when botocore is missing (run_module reports that)."""

    class ClientError(Exception):
        """Stands in for botocore's class when botocore is missing (run_module reports that)."""

    class ResponseParserError(Exception):
        """Stands in for botocore's class when botocore is missing (run_module reports that)."""

from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._aws.clients import LazyClient, preload, shared_loader
from ansible_collections.spapi.onboarding.plugins.module_utils._aws.messages import (
    CREDENTIALS_HINT,
    connection_note,
    credentials_problem,
    error_code,
    error_message,
    retry_note,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

COLLECTION_VERSION = "0.1.0"
DEFAULT_REGION = "us-east-1"
# botocore's standard mode backs off exponentially with jitter on throttling and 5xx.
DEFAULT_RETRIES = {"mode": "standard", "total_max_attempts": 10}

AWS_ARGUMENT_SPEC = dict(
    access_key=dict(type="str", aliases=["aws_access_key_id", "aws_access_key"], no_log=True),
    secret_key=dict(type="str", aliases=["aws_secret_access_key", "aws_secret_key"], no_log=True),
    session_token=dict(type="str", aliases=["aws_session_token"], no_log=True),
    profile=dict(type="str", aliases=["aws_profile"]),
    region=dict(type="str", aliases=["aws_region"]),
    endpoint_url=dict(type="str", aliases=["aws_endpoint_url"]),
    validate_certs=dict(type="bool", default=True),
    aws_ca_bundle=dict(type="path"),
    aws_config=dict(type="dict"),
)


class AwsFailure(SpapiError):
    """An AWS call failed; the message says what was being done, to what, and why."""

    def __init__(self, message, code=None):
        super(AwsFailure, self).__init__(message)
        self.code = code


def _invoke(what, method, kwargs, missing_ok=False):
    try:
        return method(**kwargs)
    except ClientError as exc:
        if missing_ok and error_code(exc) == "NoSuchEntity":
            return None
        raise client_failure(what, exc, credentials_problem(exc, method))
    except ResponseParserError:
        # Its text quotes the raw reply, which can hold a secret (CreateAccessKey, AssumeRole).
        raise AwsFailure("Could not %s: AWS sent a reply that could not be parsed" % what, "ResponseParserError")
    except BotoCoreError as exc:
        note = CREDENTIALS_HINT if credentials_problem(exc, method) else ""
        if type(exc).__name__ in ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionClosedError"):
            note = connection_note(method)
        raise AwsFailure("Could not %s: %s.%s" % (what, str(exc).rstrip("."), note))


def call(what, method, **kwargs):
    """Call a boto3 method; turn any failure into AwsFailure("Could not <what>: ...")."""
    return _invoke(what, method, kwargs)


def client_failure(what, exc, credentials_problem=False):
    code = error_code(exc)
    hint = CREDENTIALS_HINT if credentials_problem else ""
    return AwsFailure("Could not %s: %s: %s%s%s" % (what, code, error_message(exc), retry_note(exc), hint), code)


def read(what, method, **kwargs):
    """Like call(), but a missing entity (NoSuchEntity) returns None."""
    return _invoke(what, method, kwargs, missing_ok=True)


def remove(what, method, **kwargs):
    """A delete call; NoSuchEntity means it is already gone, which is what was asked.

    That is the answer when botocore retries a delete whose first reply was lost, or when
    another run deleted it first. Returns True when this call deleted it.
    """
    return read(what, method, **kwargs) is not None


def adopt_existing(attempt, reread):
    """Run attempt() (a create call); return (its reply, True), or (reread(), False) when IAM
    answers EntityAlreadyExists.

    We only create after a read found nothing, so the entity appeared meanwhile: either
    botocore retried a create whose first response was lost, or a concurrent run made it.
    Either way it is there, and the caller converges it like any existing entity.
    """
    try:
        return attempt(), True
    except AwsFailure as exc:
        if exc.code == "EntityAlreadyExists":
            found = reread()
            if found:
                return found, False
        raise


def parse_arn(arn):
    """Split an ARN into partition, account and resource."""
    parts = arn.split(":", 5)
    return {"partition": parts[1], "account": parts[4], "resource": parts[5]}


def signed_with(params, access_key_id, secret_access_key, connect=None):
    """A connection to the same endpoint, region and configuration, signing with another key
    (the SP-API user's, to prove it works). connect builds it: a seam for tests."""
    params = dict(params, access_key=access_key_id, secret_key=secret_access_key, session_token=None, profile=None,
                  signs_with_vaulted_key=True)
    return (connect or AwsConnection)(params)


def _retries_configured(session):
    """Whether the environment or the profile says how to retry (botocore's own defaults do not count)."""
    if os.environ.get("AWS_MAX_ATTEMPTS") or os.environ.get("AWS_RETRY_MODE"):
        return True
    try:
        profile = session._session.get_scoped_config()
    except BotoCoreError:
        return False
    return "max_attempts" in profile or "retry_mode" in profile


class AwsConnection:
    """Clients for one set of AWS options, made once, plus the caller's identity."""

    def __init__(self, params):
        self.params = params
        self._session = None
        self._clients = {}
        self._identity = None

    def _make_session(self):
        params = self.params
        if params.get("profile") and (params.get("access_key") or params.get("secret_key")):
            raise ValidationError("profile", "cannot be combined with access_key/secret_key: choose one way to authenticate")
        if bool(params.get("access_key")) != bool(params.get("secret_key")):
            raise ValidationError("access_key", "access_key and secret_key must be given together")
        region = params.get("region") or os.environ.get("AWS_REGION") or None
        try:
            session = boto3.session.Session(
                aws_access_key_id=params.get("access_key") or None,
                aws_secret_access_key=params.get("secret_key") or None,
                aws_session_token=params.get("session_token") or None,
                profile_name=params.get("profile") or None,
                region_name=region,
            )
            # Before the first client: every client of the session then uses the process's parsed data.
            session._session.register_component(
                "data_loader", shared_loader(session._session.get_config_variable("data_path") or None))
        except BotoCoreError as exc:
            raise AwsFailure("Could not set up the AWS session: %s.%s" % (str(exc).rstrip("."), CREDENTIALS_HINT))
        return session

    def _config(self, session):
        options = dict(self.params.get("aws_config") or {})
        # botocore's precedence: aws_config, then AWS_MAX_ATTEMPTS / AWS_RETRY_MODE or the profile's
        # max_attempts / retry_mode; the collection's default only when none of them says anything.
        if "retries" not in options and not _retries_configured(session):
            options["retries"] = DEFAULT_RETRIES
        options.setdefault("user_agent_extra", "spapi.onboarding/%s" % COLLECTION_VERSION)
        try:
            return botocore.config.Config(**options)
        except TypeError as exc:
            raise ValidationError("aws_config", "is not a valid botocore configuration: %s" % exc)

    def client(self, service):
        """The service's client, made (with the session) when it is first used, not when it is asked for."""
        if service not in self._clients:
            self._clients[service] = LazyClient(lambda: self._make_client(service))
        return self._clients[service]

    def _make_client(self, service):
        if self._session is None:
            self._session = self._make_session()
        verify = self.params.get("aws_ca_bundle") or None
        if self.params.get("validate_certs") is False:
            verify = False
        client = self._session.client(
            service,
            region_name=self._session.region_name or DEFAULT_REGION,
            endpoint_url=self.params.get("endpoint_url") or None,
            verify=verify,
            config=self._config(self._session),
        )
        # Which advice a refused signature gets (see _credentials_problem).
        client.spapi_operator_credentials = not self.params.get("signs_with_vaulted_key")
        return client

    @property
    def iam(self):
        return self.client("iam")

    @property
    def sts(self):
        return self.client("sts")

    def identity(self):
        """Account and partition as AWS reports them (one GetCallerIdentity, cached)."""
        if self._identity is None:
            reply = call("read the caller identity (sts:GetCallerIdentity)", self.sts.get_caller_identity)
            self._identity = dict(parse_arn(reply["Arn"]), arn=reply["Arn"])
        return self._identity

    def learn_account(self, account):
        """An account id (its partition from the region) or any IAM ARN of the account: spares a GetCallerIdentity."""
        if self._identity is None and account and account.isdigit():
            if self._session is None:
                self._session = self._make_session()
            region = self._session.region_name or DEFAULT_REGION
            self._identity = {"partition": self._session.get_partition_for_region(region), "account": account}
        else:
            self.learn_identity_from(account)

    def learn_identity_from(self, arn):
        """Any IAM ARN of the account tells partition and account: spares a GetCallerIdentity."""
        if self._identity is None and arn:
            self._identity = parse_arn(arn)

    def arn(self, kind, path, name):
        ident = self.identity()
        return "arn:%s:iam::%s:%s%s%s" % (ident["partition"], ident["account"], kind, path or "/", name)


if HAS_BOTO3:
    preload()
