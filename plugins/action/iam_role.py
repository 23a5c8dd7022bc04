# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""spapi.onboarding.iam_role runs in-process on a local connection, as a module elsewhere."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.role import ensure_role
from ansible_collections.spapi.onboarding.plugins.modules.iam_role import ARGUMENT_SPEC, CONSTRAINTS
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import LocalFirstAction


class ActionModule(LocalFirstAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    CONSTRAINTS = CONSTRAINTS
    ensure = staticmethod(ensure_role)
