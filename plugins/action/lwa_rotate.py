# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of spapi.onboarding.lwa_rotate: the rotation on the controller, where the vault secrets are.

The new secret arrives in an SQS message read here and goes straight into the vault file: it
never travels in a module's argument or result file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.spapi.onboarding.plugins.action.lwa_check import read_lwa_vault
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import LWA_VAULT_KEYS, check_connection_options, http_client
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.rotate_plan import validate_rotate_params
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.rotate_run import rotate_secret
from ansible_collections.spapi.onboarding.plugins.modules.lwa_rotate import ARGUMENT_SPEC, CONSTRAINTS
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import (
    VaultFileError,
    check_writable,
    encryption_secret,
    loaded_secrets,
    reencrypt_id,
    resolve_vault_path,
    split_owned,
    write_vault_file,
)

from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.local_lock import lock_unless


class LwaVaultStore:
    """The LWA vault file as the rotation sees it: its content, and a write of the collection's keys
    that keeps every other key (a team's own variables) and the file's vault id."""

    def __init__(self, path, secrets, vault_id=None):
        self.path, self.secrets, self.vault_id = path, secrets, vault_id

    def read(self):
        data, problem = read_lwa_vault(self.path, self.secrets)
        if problem:
            raise VaultFileError(problem)
        return data

    def write(self, ours):
        data, problem = read_lwa_vault(self.path, self.secrets)
        if problem:
            raise VaultFileError(problem)
        dummy, others = split_owned(data, LWA_VAULT_KEYS)
        merged = dict(others)
        merged.update((k, v) for k, v in ours.items() if k in LWA_VAULT_KEYS)
        write_vault_file(self.path, merged, self.secrets, reencrypt_id(self.path, self.secrets, self.vault_id))


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    CONSTRAINTS = CONSTRAINTS
    HOLDS_SECRETS = True

    def handle(self, task, task_vars):
        params = task.params
        # Every option is checked before the vault file is read and before any call.
        validate_rotate_params(params)
        check_connection_options(params)
        path = resolve_vault_path(params["vault_file"])
        secrets = loaded_secrets(self._loader)
        if not task.check_mode:
            check_writable(path, "vault_file")
            encryption_secret(secrets, params.get("vault_id"))
        # The lock spans the whole run: a second rotation of the same vault file waits, then finds the
        # new secret vaulted and rotates nothing. Check mode writes nothing, not even the lock file.
        lock = lock_unless(task.check_mode, path)
        with lock:
            return rotate_secret(task, LwaVaultStore(path, secrets, params.get("vault_id")), http_client(params))
