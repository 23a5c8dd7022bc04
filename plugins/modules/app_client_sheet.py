#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: app_client_sheet
short_description: Write the Seller Central app client sheet and its machine-readable twin, only when they differ
version_added: 0.2.0
description:
  - Checks the settings of Seller Central's "Add new app client" form, then writes them field by field, in the
    form's order, as a Markdown sheet for a person (C(<file_stem>.md)) and as JSON or YAML for tools
    (C(<file_stem>.json) or C(<file_stem>.yaml)), with the checklists for the developer registration and the app
    listing, into O(output_dir) on the controller. This is what the C(spapi.onboarding.app_client) role runs.
  - Every setting is checked before anything is written, and every problem is reported at once, naming the option
    (or, with O(variable_prefix), the role variable).
  - Runs in the controller's Ansible worker, not as a module process - the files are read and compared there, and
    written only when their text or their mode differs, so a run with nothing to change starts no process and writes
    nothing. A file is replaced atomically (temporary file in the same directory, fsync, rename) with mode O(mode).
  - Refuses, before writing anything, a file that is a symbolic link or not a regular file, an O(output_dir) that is a
    symbolic link or not a directory, and a directory owned by another user or writable by its group or by others.
    A missing O(output_dir) is created with mode V(0755).
  - Check mode writes nothing and reports what would change; diff mode shows each file's old and new text.
  - Makes no AWS call.
options:
  name:
    description:
      - The app name. Must not be empty nor use an Amazon trademark (Amazon, AMZ, Alexa, Kindle), nor contain control
        characters (such as a line break) or the characters C(`), C(<) and C(>); other Markdown characters are escaped
        in the sheet.
    type: str
    default: SP-API integration
  role_arn:
    description: The IAM ARN field - the ARN of the IAM role (not the user). Required.
    type: str
    default: ""
  roles:
    description:
      - The SP-API roles to select, as a list or a comma-separated string. The default is every seller role that needs
        no extra vetting; also known - Account Information Service Provider, Direct-to-Consumer Shipping (Restricted),
        Tax Invoicing (Restricted), Tax Remittance (Restricted).
    type: raw
    default: [Brand Analytics, Product Listing, Pricing, Amazon Fulfillment, Buyer Communication, Buyer Solicitation,
              Selling Partner Insights, Finance and Accounting, Inventory and Order Tracking,
              Amazon Warehousing and Distribution]
  allow_unknown_roles:
    description: Accept role names that are not in the known list (for roles Amazon adds later).
    type: bool
    default: false
  oauth_login_uri:
    description: The OAuth Login URI - https, with a host name, without whitespace, quotes, backticks, brackets or angle
      brackets.
    type: str
    default: https://codat.io
  oauth_redirect_uri:
    description: The OAuth Redirect URI; the same rules as O(oauth_login_uri).
    type: str
    default: https://amazonsellercentral.codat.io/oauth/callback
  new_secret_queue_arn:
    description:
      - ARN of the SQS queue for the Developer Console's Notification Preferences row "Application Client New Secret".
        With either queue ARN set, the sheet gains a Notification Preferences section.
    type: str
    default: ""
  secret_expiry_queue_arn:
    description: ARN of the SQS queue for the row "Application Client Secret Expiry".
    type: str
    default: ""
  output_dir:
    description: Directory of the files, on the controller. Relative paths resolve against the directory
      ansible-playbook runs from.
    type: path
    required: true
  format:
    description: Format of the machine-readable file.
    type: str
    choices: [json, yaml]
    default: json
  file_stem:
    description: Name of both files, without the extension.
    type: str
    default: app-client
  mode:
    description: Permissions of the files (octal, as a quoted string).
    type: str
    default: "0644"
  variable_prefix:
    description:
      - When set, a message names each option with this prefix, as the variable that sets it - the
        C(spapi.onboarding.app_client) role passes V(app_client_), so a message names C(app_client_name).
    type: str
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Write the app client sheet for the role the iam role created
  spapi.onboarding.app_client_sheet:
    name: Acme Books Sync
    role_arn: "{{ iam_role_arn }}"
    roles: [Pricing, Product Listing]
    output_dir: spapi-onboarding
  register: sheet
"""

RETURN = r"""
settings:
  description: The form's fields by key (what the machine-readable file holds under C(app_client)).
  returned: success
  type: dict
  sample: {"app_name": "Acme Books Sync", "api_type": "SP API", "roles": ["Pricing"]}
sheet_file:
  description: Path of the Markdown sheet, in O(output_dir) as given.
  returned: success
  type: str
  sample: spapi-onboarding/app-client.md
data_file:
  description: Path of the JSON or YAML file, in O(output_dir) as given.
  returned: success
  type: str
  sample: spapi-onboarding/app-client.json
files:
  description: Each file, with whether this task changed it (text or mode) and whether it was new.
  returned: success
  type: list
  elements: dict
  sample: [{"path": "/home/me/spapi-onboarding/app-client.md", "changed": false, "created": false}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.spapi.onboarding.plugins.module_utils._app_client.settings import DEFAULT_ROLES

ARGUMENT_SPEC = dict(
    name=dict(type="str", default="SP-API integration"),
    role_arn=dict(type="str", default=""),
    roles=dict(type="raw", default=DEFAULT_ROLES),
    allow_unknown_roles=dict(type="bool", default=False),
    oauth_login_uri=dict(type="str", default="https://codat.io"),
    oauth_redirect_uri=dict(type="str", default="https://amazonsellercentral.codat.io/oauth/callback"),
    new_secret_queue_arn=dict(type="str", default="", no_log=False),
    secret_expiry_queue_arn=dict(type="str", default="", no_log=False),
    output_dir=dict(type="path", required=True),
    format=dict(type="str", choices=["json", "yaml"], default="json"),
    file_stem=dict(type="str", default="app-client"),
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
