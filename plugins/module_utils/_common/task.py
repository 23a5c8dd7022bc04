# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a module or action plugin hands to the shared logic, and how modules run it.

The resource logic (ensure_* functions) sees only a Task: validated parameters,
check/diff mode, an AwsConnection and a way to warn. The same logic therefore
runs inside an AnsibleModule process or in-process in an action plugin.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import (
    AWS_ARGUMENT_SPEC,
    HAS_BOTO3,
    AwsConnection,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError


class Task:
    def __init__(self, params, check_mode=False, diff_mode=False, connection=None, warn=None):
        self.params = params
        self.check_mode = check_mode
        self.diff_mode = diff_mode
        self.aws = connection or AwsConnection(params)
        self.warnings = []
        self._warn = warn

    def warn(self, message):
        if self._warn:
            self._warn(message)
        else:
            self.warnings.append(message)


def with_aws_options(argument_spec):
    spec = dict(AWS_ARGUMENT_SPEC)
    spec.update(argument_spec)
    return spec


def run_module(argument_spec, handler, **module_kwargs):
    """Build the AnsibleModule, run handler(task) and exit with its result dict."""
    module = AnsibleModule(argument_spec=with_aws_options(argument_spec), supports_check_mode=True, **module_kwargs)
    if not HAS_BOTO3:
        module.fail_json(msg=missing_required_lib("boto3 and botocore"))
    task = Task(module.params, module.check_mode, module._diff, warn=module.warn)
    try:
        result = handler(task)
    except SpapiError as exc:
        module.fail_json(**exc.result())
    module.exit_json(**result)


def refuse_outside_controller(argument_spec, name, **module_kwargs):
    """main() of a module that holds secrets: its action plugin runs it on the controller, never a module process."""
    module = AnsibleModule(argument_spec=with_aws_options(argument_spec), supports_check_mode=True, **module_kwargs)
    module.fail_json(msg="this module runs on the controller through its action plugin (spapi.onboarding.%s); "
                         "it cannot run as a plain module" % name)
