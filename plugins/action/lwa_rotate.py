# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of spapi.onboarding.lwa_rotate: the rotation, with the LWA vault on the controller.

Runs in-process: the client secret and the new one Amazon sends never travel in a module's
argument or result file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import check_connection_options, http_client
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.plan import validate_rotate_params
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.run import rotate_secret
from ansible_collections.spapi.onboarding.plugins.modules.lwa_rotate import ARGUMENT_SPEC, CONSTRAINTS
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import encryption_secret, loaded_secrets
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import LwaVault
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import open_store, writer_lock


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    CONSTRAINTS = CONSTRAINTS
    HOLDS_SECRETS = True

    def handle(self, task, task_vars):
        params = task.params
        # Every option is checked before the vault is read and before any call.
        validate_rotate_params(params)
        check_connection_options(params)
        store = open_store(params["vault_file"], task)
        secrets = loaded_secrets(self._loader)
        if not task.check_mode:
            if not store.shared:  # an S3 vault is checked at the run's first write (hold())
                store.check_ready()
            encryption_secret(secrets, params.get("vault_id"))
        # A second rotation waits for the first, then finds the new secret vaulted and rotates nothing. An S3
        # vault's lock is taken at the run's first write: the daily run that changes nothing takes none.
        with writer_lock(store, task.check_mode) as lock:
            return rotate_secret(task, LwaVault(store, secrets, params.get("vault_id"), lock), http_client(params))
