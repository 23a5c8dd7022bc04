# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan one identity's chain before its first write: every step in check mode, on one connection.

Each step is the module's own logic (ensure_*), run in check mode with the options the
role would give the module, so a plan predicts exactly what the tasks will do, refuses
exactly what they would refuse (bad names, another identity's role, no vault secret),
and costs one read per link: the reads a converged run needs anyway.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.managed_policy import ensure_policy
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.role import ensure_role
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.sts_policy import ensure_sts_policy
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import Task, with_aws_options
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.user import ensure_user
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.modules import access_key, iam_policy, iam_role, iam_user, sts_policy

# Per step: the module's argument spec, and which plan option each module option comes from
# (so that a refusal names what the caller set, not the module option behind it).
STEPS = {
    "user": (iam_user.ARGUMENT_SPEC, {"name": "user_name", "path": "path", "tags": "tags",
                                      "permissions_boundary": "permissions_boundary"}),
    "policy": (iam_policy.ARGUMENT_SPEC, {"name": "policy_name", "path": "path", "tags": "tags"}),
    "role": (iam_role.ARGUMENT_SPEC, {"name": "role_name", "path": "path", "tags": "tags",
                                      "external_id": "external_id", "wait_timeout": "wait_timeout",
                                      "max_session_duration": "max_session_duration", "on_conflict": "on_conflict"}),
    "sts_policy": (sts_policy.ARGUMENT_SPEC, {"user_name": "user_name", "policy_name": "sts_policy_name",
                                              "on_conflict": "on_conflict"}),
    "access_key": (access_key.ARGUMENT_SPEC, {"user_name": "user_name", "vault_file": "vault_file",
                                              "vault_id": "vault_id", "rotate": "rotate", "max_age_days": "max_age_days",
                                              "on_unknown_keys": "on_unknown_keys", "wait_timeout": "wait_timeout"}),
}
MODULES = {"user": iam_user, "policy": iam_policy, "role": iam_role, "sts_policy": sts_policy,
           "access_key": access_key}
# Module options the plan derives from earlier steps, named in a refusal by the plan option behind them.
DERIVED = {"role_arn": "role_name", "trusted_user_arn": "user_name", "managed_policy_arns": "policy_name"}
AWS_OPTIONS = tuple(with_aws_options({}))


class Planner:
    """Runs the steps in check mode on one AWS connection and collects what they would do."""

    def __init__(self, params, connection, run_access_key):
        self.params = params
        self.connection = connection
        self.ensure = dict(ENSURE, access_key=run_access_key)
        self.actions = []
        self.warnings = []

    def refused(self, step, exc):
        """The step's refusal, naming the plan option behind the module option, or the caller's variable."""
        options_from = STEPS[step][1]
        option = options_from.get(exc.option) or DERIVED.get(exc.option, exc.option)
        prefix = self.params.get("variable_prefix")
        if not prefix:
            return ValidationError(option, exc.rule)
        # The advice in the rule names module options too: name the caller's variables there as well.
        names = sorted((name for name in options_from if "_" in name), key=len, reverse=True)
        rule = exc.rule
        if names:
            rule = re.sub(r"\b(%s)\b" % "|".join(names), lambda match: prefix + options_from[match.group(1)], rule)
        return ValidationError(prefix + option, rule, "variable")

    def step(self, name, leaving=(), **module_options):
        """Run one step in check mode; module_options are those the caller derives from earlier steps."""
        spec, options_from = STEPS[name]
        values = dict((module_option, self.params[plan_option]) for module_option, plan_option in options_from.items()
                      if self.params.get(plan_option) is not None)
        values.update(module_options)
        values.update((key, self.params[key]) for key in AWS_OPTIONS if self.params.get(key) is not None)
        constraints = getattr(MODULES[name], "CONSTRAINTS", {})
        validated = ArgumentSpecValidator(with_aws_options(spec), **constraints).validate(values)
        if validated.error_messages:
            raise ValidationError(name, "; ".join(validated.error_messages))
        task = Task(validated.validated_parameters, check_mode=True, connection=self.connection)
        try:
            if name == "policy":
                result = ensure_policy(task, leaving=leaving)
            else:
                result = self.ensure[name](task)
        except ValidationError as exc:
            raise self.refused(name, exc)
        self.warnings.extend(task.warnings)
        if result.get("failed"):
            raise ValidationError(name, result.get("msg", "refused"), "step")
        self.actions.extend(result.get("actions") or [])
        return result


def plan_present(planner):
    user = planner.step("user")["user"]
    policy = planner.step("policy", account_id=user["arn"])["policy"]
    role = planner.step("role", trusted_user_arn=user["arn"], managed_policy_arns=[policy["arn"]])["role"]
    planner.step("sts_policy", role_arn=role["arn"])
    key = planner.step("access_key")
    return {"user": user, "policy": policy, "role": role, "access_key_id": key.get("access_key_id")}


def plan_access_key(planner):
    key = planner.step("access_key")
    return {"access_key_id": key.get("access_key_id")}


def plan_absent(planner):
    """What offboarding removes and what it keeps (and why), in the order the role removes them."""
    params = planner.params
    path = params.get("path") or "/"
    user = planner.step("user", state="absent")["user"]
    user_arn = user["arn"] if user else planner.connection.arn("user", path, params["user_name"])
    policy_arn = planner.connection.arn("policy", path, params["policy_name"])
    remove, keep = [], []
    if user:
        planner.step("access_key", state="absent")
    if user and planner.step("sts_policy", state="absent")["changed"]:
        remove.append("inline policy %s of user %s" % (params["sts_policy_name"], params["user_name"]))
    role = planner.step("role", state="absent", trusted_user_arn=user_arn, managed_policy_arns=[policy_arn])
    leaving = []
    if role.get("kept"):
        keep.append("role %s, because %s" % (params["role_name"], "; ".join(role["kept"])))
    elif role["role"]:
        remove.append("role %s" % params["role_name"])
        leaving.append(params["role_name"])
    policy = planner.step("policy", state="absent", leaving=leaving, account_id=user_arn)
    if policy.get("kept"):
        keep.append("policy %s, because %s" % (params["policy_name"], "; ".join(policy["kept"])))
    elif policy["policy"]:
        remove.append("policy %s" % params["policy_name"])
    if user:
        remove.append("user %s, its access keys and vault file" % params["user_name"])
    return {"remove": remove, "keep": keep, "user": user, "user_arn": user_arn, "policy_arn": policy_arn}


ENSURE = {"user": ensure_user, "role": ensure_role, "sts_policy": ensure_sts_policy}
GOALS = {"chain": plan_present, "access_key": plan_access_key}


def plan(params, connection, run_access_key):
    """The plan for the params: raises ValidationError or AwsFailure before any write, never writes."""
    planner = Planner(params, connection, run_access_key)
    goal = plan_absent if params["state"] == "absent" else GOALS[params["scope"]]
    result = goal(planner)
    result.update(changed=False, would_change=bool(planner.actions), actions=planner.actions)
    return result, planner.warnings
