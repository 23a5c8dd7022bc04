#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: lwa_export
short_description: Export the vaulted LWA credentials where SP-API clients read them
version_added: 0.2.0
description:
  - Reads the LWA credentials from the LWA vault file (written by M(spapi.onboarding.lwa_credentials)) and writes
    them, on request, where SP-API client libraries load them. A run whose exports already hold the vaulted values
    writes nothing.
  - O(secret_name) names an AWS Secrets Manager secret holding the JSON object
    C({"SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET"}) (C(LWA_APP_ID) is the LWA client ID), the shape
    python-amazon-sp-api reads from the secret that the environment variable C(SP_API_AWS_SECRET_ID) names. The
    secret is created when missing, tagged C(spapi.onboarding:managed-by); otherwise a new version is written only
    when a value differs. Other keys of the secret are kept. A converged run makes three read calls
    (C(secretsmanager:DescribeSecret), C(secretsmanager:GetResourcePolicy), C(secretsmanager:GetSecretValue)).
  - Only a secret this module created (tagged C(spapi.onboarding:managed-by)) is written. Any other existing secret
    of that name fails the task, left untouched, unless O(adopt_secret=true) hands it over (it is then tagged). A
    secret whose resource policy allows another account or everyone (C(*)) is refused, since they could read the
    credentials.
  - Exports never go backwards. The vault file keeps salted fingerprints of the client secrets it has held. An
    export holding a client secret the vault never held was written by a rotation elsewhere (another controller or
    vault file), so the task fails naming it and leaves every export untouched. One holding an older secret the
    vault held is brought up to date. Every export is read and checked before the first one is written.
  - O(credentials_file) names a python-amazon-sp-api C(credentials.yml) (it reads
    C(~/.config/python-sp-api/credentials.yml)); the account O(account) gets C(refresh_token), C(lwa_app_id) and
    C(lwa_client_secret). Other accounts in the file, and other keys of the account, are kept. The file is written
    atomically (temporary file, fsync, rename) with mode V(0600); missing directories are created with mode
    V(0700). A file whose mode is not V(0600) is brought back to V(0600).
  - When the vault holds no refresh token, the exports hold none either (a grantless-only application).
  - With O(state=absent), the collection's keys are taken out of the secret and the account out of the file; a
    secret or a file with nothing else left in it is deleted. The vault file is not read then.
  - Runs on the controller, through its action plugin, because only the controller has the vault secret.
options:
  vault_file:
    description:
      - Path of the LWA vault file. A relative path resolves against the directory C(ansible-playbook) runs from.
      - It must be mode V(0600) and is never read through a symbolic link.
    type: path
    default: spapi-onboarding/lwa.vault.yml
  vault_id:
    description:
      - Read the vault file with the secret of this vault ID only. When not set, every secret given to
        C(ansible-playbook) is tried.
    type: str
  secret_name:
    description: Name or ARN of the Secrets Manager secret to export to. Not set exports no secret.
    type: str
  credentials_file:
    description:
      - Path of the python-amazon-sp-api C(credentials.yml) to export to, for example
        C(~/.config/python-sp-api/credentials.yml). A relative path resolves against the directory
        C(ansible-playbook) runs from. Not set exports no file.
      - Refused before any AWS call when the path is a symbolic link or not a regular file, or when its directory
        is not owned by the user running the play or is writable by group or others. When directories are missing,
        the nearest existing one must pass the same check (missing ones are created with mode V(0700)).
    type: path
  adopt_secret:
    description:
      - Hand an existing secret named O(secret_name) that this module did not create over to it, once; it is then
        tagged C(spapi.onboarding:managed-by) and written like a secret this module created.
      - A secret created by a version of the collection before this option existed carries no tag and needs this
        once.
      - Without it, an existing untagged secret fails the task and is left untouched.
    type: bool
    default: false
  kms_key_id:
    description:
      - KMS key (ID, alias or ARN) that encrypts the secret when this module creates it. Not set uses the account's
        AWS managed key C(aws/secretsmanager).
      - An existing secret keeps its key (change it with C(aws secretsmanager update-secret --kms-key-id)).
      - The readers of the secret need C(kms:Decrypt) on the key.
    type: str
  account:
    description: The account key of the credentials file (python-amazon-sp-api's C(account) argument).
    type: str
    default: default
  state:
    description: V(present) writes the exports; V(absent) removes what this module exported.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - spapi.onboarding.aws
  - spapi.onboarding.vault_store
attributes:
  action:
    support: full
    description: Runs on the controller through an action plugin of the same name.
  async:
    support: none
    description: Cannot run asynchronously.
  check_mode:
    support: full
    description: Makes no write call and writes no file or directory; predicts C(changed).
  diff_mode:
    support: full
    description: Shows which keys of the secret and which accounts and keys of the file change. Never a value.
  platform:
    support: full
    platforms: all
    description: Runs on the controller; the AWS options apply to the Secrets Manager calls only.
notes:
  - No secret, refresh token or client ID is returned, printed or put in a diff; only key names are.
  - 'python-amazon-sp-api reads the secret with C(SP_API_AWS_SECRET_ID=<secret_name>) in its environment and AWS
    credentials allowed C(secretsmanager:GetSecretValue); it reads the file with no setting, or from the directory
    in the environment variable C(PYTHON-SP-APIDIR). For example C(Orders(account="default")) or
    C(Orders(credentials=...)).'
  - 'Amazon''s Python SDK (C(amzn-sp-api)) takes the values in code:
    C(SPAPIConfig(client_id=s["LWA_APP_ID"], client_secret=s["LWA_CLIENT_SECRET"],
    refresh_token=s["SP_API_REFRESH_TOKEN"], region="NA")), with C(s) the secret''s JSON object
    (C(json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]))).'
  - A secret is deleted without a recovery window, since the vault file remains the source and the export can be
    made again at any time.
  - The operator needs C(secretsmanager:DescribeSecret), C(secretsmanager:GetResourcePolicy),
    C(secretsmanager:GetSecretValue), C(secretsmanager:CreateSecret), C(secretsmanager:TagResource),
    C(secretsmanager:PutSecretValue) and C(secretsmanager:DeleteSecret) on the secret (and C(kms:Encrypt),
    C(kms:GenerateDataKey) and C(kms:Decrypt) on O(kms_key_id) when set).
