# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the shared resource logic in-process on the controller, from an action plugin.

access_key and verify need the play's vault secrets, which only the controller
holds, and they handle a secret that must never be written to a module's
argument file. They therefore run the same Task-based logic as the modules, here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os
import sys

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import HAS_BOTO3
from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import Task, with_aws_options


@contextlib.contextmanager
def process_environment(variables):
    """The task's `environment:` in this process for the duration of the task, as a module process has it.

    Ansible forks a worker per task, so nothing outlives the task; the previous values are put
    back all the same. boto3 then reads AWS_PROFILE, AWS_MAX_ATTEMPTS, AWS_CA_BUNDLE,
    AWS_CONFIG_FILE and every other variable exactly as it would in a module.
    """
    saved = dict((name, os.environ.get(name)) for name in variables)
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def missing_boto3_message(action):
    """Which Python lacks boto3, and the one command that fixes it."""
    return ("%s runs on the controller and needs boto3 and botocore in the Python that runs ansible-playbook, "
            "%s, which cannot import them. Install them there: %s -m pip install boto3 botocore"
            % (action, sys.executable, sys.executable))


class ControllerAction(ActionBase):
    """Subclasses set ARGUMENT_SPEC (the module's) and implement handle(task, task_vars)."""

    ARGUMENT_SPEC = {}
    # The module's mutually_exclusive / required_if, checked exactly as AnsibleModule checks them.
    CONSTRAINTS = {}
    # An unexpected exception's text may quote data the action holds (a secret): report its type only.
    HOLDS_SECRETS = False
    # Actions that make no AWS call (lwa_credentials, lwa_check) do not need boto3.
    NEEDS_BOTO3 = True
    # Actions that never reach AWS (app_client_sheet) take only their own options.
    AWS_OPTIONS = True
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ControllerAction, self).run(tmp, task_vars)
        del tmp
        if self.NEEDS_BOTO3 and not HAS_BOTO3:
            raise AnsibleActionFail(missing_boto3_message(self._task.action))
        # Errors name the module as AnsibleModule does (spapi.onboarding.iam_user), not this plugin's file.
        self._load_name = self._task.resolved_action or self._task.action
        spec = with_aws_options(self.ARGUMENT_SPEC) if self.AWS_OPTIONS else self.ARGUMENT_SPEC
        dummy, params = self.validate_argument_spec(argument_spec=spec, **self.CONSTRAINTS)
        task = Task(params, check_mode=bool(self._task.check_mode), diff_mode=bool(self._task.diff))
        try:
            with process_environment(self._task_environment()):
                result.update(self.handle(task, task_vars or {}))
        except SpapiError as exc:
            result.update(exc.result())
        except Exception as exc:  # pylint: disable=broad-exception-caught
            if not self.HOLDS_SECRETS:
                raise
            result.update(failed=True, msg="%s failed unexpectedly (%s); its message is withheld because it could "
                                           "quote a secret" % (self._task.action, type(exc).__name__))
        if task.warnings:
            result["warnings"] = result.get("warnings", []) + task.warnings
        return result

    def _task_environment(self):
        environment = {}
        for entry in self._task.environment or []:
            templated = self._templar.template(entry)
            if isinstance(templated, dict):
                environment.update((str(k), str(v)) for k, v in templated.items() if v is not None)
        return environment

    def handle(self, task, task_vars):
        raise NotImplementedError


class LocalFirstAction(ControllerAction):
    """A module that only talks to AWS: run it in this process when the task runs locally.

    On a local connection, executing the module would start one more Python process and
    ship it an AnsiballZ payload only to make one to three AWS calls; here the same shared
    logic runs in the worker that Ansible already forked for the task. Elsewhere (a remote
    target, or no boto3 in the controller's Python) the module runs as usual.
    Subclasses set ARGUMENT_SPEC and ensure (the module's ensure_* function).
    """

    ensure = None
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        if HAS_BOTO3 and self._runs_locally():
            return super(LocalFirstAction, self).run(tmp, task_vars)
        result = ActionBase.run(self, tmp, task_vars)
        result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=self._task.async_val))
        if not self._task.async_val:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _runs_locally(self):
        transport = getattr(self._connection, "transport", None)
        return transport in ("local", "ansible.builtin.local", "ansible.legacy.local")

    def handle(self, task, task_vars):
        return type(self).ensure(task)
