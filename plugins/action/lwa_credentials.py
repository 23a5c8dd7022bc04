# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of spapi.onboarding.lwa_credentials: prove the LWA credentials, then vault them.

Runs on the controller, in-process: the play's vault secrets are here, and the client
secret must never travel in a module's argument or result file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import (
    LWA_VAULT_KEYS,
    LwaError,
    check_connection_options,
    days_left,
    http_client,
    parse_time,
    prove,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import (
    plan_store,
    store_diff,
    validate_credentials_params,
)
from ansible_collections.spapi.onboarding.plugins.modules.lwa_credentials import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.file_safety import PRIVATE_MODE
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.local_lock import lock_unless
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import (
    check_writable,
    encryption_secret,
    loaded_secrets,
    read_vault_file,
    reencrypt_id,
    remove_vault_file,
    resolve_vault_path,
    restrict_vault_mode,
    split_owned,
    vault_file_mode,
    write_vault_file,
)


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
        path = resolve_vault_path(params["vault_file"])
        check_writable(path, "vault_file", may_create_directory=task.check_mode)  # a proof before the folder exists
        secrets = loaded_secrets(self._loader)
        encryption_secret(secrets, params.get("vault_id"))
        # One run at a time reads, proves and writes the file (lwa_rotate writes it too).
        with lock_unless(task.check_mode, path):
            return self._store(task, params, path, secrets, endpoint)

    def _store(self, task, params, path, secrets, endpoint):
        present = params["state"] == "present"
        content = read_vault_file(path, secrets, require_private=False)
        ours, others = split_owned(content, LWA_VAULT_KEYS)
        mode = vault_file_mode(path) if content is not None else None
        loose = mode is not None and mode != PRIVATE_MODE
        encrypt_id = reencrypt_id(path, secrets, params.get("vault_id"), exists=content is not None)
        result = dict(vault_file=path, proven=[], changed=False)
        if not present:
            return self._remove(task, path, ours, others, secrets, encrypt_id, result)

        now = datetime.datetime.now(datetime.timezone.utc)
        desired, changed_keys = plan_store(ours or {}, params, now)
        expires = desired["lwa_client_secret_expires"]
        result.update(client_id=desired["lwa_client_id"], application_id=desired["lwa_application_id"],
                      client_secret_expires=expires,
                      days_left=days_left(parse_time(expires, "client_secret_expires"), now) if expires else None,
                      changed_keys=changed_keys)
        if params["prove"]:
            try:
                result["proven"] = [prove(http_client(params), endpoint, desired["lwa_client_id"],
                                          desired["lwa_client_secret"], desired["lwa_refresh_token"])]
            except LwaError as exc:
                result.update(failed=True, changed=False, changed_keys=[],
                              msg="%s. Nothing was written to the vault file %s" % (exc, path))
                return result
        else:
            task.warn("prove=false: the LWA credentials were stored without a token exchange; prove them later "
                      "with spapi.onboarding.lwa_check")
        result["changed"] = bool(changed_keys) or loose
        if task.diff_mode and result["changed"]:
            result["diff"] = store_diff(ours, desired, path)
        if task.check_mode or not result["changed"]:
            return result
        if changed_keys:
            merged = dict(others)
            merged.update(desired)
            write_vault_file(path, merged, secrets, encrypt_id)
        else:
            restrict_vault_mode(path)
        return result

    @staticmethod
    def _remove(task, path, ours, others, secrets, encrypt_id, result):
        result.update(client_id=None, application_id=None, client_secret_expires=None, days_left=None,
                      changed_keys=sorted(ours or {}))
        if not ours:
            return result
        result["changed"] = True
        if task.diff_mode:
            result["diff"] = store_diff(ours, {}, path)
        if task.check_mode:
            return result
        if others:  # the file is not only ours: take our keys out, keep the rest
            write_vault_file(path, others, secrets, encrypt_id)
        else:
            remove_vault_file(path)
        return result
