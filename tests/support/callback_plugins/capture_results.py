# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: writes every task result of a playbook run as JSON lines.

The file named by SPAPI_TEST_RESULTS receives one object per task result with the
task name, the play (and the step it belongs to, see below), the host, the status and the result as
Ansible would register it.

With SPAPI_TEST_STEPS (a directory), a play named "step N: ..." waits at its start until
the test has seen the steps before it (tests/support/steps.py): the callback writes
at-N there and returns once go-N exists. The plays after it, up to the next step, belong to that step.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: capture_results
type: aggregate
short_description: Write task results as JSON lines for the test suite
description:
  - Writes each task result to the file named by E(SPAPI_TEST_RESULTS).
  - Holds each play named C(step N: ...) at its start until the test writes C(go-N) into E(SPAPI_TEST_STEPS).
"""

import json
import os
import re
import sys
import time

from ansible.plugins.callback import CallbackBase

STEP = re.compile(r"^step (\d+): ")
# A test that stopped waiting must not leave ansible-playbook hanging for ever.
STEP_TIMEOUT = 600


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "capture_results"
    CALLBACK_NEEDS_ENABLED = False

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._play = None
        self._step = None

    def _write(self, result, status, ignored=False):
        path = os.environ.get("SPAPI_TEST_RESULTS")
        if not path:
            return
        record = {
            "task": result._task.get_name(),
            "action": result._task.action,
            "play": self._play,
            "step": self._step,
            "host": result._host.get_name(),
            "status": status,
            "ignored": ignored,
            "result": result._result,
        }
        with open(path, "a") as handle:
            handle.write(json.dumps(record, default=str) + "\n")

    def v2_playbook_on_play_start(self, play):
        self._play = play.get_name()
        steps = os.environ.get("SPAPI_TEST_STEPS")
        match = STEP.match(self._play or "")
        if not match:
            return
        self._step = self._play
        if not steps:
            return
        # Everything printed so far belongs to the steps before: on disk before the test looks.
        sys.stdout.flush()
        sys.stderr.flush()
        number = match.group(1)
        with open(os.path.join(steps, "at-%s" % number), "w"):
            pass
        go = os.path.join(steps, "go-%s" % number)
        deadline = time.monotonic() + STEP_TIMEOUT
        while not os.path.exists(go):
            if time.monotonic() > deadline:
                raise RuntimeError("the test did not release step %s within %d s" % (number, STEP_TIMEOUT))
            time.sleep(0.005)

    def v2_runner_on_ok(self, result):
        self._write(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, "failed", bool(ignore_errors))

    def v2_runner_on_skipped(self, result):
        self._write(result, "skipped")
