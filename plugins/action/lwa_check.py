# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""lwa_check on the controller: decrypt the LWA vault file in memory, prove it, report the days left. Read-only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import (
    LwaError,
    check_connection_options,
    http_client,
    prove,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import check_zero_or_more
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import expiry_report
from ansible_collections.spapi.onboarding.plugins.modules.lwa_check import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import loaded_secrets
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import vaulted_lwa
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import open_store

AFTER_ROTATION = ("If the secret was rotated, the vaulted one may be the old secret, which stops working 7 days after "
                  "the rotation: run the rotation (playbooks/lwa_rotate.yml or spapi.onboarding.lwa_rotate), which "
                  "adopts a new secret waiting in the queue; otherwise store the current secret with "
                  "spapi.onboarding.lwa_credentials")


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True
    NEEDS_BOTO3 = False

    def handle(self, task, task_vars):
        params = task.params
        check_zero_or_more(params["min_days_left"], "min_days_left")
        endpoint = check_connection_options(params)
        store = open_store(params["vault_file"], task)
        result = dict(ok=False, changed=False, vault_file=store.location, client_id=None, proven=[],
                      client_secret_expires=None, days_left=None, min_days_left=params["min_days_left"])
        try:
            credentials = vaulted_lwa(store, loaded_secrets(self._loader))
        except SpapiError as exc:
            result.update(exc.result())
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
                                                        params["min_days_left"], credentials.get("updated"))
        result.update(client_secret_expires=expires, days_left=left)
        if warning:
            task.warn(warning)
        if problem:
            result.update(failed=True, msg=problem)
            return result
        result["ok"] = True
        return result
