# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of spapi.onboarding.notification_destination: a grantless SP-API call with the vaulted credentials.

Runs on the controller, in-process: the client secret is read from the LWA vault here and
never travels in a module's argument or result file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import check_connection_options, http_client
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.destination import (
    ensure_destination,
    validate_destination_params,
)
from ansible_collections.spapi.onboarding.plugins.modules.notification_destination import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import loaded_secrets
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import vaulted_lwa
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import open_store


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True
    NEEDS_BOTO3 = False

    def handle(self, task, task_vars):
        params = task.params
        validate_destination_params(params)
        check_connection_options(params)
        credentials = vaulted_lwa(open_store(params["vault_file"], task), loaded_secrets(self._loader))
        return ensure_destination(task, credentials, http_client(params))
