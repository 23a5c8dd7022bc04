#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: app_client_sheet
short_description: Write the app client sheet and its machine-readable twin on the controller when they differ
version_added: 0.2.0
description:
  - Writes text files that a person reads and trusts - the Seller Central app client sheet of the
    C(spapi.onboarding.app_client) role and its JSON or YAML twin - into O(output_dir) on the controller.
  - Runs in the controller's Ansible worker, not as a module process - each file is read and compared there, and
    written only when its text or its mode differs, so a run with nothing to change starts no process and writes
    nothing.
  - A file is replaced atomically (temporary file in the same directory, fsync, rename) with mode O(mode).
  - Refuses, before writing anything, a file that is a symbolic link or not a regular file, an O(output_dir) that is a
    symbolic link or not a directory, and a directory owned by another user or writable by its group or by others.
    A missing O(output_dir) is created with mode V(0755).
  - Check mode writes nothing and reports what would change; diff mode shows each file's old and new text.
  - Makes no AWS call.
options:
  output_dir:
    description: Directory of the files, on the controller. Relative paths resolve against the directory
      ansible-playbook runs from.
    type: path
    required: true
  files:
    description: The files to write, each with its text (O(files[].content)) or its data (O(files[].data)).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: File name inside O(output_dir), without a directory.
        type: str
        required: true
      content:
        description: The exact text of the file.
        type: str
      data:
        description: Data written as O(files[].format) - JSON indented by 2 with a final line break, or a YAML document
          starting with C(---), keys in their given order.
        type: raw
      format:
        description: How O(files[].data) is written.
        type: str
        choices: [json, yaml]
        default: json
  mode:
    description: Permissions of the files (octal, as a string).
    type: str
    default: "0644"
  variable_prefix:
    description:
      - When set, a refusal names O(output_dir) with this prefix, as the variable that sets it - the
        C(spapi.onboarding.app_client) role passes V(app_client_), so a message names C(app_client_output_dir).
    type: str
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Write a sheet and its JSON twin
  spapi.onboarding.app_client_sheet:
    output_dir: spapi-onboarding
    files:
      - name: app-client.md
        content: "{{ lookup('ansible.builtin.template', 'app-client.md.j2') }}"
      - name: app-client.json
        data: "{{ app_client_document }}"
        format: json
"""

RETURN = r"""
files:
  description: Each file, with whether this task changed it (text or mode) and whether it was new.
  returned: always
  type: list
  elements: dict
  sample: [{"path": "/home/me/spapi-onboarding/app-client.md", "changed": false, "created": false}]
"""

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = dict(
    output_dir=dict(type="path", required=True),
    files=dict(type="list", elements="dict", required=True, options=dict(
        name=dict(type="str", required=True),
        content=dict(type="str"),
        data=dict(type="raw"),
        format=dict(type="str", choices=["json", "yaml"], default="json"),
    ), mutually_exclusive=[["content", "data"]], required_one_of=[["content", "data"]]),
    mode=dict(type="str", default="0644"),
    variable_prefix=dict(type="str"),
)


def main():
    # The files are written by the action plugin on the controller; a module process never writes them.
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="this module runs on the controller through its action plugin "
                         "(spapi.onboarding.app_client_sheet); it cannot run as a plain module")


if __name__ == "__main__":
    main()
