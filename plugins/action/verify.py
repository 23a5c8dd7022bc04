# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""verify on the controller: decrypt the vault file in memory, then check the chain read-only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.module_utils._verify.chain import validate_verify_params, verify_chain
from ansible_collections.spapi.onboarding.plugins.modules.verify import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.file_safety import check_safe_file
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import (
    VaultFileError,
    WrongVaultSecret,
    loaded_secrets,
    no_vault_password,
    read_vault_file,
    resolve_vault_path,
)

# Rotating needs the same password, so a wrong one is fixed by giving the right one.
WRONG_SECRET_FIX = ("run ansible-playbook again with the vault password the file was encrypted with "
                    "(--vault-id <id>@prompt, and the role's iam_vault_id if you set one)")
# A deleted vault file took the secret with it: only a new key helps, and the user's old key must go.
LOST_VAULT_FIX = ("first check that iam_vault_file (the module's vault_file) names the file you onboarded with; "
                  "if the file is really gone, make a new key with: ansible-playbook playbooks/rotate_key.yml "
                  "--vault-id <id>@prompt -e iam_on_unknown_keys=delete - it deletes the user's keys that no vault "
                  "file holds (the lost one among them) and stores a new one")
NO_SECRET_TO_READ = no_vault_password("the vault file cannot be read") + ", or leave vault_file unset to skip the key checks"


def read_key(path, secrets):
    """The vaulted key as data for the checks; a file that cannot be used becomes a failed check."""
    if not secrets:
        raise ValidationError("vault_file", NO_SECRET_TO_READ)
    try:
        # A link, an unsafe directory or a mode other than 0600 fails the key check: the file
        # is not kept the way the collection promises (the read refuses links and loose modes).
        if os.path.lexists(path):
            check_safe_file(path, "vault_file")
        data = read_vault_file(path, secrets)
    except WrongVaultSecret as exc:
        return {"source": path, "error": "%s: the vault password (or vault id) is not the one the file was "
                                         "encrypted with" % exc, "fix": WRONG_SECRET_FIX}
    except (VaultFileError, ValidationError) as exc:
        return {"source": path, "error": str(exc)}
    if data is None:
        return {"source": path, "error": "the vault file %s does not exist, so the key it held is lost to this run"
                                         % path, "fix": LOST_VAULT_FIX}
    missing = [k for k in ("aws_access_key_id", "aws_secret_access_key") if not data.get(k)]
    if missing:
        return {"source": path, "error": "the vault file %s has no %s" % (path, " and no ".join(missing))}
    key = dict((k, str(data[k])) for k in ("aws_access_key_id", "aws_secret_access_key"))
    key.update(source=path, iam_user_arn=data.get("iam_user_arn"))
    return key


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True

    def handle(self, task, task_vars):
        # Bad options are refused before the vault file is read and before any AWS call.
        validate_verify_params(task.params)
        key = None
        if task.params.get("vault_file"):
            # Relative to where ansible-playbook runs, as for access_key; a link is not resolved.
            path = resolve_vault_path(task.params["vault_file"])
            key = read_key(path, loaded_secrets(self._loader))
        return verify_chain(task, key)
