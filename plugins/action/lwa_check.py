# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""lwa_check on the controller: decrypt the LWA vault file in memory, prove it, report the days left. Read-only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import (
    LwaError,
    check_connection_options,
    http_client,
    prove,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import expiry_report, vaulted_credentials
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError, check_zero_or_more
from ansible_collections.spapi.onboarding.plugins.modules.lwa_check import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.file_safety import check_safe_file
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import (
    VaultFileError,
    loaded_secrets,
    read_vault_file,
    resolve_vault_path,
)

NO_SECRET_TO_READ = (
    "no vault password is loaded, so the LWA vault file cannot be read. Run ansible-playbook with "
    "--vault-id <id>@prompt (or --vault-id <id>@<password file>, or --vault-password-file <file>)"
)
WRONG_PASSWORD = ("the vault password (or the --vault-id) given to ansible-playbook is not the one that encrypted it: "
                  "give the right one")
AFTER_ROTATION = ("If the secret was rotated, the vaulted one may be the old secret, which stops working 7 days after "
                  "the rotation: run the rotation (playbooks/lwa_rotate.yml or spapi.onboarding.lwa_rotate), which "
                  "adopts a new secret waiting in the queue; otherwise store the current secret with "
                  "spapi.onboarding.lwa_credentials")


def read_lwa_vault(path, secrets):
    """The vault file's content, or an explanation of why it cannot be used (a failed check, not a crash)."""
    if not secrets:
        raise ValidationError("vault_file", NO_SECRET_TO_READ)
    try:
        if os.path.lexists(path):
            check_safe_file(path, "vault_file")
        return read_vault_file(path, secrets), None
    except (VaultFileError, ValidationError) as exc:
        message = str(exc)
        if message.startswith("cannot decrypt"):
            message = "%s: %s" % (message, WRONG_PASSWORD)
        return None, message


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True
    NEEDS_BOTO3 = False

    def handle(self, task, task_vars):
        params = task.params
        check_zero_or_more(params["min_days_left"], "min_days_left")
        endpoint = check_connection_options(params)
        path = resolve_vault_path(params["vault_file"])
        result = dict(ok=False, changed=False, vault_file=path, client_id=None, proven=[], client_secret_expires=None,
                      days_left=None, min_days_left=params["min_days_left"])
        data, problem = read_lwa_vault(path, loaded_secrets(self._loader))
        credentials = None
        if problem is None:
            credentials, problem = vaulted_credentials(data, path)
        if problem:
            result.update(failed=True, msg=problem)
            return result
        result["client_id"] = credentials["lwa_client_id"]
        try:
            result["proven"] = [prove(http_client(params), endpoint, credentials["lwa_client_id"],
                                      credentials["lwa_client_secret"], credentials["lwa_refresh_token"])]
        except LwaError as exc:
            message = str(exc)
            if exc.code == "invalid_client":
                message = "%s. %s" % (message, AFTER_ROTATION)
            result.update(failed=True, msg=message)
            return result
        now = datetime.datetime.now(datetime.timezone.utc)
        expires, left, problem, warning = expiry_report(credentials["lwa_client_secret_expires"], now,
                                                        params["min_days_left"])
        result.update(client_secret_expires=expires, days_left=left)
        if warning:
            task.warn(warning)
        if problem:
            result.update(failed=True, msg=problem)
            return result
        result["ok"] = True
        return result
