# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of spapi.onboarding.access_key: the key's AWS logic plus the vault store.

Runs on the controller, in-process: the play's vault secrets are here, and the new
secret access key must never travel in a module's argument or result file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.ensure import (
    AccessKeyError,
    ensure_access_key,
    validate_access_key_params,
)
from ansible_collections.spapi.onboarding.plugins.modules.access_key import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import encryption_secret, loaded_secrets
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import key_store
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import open_store


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True

    def handle(self, task, task_vars):
        params = task.params
        validate_access_key_params(params)
        store = open_store(params["vault_file"], task)
        # In check mode the role has not created the vault directory yet: predict a new key in it.
        store.check_ready(may_create_directory=task.check_mode)
        secrets = loaded_secrets(self._loader)
        encryption_secret(secrets, params.get("vault_id"))
        with store.lock(task.check_mode):
            try:
                return ensure_access_key(task, key_store(store, secrets, params.get("vault_id")))
            except AccessKeyError as exc:
                result = exc.result()
                result.update(vault_file=store.location, user_name=params["user_name"])
                return result
