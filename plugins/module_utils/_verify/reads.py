# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SP-API chain as verify reads it: each link read once, when a check first needs it, and kept.

The checks ask for a link (user(), role(), attached(), policy()) instead of finding it in
fields that an earlier check had to fill: whichever check runs first makes the read, and the
reads keep the chain's order (GetUser, GetRole, ListAttachedRolePolicies, GetPolicy).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import read
from ansible_collections.spapi.onboarding.plugins.module_utils._common.dates import as_utc, server_time
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import list_all
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policies import (
    decode_document,
    same_policy,
    trust_policy,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.policy_analysis import trust_external_id
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.role_ownership import serves_someone_else

# IAM and STS propagate a new key, user or role within seconds; older links are not "new".
PROPAGATION_WINDOW = datetime.timedelta(minutes=5)


def is_new(created, now):
    """Whether a link was created within the propagation window (AWS's clock on both sides)."""
    return isinstance(created, datetime.datetime) and now - as_utc(created) < PROPAGATION_WINDOW


class ChainReads:
    """The chain as verify read it: each link read once, when a check first needs it, and kept.

    new_links names the links created within PROPAGATION_WINDOW (the live checks wait for
    those to propagate); now is AWS's clock, from the first IAM answer.
    """

    def __init__(self, task):
        self.task = task
        self.params = task.params
        self.iam = task.aws.iam
        self.now = None
        self.new_links = []
        self._kept = {}

    def _once(self, what, read_it):
        if what not in self._kept:
            self._kept[what] = read_it()
        return self._kept[what]

    def _entity(self, kind, name, method, key, **request):
        found = read("read IAM %s '%s'" % (kind, name), method, **request)
        if not found:
            return None
        entity = found[key]
        self.now = self.now or server_time(found)
        self.task.aws.learn_identity_from(entity["Arn"])
        if is_new(entity.get("CreateDate"), self.now):
            self.new_links.append(kind)
        return entity

    def user(self):
        name = self.params["user_name"]
        return self._once("user", lambda: self._entity("user", name, self.iam.get_user, "User", UserName=name))

    def role(self):
        name = self.params["role_name"]
        return self._once("role", lambda: self._entity("role", name, self.iam.get_role, "Role", RoleName=name))

    def attached(self):
        """The managed policies attached to the role ([] when there is no role)."""
        name = self.params["role_name"]
        return self._once("attached", lambda: list_all(
            "list the policies attached to IAM role '%s'" % name, self.iam, "list_attached_role_policies",
            "AttachedPolicies", RoleName=name) if self.role() else [])

    def policy(self):
        """The SP-API policy as GetPolicy returns it, or None; attached, its ARN (whatever its path)
        comes with the attachment, otherwise it is looked for on the default path."""
        def find():
            name = self.params["policy_name"]
            by_name = [p["PolicyArn"] for p in self.attached() if p["PolicyName"] == name]
            arn = by_name[0] if by_name else self.task.aws.arn("policy", "/", name)
            found = read("read IAM policy %s" % arn, self.iam.get_policy, PolicyArn=arn)
            return found["Policy"] if found else {"Arn": arn, "missing": True}
        return self._once("policy", find)

    def trust(self):
        """The role's trust policy document."""
        return decode_document(self.role().get("AssumeRolePolicyDocument") or {"Statement": []})

    def foreign(self):
        """Whom the role serves instead of the user (words), or None when it is this identity's (or unknown).

        A role that serves someone else (another identity, a service, an identity provider) is its
        owner's: verify reports that, and never advises removing what its owner attached to it."""
        user, role = self.user(), self.role()
        if not user or not role:
            return None
        return serves_someone_else(self.trust(), user["Arn"])

    def foreign_reason(self):
        return ("IAM role %s serves %s, not IAM user %s: what is attached to it or inline on it is its owner's, "
                "and verify advises no change to it" % (self.params["role_name"], ", ".join(self.foreign()),
                                                        self.user()["Arn"]))

    def external_id(self):
        """The sts:ExternalId the trust policy asks for, when it is the documented one for the user."""
        user, role = self.user(), self.role()
        if not user or not role:
            return None
        document = self.trust()
        external_id = trust_external_id(document)
        return external_id if same_policy(document, trust_policy([user["Arn"]], external_id)) else None


class AssumedChain(ChainReads):
    """scope=live: the tasks just before ensured each link; nothing is read, only the live call is left.

    Nothing was read, so nothing is known to be old: propagation is waited out as for new links."""

    def __init__(self, task, key):
        super(AssumedChain, self).__init__(task)
        self.new_links = ["chain"]
        user_arn = key.get("iam_user_arn") if key else None
        self._kept.update(user={"Arn": user_arn} if user_arn else None, role={"Arn": task.params["role_arn"]})

    def external_id(self):
        return None

    def foreign(self):
        return None
