# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""app_client_sheet on the controller: compare the sheets in-process, write only what differs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.plugins.filter.core import to_nice_json, to_nice_yaml

from ansible_collections.spapi.onboarding.plugins.modules.app_client_sheet import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.sheet_files import (
    SheetFileError,
    ensure_files,
)


def file_text(entry):
    """The file's exact text: content as given, data serialised the way the role always wrote it."""
    if entry.get("content") is not None:
        return str(entry["content"])
    if entry["format"] == "yaml":
        return "---\n" + to_nice_yaml(entry["data"], indent=2, sort_keys=False, width=1000)
    return to_nice_json(entry["data"], indent=2, sort_keys=False) + "\n"


def file_mode(value):
    try:
        mode = int(str(value), 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o7777:
        raise SheetFileError("mode", "must be an octal file mode such as '0644', got %r" % str(value))
    return mode


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    NEEDS_BOTO3 = False
    AWS_OPTIONS = False

    def handle(self, task, task_vars):
        params = task.params
        option = "%soutput_dir" % (params.get("variable_prefix") or "")
        texts = []
        for entry in params["files"]:
            name = str(entry["name"])
            if name in ("", ".", "..") or "/" in name or os.sep in name or "\0" in name:
                raise SheetFileError("files", "%r must be a file name without a directory" % name)
            texts.append((name, file_text(entry)))
        # Relative to where ansible-playbook runs, like every path the collection writes.
        directory = os.path.abspath(params["output_dir"])
        return ensure_files(directory, texts, file_mode(params["mode"]), option, check_mode=task.check_mode,
                            diff_mode=task.diff_mode)
