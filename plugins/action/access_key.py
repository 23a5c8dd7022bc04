# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of spapi.onboarding.access_key: the key's AWS logic plus the vault file.

Runs on the controller, in-process: the play's vault secrets are here, and the new
secret access key must never travel in a module's argument or result file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.ensure import (
    AccessKeyError,
    KeyStore,
    ensure_access_key,
    validate_access_key_params,
)
from ansible_collections.spapi.onboarding.plugins.modules.access_key import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.file_safety import PRIVATE_MODE
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.local_lock import lock_unless
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import (
    VAULT_KEYS,
    check_writable,
    encryption_secret,
    loaded_secrets,
    read_vault_file,
    remove_vault_file,
    resolve_vault_path,
    restrict_vault_mode,
    vault_file_mode,
    vault_id_of,
    write_vault_file,
)


def vault_store(path, secrets, vault_id=None):
    """The vault file as the key logic sees it: the collection's keys in it now, and how to replace
    them or take them out. Every other key of the file (a team's own variables) is kept as it is."""
    content = read_vault_file(path, secrets, require_private=False)
    others = dict((k, v) for k, v in (content or {}).items() if k not in VAULT_KEYS)
    ours = dict((k, v) for k, v in (content or {}).items() if k in VAULT_KEYS) or None
    # Re-encrypt an existing file with the vault id it already has, so its owners can still open it.
    loaded_ids = set(v for v, dummy in secrets)
    existing_id = vault_id_of(path) if content is not None and not vault_id else None
    encrypt_id = vault_id or (existing_id if existing_id in loaded_ids else None)

    def write_content(data):
        write_vault_file(path, data, secrets, encrypt_id)

    def write(data):
        merged = dict(others)
        merged.update((k, data[k]) for k in VAULT_KEYS if k in data)
        write_content(merged)

    def remove():
        if others:  # the file is not only ours: take our keys out, keep the rest
            write_content(others)
            return
        remove_vault_file(path)

    def restrict():
        restrict_vault_mode(path)

    mode = vault_file_mode(path) if content is not None else None
    return KeyStore(path, ours, write, remove, keeps_other_keys=bool(others),
                    loose_mode=mode if mode not in (None, PRIVATE_MODE) else None, restrict=restrict)


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True

    def handle(self, task, task_vars):
        params = task.params
        validate_access_key_params(params)
        path = resolve_vault_path(params["vault_file"])
        # In check mode the role has not created the vault directory yet: predict a new key in it.
        check_writable(path, "vault_file", may_create_directory=task.check_mode)
        secrets = loaded_secrets(self._loader)
        encryption_secret(secrets, params.get("vault_id"))
        # Check mode writes nothing, not even the lock file.
        lock = lock_unless(task.check_mode, path)
        with lock:
            store = vault_store(path, secrets, params.get("vault_id"))
            try:
                return ensure_access_key(task, store)
            except AccessKeyError as exc:
                result = dict(failed=True, msg=str(exc), vault_file=path, user_name=params["user_name"])
                result.update(exc.report)
                return result
