# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""lwa_export on the controller: read the LWA vault, plan every export, refuse before any write, then write.

Every export is read and planned first, so that a refusal (a secret that is not ours, a resource
policy open to other accounts, an export holding a client secret this vault never held) leaves
all of them untouched. The credentials never leave this process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import Changes
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.export import (
    ExportError,
    export_secret,
    plan_secret_export,
    validate_export_params,
    vaulted_credentials,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.fingerprints import held
from ansible_collections.spapi.onboarding.plugins.module_utils._secretsmanager.secret import SecretRefused
from ansible_collections.spapi.onboarding.plugins.plugin_utils._lwa_export.credentials_file import (
    check_credentials_path,
    export_file,
    plan_file_export,
)
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import no_vault_password
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import resolve_vault_path
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import read_lwa
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import open_store

NO_SECRET = no_vault_password("the LWA vault file cannot be read")


def read_lwa_content(task, secrets):
    """(the LWA vault's whole content, where it is), from the store vault_file names; refusals name the option."""
    params = task.params
    if not secrets:
        raise ValidationError("vault_id", NO_SECRET)
    if params.get("vault_id"):
        secrets = [(ident, secret) for ident, secret in secrets if ident == params["vault_id"]]
        if not secrets:
            raise ValidationError("vault_id", "no vault secret with id %r is loaded" % params["vault_id"])
    store = open_store(params["vault_file"], task)
    content = read_lwa(store, secrets)
    if content is None:
        raise ValidationError("vault_file", "the LWA vault file %s does not exist: store the credentials first "
                                            "(spapi.onboarding.lwa_credentials)" % store.location)
    return content, store.location


def run_export(task, secrets, read_vault=read_lwa_content):
    """The task's result. secrets: the loaded vault secrets; read_vault(task, secrets) -> (content, location)."""
    params = task.params
    validate_export_params(params)
    path = resolve_vault_path(params["credentials_file"]) if params.get("credentials_file") else None
    if path:
        check_credentials_path(path)
    content = credentials = vault_path = None
    if params["state"] == "present":  # removing an export needs no credentials
        content, vault_path = read_vault(task, secrets)
        try:
            credentials = vaulted_credentials(content, vault_path)
        except ExportError as exc:
            raise ValidationError("vault_file", str(exc))

    def vault_held(secret):
        return held(content, secret)

    changes, result = Changes(), {"account": params["account"], "credentials_file": path, "secret": None}
    done = []  # the exports written before a failure, for an honest `changed`
    try:
        file_plan = plan_file_export(task, path, credentials, changes, vault_held, vault_path) if path else None
        secret_plan = (plan_secret_export(task, credentials, changes, vault_held, vault_path)
                       if params.get("secret_name") else None)
        if file_plan:
            export_file(task, file_plan)
            done.append(file_plan.operation or file_plan.loose)
        if secret_plan:
            result["secret"] = export_secret(task, secret_plan)
    except (ExportError, SecretRefused) as exc:
        return dict(result, failed=True, msg=str(exc), changed=any(done) and not task.check_mode,
                    actions=changes.actions if done else [])
    return changes.result(task, **result)
