# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""app_client_sheet on the controller: check the settings, render the sheets, write only what differs.

In-process and in Python, not as Jinja in the role: a run with nothing to change compiles no template
and starts no module process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.plugins.filter.core import to_nice_json, to_nice_yaml

from ansible_collections.spapi.onboarding.plugins.module_utils._app_client.settings import check, document, role_list
from ansible_collections.spapi.onboarding.plugins.module_utils._app_client.sheet import markdown
from ansible_collections.spapi.onboarding.plugins.modules.app_client_sheet import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.sheet_files import (
    SheetFileError,
    ensure_files,
)

TEXT_OPTIONS = ("name", "role_arn", "oauth_login_uri", "oauth_redirect_uri", "new_secret_queue_arn",
                "secret_expiry_queue_arn", "file_stem")


def data_text(data, form):
    """The machine-readable file, exactly as the role has always written it."""
    if form == "yaml":
        return "---\n" + to_nice_yaml(data, indent=2, sort_keys=False, width=1000)
    return to_nice_json(data, indent=2, sort_keys=False) + "\n"


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
        params, prefix = task.params, task.params.get("variable_prefix") or ""
        # Plain str: ansible-core 2.19 hands tagged str subclasses around.
        settings = dict((key, str(params[key] or "")) for key in TEXT_OPTIONS)
        settings.update(roles=role_list(params["roles"]), allow_unknown_roles=params["allow_unknown_roles"])
        check(settings, prefix)
        stem, sheet = settings["file_stem"], document(settings)
        texts = [(stem + ".md", markdown(sheet, prefix + "roles")),
                 ("%s.%s" % (stem, params["format"]), data_text(sheet, params["format"]))]
        # Relative to where ansible-playbook runs, like every path the collection writes.
        result = ensure_files(os.path.abspath(params["output_dir"]), texts, file_mode(params["mode"]),
                              prefix + "output_dir", check_mode=task.check_mode, diff_mode=task.diff_mode)
        # Where the files are, as the caller named the directory (the role publishes these).
        result.update(settings=sheet["app_client"], sheet_file="%s/%s" % (params["output_dir"], texts[0][0]),
                      data_file="%s/%s" % (params["output_dir"], texts[1][0]))
        return result
