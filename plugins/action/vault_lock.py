# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of spapi.onboarding.vault_lock: an S3 vault's lock held across the tasks of one run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.modules.vault_lock import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import open_store


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def handle(self, task, task_vars):
        store = open_store(task.params["vault_file"], task)
        if not store.shared or task.check_mode:
            return dict(changed=False, lock=None)
        lock = store.lock(check_mode=False)
        if task.params["state"] == "absent":
            released = lock.release(taken_earlier=True)
            return dict(changed=released, lock=dict(lock.describe(), taken=False))
        store.check_ready()
        lock.acquire()
        return dict(changed=lock.taken, lock=lock.describe())
