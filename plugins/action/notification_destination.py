# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""notification_destination on the controller: the vaulted LWA credentials get a grantless token in memory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.spapi.onboarding.plugins.action.lwa_check import read_lwa_vault
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import LwaError, check_connection_options, http_client
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import vaulted_credentials
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.destination import (
    ensure_destination,
    validate_destination_params,
)
from ansible_collections.spapi.onboarding.plugins.modules.notification_destination import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import loaded_secrets, resolve_vault_path


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True
    NEEDS_BOTO3 = False

    def handle(self, task, task_vars):
        params = task.params
        validate_destination_params(params)
        check_connection_options(params)
        path = resolve_vault_path(params["vault_file"])
        data, problem = read_lwa_vault(path, loaded_secrets(self._loader))
        credentials = None
        if problem is None:
            credentials, problem = vaulted_credentials(data, path)
        if problem:
            return dict(failed=True, changed=False, msg=problem)
        try:
            return ensure_destination(task, credentials, http_client(params))
        except LwaError as exc:
            return dict(failed=True, changed=False, msg=str(exc))
