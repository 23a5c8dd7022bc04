# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A vault file kept as an S3 object, where every AWX job and every operator finds it.

The object holds exactly the text a local vault file would (`aws s3 cp s3://B/K - | ansible-vault
view -` works). A writer refuses a bucket without versioning or one that grants read access to
anyone else, encrypts explicitly at rest (SSE-KMS with the key the user names, else SSE-S3), and
writes conditionally: `If-None-Match: *` to create, `If-Match` with the ETag it read under the
lock to update, so another controller's write is never overwritten.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure, call
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import VaultFileError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.s3_lock import S3Lock

# Bucket names as S3 allows them today (3-63, lower case, digits, dots, hyphens).
BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
LOST_RACE = ("PreconditionFailed", "ConditionalRequestConflict")
PUBLIC_GROUPS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                 "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


def parse_location(location, option):
    """(bucket, key) of `s3://BUCKET/KEY`, or a refusal naming the option and the rule."""
    rest = location[len("s3://"):]
    bucket, dummy, key = rest.partition("/")
    if not BUCKET.fullmatch(bucket) or ".." in bucket:
        raise ValidationError(option, "%r does not name an S3 bucket: use s3://BUCKET/KEY, BUCKET 3-63 lower-case "
                                      "letters, digits, dots and hyphens" % location)
    if not key or key.endswith("/") or len(key.encode("utf-8")) > 1000:
        raise ValidationError(option, "%r does not name an object: use s3://BUCKET/KEY, for example "
                                      "s3://%s/spapi/SellingPartnerAPIUser.vault.yml" % (location, bucket))
    return bucket, key


def lost_race(exc):
    return isinstance(exc, AwsFailure) and exc.code in LOST_RACE


def _principals(statement):
    """Every principal a statement names, except AWS services (they act for the account)."""
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    values = []
    for kind, value in (principal.items() if isinstance(principal, dict) else []):
        if kind != "Service":
            values.extend(value if isinstance(value, list) else [value])
    return [str(v) for v in values]


def foreign_grants(policy, account):
    """The principals a bucket policy allows that are not of this account."""
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    foreign = []
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        foreign.extend(p for p in _principals(statement) if p != account and ":%s:" % account not in p)
    return sorted(set(foreign))


class S3Store:
    shared = True
    loose_mode = None

    def __init__(self, location, aws, option="vault_file", kms_key_id=None, lock_timeout=None, warn=None):
        self.bucket, self.key = parse_location(location, option)
        self.location = "s3://%s/%s" % (self.bucket, self.key)
        self.aws, self.option, self.kms_key_id = aws, option, kms_key_id
        self.lock_timeout, self.warn = lock_timeout, warn
        self.etag = None  # of the version this run read; None: there was none
        self._ready = False

    @property
    def s3(self):
        return self.aws.client("s3")

    def check_ready(self, may_create_directory=False):
        """Versioning on, nobody else granted access: refused before the first write, naming the fix."""
        if self._ready:
            return
        what = "read the versioning of the vault bucket %s (s3:GetBucketVersioning)" % self.bucket
        status = call(what, self.s3.get_bucket_versioning, Bucket=self.bucket).get("Status")
        if status != "Enabled":
            raise ValidationError(
                self.option, "the bucket of %s has no versioning (%s): every vault write must be a new version, so "
                             "that an overwritten secret can be recovered. Enable it with: aws s3api "
                             "put-bucket-versioning --bucket %s --versioning-configuration Status=Enabled"
                             % (self.location, status or "never enabled", self.bucket))
        self._refuse_shared_bucket()
        self._ready = True

    def _refuse_shared_bucket(self):
        account = self.aws.identity()["account"]
        try:
            reply = call("read the policy of the vault bucket %s (s3:GetBucketPolicy)" % self.bucket,
                         self.s3.get_bucket_policy, Bucket=self.bucket)
            policy = json.loads(reply.get("Policy") or "{}")
        except AwsFailure as exc:
            if exc.code != "NoSuchBucketPolicy":
                raise
            policy = {}
        foreign = foreign_grants(policy, account)
        acl = call("read the ACL of the vault bucket %s (s3:GetBucketAcl)" % self.bucket,
                   self.s3.get_bucket_acl, Bucket=self.bucket)
        owner = (acl.get("Owner") or {}).get("ID")
        for grant in acl.get("Grants") or []:
            grantee = grant.get("Grantee") or {}
            if grantee.get("URI") in PUBLIC_GROUPS:
                foreign.append(grantee["URI"].rsplit("/", 1)[-1])
            elif grantee.get("Type") == "CanonicalUser" and grantee.get("ID") not in (None, owner):
                foreign.append("canonical user %s" % grantee["ID"])
        if foreign:
            raise ValidationError(
                self.option, "the bucket of %s grants access to %s: a vault object must be readable by its account "
                             "only. Remove those grants from the bucket policy and ACL, or use another bucket"
                             % (self.location, ", ".join(foreign)))

    def check_readable(self):
        return None

    def read(self, require_private=True):
        try:
            reply = call("read the vault object %s (s3:GetObject)" % self.location,
                         self.s3.get_object, Bucket=self.bucket, Key=self.key)
        except AwsFailure as exc:
            if exc.code not in ("NoSuchKey", "404"):
                raise
            self.etag = None
            return None
        self.etag = reply.get("ETag")
        return reply["Body"].read()

    def write(self, vaulttext):
        kwargs = dict(Bucket=self.bucket, Key=self.key, Body=vaulttext, ContentType="text/plain")
        kwargs.update(self.encryption())
        if self.etag:
            kwargs["IfMatch"] = self.etag
        else:
            kwargs["IfNoneMatch"] = "*"
        try:
            reply = call("write the vault object %s (s3:PutObject)" % self.location, self.s3.put_object, **kwargs)
        except AwsFailure as exc:
            if lost_race(exc):
                raise VaultFileError(
                    "another run wrote the vault object %s after this run read it (%s): nothing was overwritten. "
                    "Run again: it starts from what the other run stored" % (self.location, exc.code))
            raise
        self.etag = reply.get("ETag")

    def encryption(self):
        if self.kms_key_id:
            return dict(ServerSideEncryption="aws:kms", SSEKMSKeyId=self.kms_key_id)
        return dict(ServerSideEncryption="AES256")

    def remove(self):
        # A versioned bucket keeps the old versions behind the delete marker: recoverable.
        call("remove the vault object %s (s3:DeleteObject)" % self.location,
             self.s3.delete_object, Bucket=self.bucket, Key=self.key)
        self.etag = None

    def restrict(self):
        return None

    def lock(self, check_mode):
        return S3Lock(self, timeout=self.lock_timeout, warn=self.warn, check_mode=check_mode)
