# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of spapi.onboarding.lwa_credentials: prove the LWA credentials, then vault them.

Runs on the controller, in-process: the play's vault secrets are here, and the client
secret must never travel in a module's argument or result file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import check_connection_options, http_client
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.credentials import (
    remove_credentials,
    store_credentials,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import validate_credentials_params
from ansible_collections.spapi.onboarding.plugins.modules.lwa_credentials import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import encryption_secret, loaded_secrets
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import lwa_document
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import open_store, writer_lock


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True
    NEEDS_BOTO3 = False

    def handle(self, task, task_vars):
        params = task.params
        # Every option is checked before the vault file is read and before LWA is called.
        validate_credentials_params(params)
        present = params["state"] == "present"
        endpoint = check_connection_options(params) if present and params["prove"] else None
        store = open_store(params["vault_file"], task)
        # A proof in check mode may come before the vault's folder exists.
        store.check_ready(may_create_directory=task.check_mode)
        secrets = loaded_secrets(self._loader)
        encryption_secret(secrets, params.get("vault_id"))
        # One run at a time reads, proves and writes the vault (lwa_rotate writes it too); an S3 vault's
        # lock is taken after the proof, at the write.
        with writer_lock(store, task.check_mode) as lock:
            document = lwa_document(store, secrets, params.get("vault_id"), lock)
            document.load(require_private=False)
            if not present:
                return remove_credentials(task, document)
            return store_credentials(task, document, endpoint, http_client(params) if params["prove"] else None)
