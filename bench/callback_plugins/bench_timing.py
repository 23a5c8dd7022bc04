# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark-only callback: when each task started and ended, for `make bench`.

ansible-core ships no profiling callback (profile_tasks lives in ansible.posix), so the
benchmark brings this one. It writes a JSON object to the file named by BENCH_TIMINGS:
the playbook start and end and, per task, its name, action, start, end and item count,
as wall-clock seconds (time.time(), comparable with the timestamps of the AWS proxy).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bench_timing
type: aggregate
short_description: Record the start and end time of every task for the benchmark
description:
  - Writes task timings as JSON to the file named by E(BENCH_TIMINGS).
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = False

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.started = time.time()
        self.tasks = []

    def v2_playbook_on_start(self, playbook):
        self.started = time.time()

    def _close_last(self):
        if self.tasks and self.tasks[-1]["end"] is None:
            self.tasks[-1]["end"] = time.time()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close_last()
        self.tasks.append({"task": task.get_name(), "action": task.action, "start": time.time(),
                           "end": None, "results": 0, "items": 0, "skipped": 0})

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _result(self, skipped=False):
        if self.tasks:
            self.tasks[-1]["end"] = time.time()
            self.tasks[-1]["results"] += 1
            if skipped:
                self.tasks[-1]["skipped"] += 1

    def v2_runner_on_ok(self, result):
        self._result()

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result()

    def v2_runner_on_skipped(self, result):
        self._result(skipped=True)

    def v2_runner_item_on_ok(self, result):
        if self.tasks:
            self.tasks[-1]["items"] += 1

    v2_runner_item_on_failed = v2_runner_item_on_skipped = v2_runner_item_on_ok

    def v2_playbook_on_stats(self, stats):
        self._close_last()
        path = os.environ.get("BENCH_TIMINGS")
        if not path:
            return
        with open(path, "w") as handle:
            json.dump({"start": self.started, "end": time.time(), "tasks": self.tasks}, handle)
