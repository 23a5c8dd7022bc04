# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""verify on the controller: decrypt the vault in memory, then check the chain read-only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._verify.chain import validate_verify_params, verify_chain
from ansible_collections.spapi.onboarding.plugins.modules.verify import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import loaded_secrets
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import read_key
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import open_store


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True

    def handle(self, task, task_vars):
        # Bad options are refused before the vault is read and before any AWS call.
        validate_verify_params(task.params)
        key = None
        if task.params.get("vault_file"):
            # Relative to where ansible-playbook runs, as for access_key; a link is not resolved.
            key = read_key(open_store(task.params["vault_file"], task), loaded_secrets(self._loader))
        return verify_chain(task, key)
