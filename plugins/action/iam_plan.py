# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iam_plan on the controller: the chain's steps in check mode, the vault file read in memory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.action.access_key import vault_store
from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.ensure import ensure_access_key
from ansible_collections.spapi.onboarding.plugins.modules.iam_plan import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.plan import plan
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import (
    check_writable,
    encryption_secret,
    loaded_secrets,
    resolve_vault_path,
)


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True

    def handle(self, task, task_vars):
        secrets = loaded_secrets(self._loader)

        def run_access_key(step):
            # What access_key would do: the same vault checks, before any AWS call, then its logic in check mode.
            path = resolve_vault_path(step.params["vault_file"])
            # The role creates the vault directory: when missing, its nearest existing parent must take it.
            check_writable(path, "vault_file", may_create_directory=True)
            if step.params["state"] == "present":
                encryption_secret(secrets, step.params.get("vault_id"))
            return ensure_access_key(step, vault_store(path, secrets, step.params.get("vault_id")))

        result, warnings = plan(task.params, task.aws, run_access_key)
        task.warnings.extend(warnings)
        return result