seealso:
  - module: spapi.onboarding.notification_queue
author:
  - spapi.onboarding maintainers (!UNKNOWN)
"""

EXAMPLES = r"""
# ansible-playbook lwa.yml --vault-id spapi@prompt
- name: Export the LWA credentials for python-amazon-sp-api, to Secrets Manager and to its credentials.yml
  spapi.onboarding.lwa_export:
    vault_file: spapi-onboarding/lwa.vault.yml
    secret_name: sp-api/lwa
    credentials_file: ~/.config/python-sp-api/credentials.yml
    account: default

- name: Export into a secret created elsewhere (once), encrypted with a customer managed key when created
  spapi.onboarding.lwa_export:
    secret_name: sp-api/lwa
    adopt_secret: true
    kms_key_id: alias/sp-api-secrets

- name: Remove the exports
  spapi.onboarding.lwa_export:
    secret_name: sp-api/lwa
    credentials_file: ~/.config/python-sp-api/credentials.yml
    state: absent
"""

RETURN = r"""
secret:
  description: The secret exported to (V(null) when O(secret_name) is not set). Never its value.
  returned: always
  type: dict
  contains:
    name:
      description: The name or ARN given in O(secret_name).
      type: str
      sample: sp-api/lwa
    arn:
      description: ARN of the secret; V(null) in check mode when it does not exist yet, and after it was deleted.
      type: str
      sample: arn:aws:secretsmanager:us-east-1:123456789012:secret:sp-api/lwa-AbCdEf
credentials_file:
  description: Absolute path of the credentials file (V(null) when O(credentials_file) is not set).
  returned: always
  type: str
  sample: /home/ops/.config/python-sp-api/credentials.yml
account:
  description: The account key of the credentials file.
  returned: always
  type: str
  sample: default
actions:
  description: What the task changed, or would change in check mode, in words. Key names only.
  returned: always
  type: list
  elements: str
  sample: ["create secret sp-api/lwa (LWA_APP_ID, LWA_CLIENT_SECRET, SP_API_REFRESH_TOKEN)"]
"""

from ansible_collections.spapi.onboarding.plugins.module_utils._common.vault_options import VAULT_STORE_SPEC
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.export import (
    DEFAULT_ACCOUNT,
    DEFAULT_LWA_VAULT_FILE,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.task import refuse_outside_controller

ARGUMENT_SPEC = dict(
    VAULT_STORE_SPEC,
    vault_file=dict(type="path", default=DEFAULT_LWA_VAULT_FILE),
    vault_id=dict(type="str"),
    secret_name=dict(type="str"),
    adopt_secret=dict(type="bool", default=False),
    kms_key_id=dict(type="str"),
    credentials_file=dict(type="path"),
    account=dict(type="str", default=DEFAULT_ACCOUNT),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    refuse_outside_controller(ARGUMENT_SPEC, "lwa_export")


if __name__ == "__main__":
    main()
