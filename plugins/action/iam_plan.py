# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iam_plan on the controller: the chain's steps in check mode, the vault read in memory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.ensure import ensure_access_key
from ansible_collections.spapi.onboarding.plugins.modules.iam_plan import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.plan import plan
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import encryption_secret, loaded_secrets
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import key_store
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import open_store


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True

    def handle(self, task, task_vars):
        secrets = loaded_secrets(self._loader)
        store = open_store(task.params["vault_file"], task)

        def run_access_key(step):
            # What access_key would do: the same vault checks, before any AWS call, then its logic in check mode.
            if not store.shared:
                # The role creates the vault directory: when missing, its nearest existing parent must take it.
                store.check_ready(may_create_directory=True)
            if step.params["state"] == "present":
                encryption_secret(secrets, step.params.get("vault_id"))
            return ensure_access_key(step, key_store(store, secrets, step.params.get("vault_id")))

        result, warnings = plan(task.params, task.aws, run_access_key)
        if store.shared and result["would_change"]:
            # The bucket's checks cost AWS reads: a converged run, which writes nothing, skips them.
            store.check_ready()
        task.warnings.extend(warnings)
        return result
