# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of spapi.onboarding.lwa_export: reads the LWA vault file on the controller and
writes the exports. The credentials never travel in a module's argument or result file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.modules.lwa_export import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._lwa_export.run import run_export
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import loaded_secrets


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True

    def handle(self, task, task_vars):
        return run_export(task, loaded_secrets(self._loader))
