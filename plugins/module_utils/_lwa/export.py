# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Export the vaulted LWA credentials where SP-API clients read them.

Two shapes, both read by python-amazon-sp-api's CredentialProvider: an AWS Secrets Manager
secret named by SP_API_AWS_SECRET_ID (upper-case keys, as its environment variables) and a
credentials.yml of confuse's config dir "python-sp-api" (an account key, lower-case keys).
The plans here are pure (no I/O) and never put a value in what they describe, only key names.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import call
from ansible_collections.spapi.onboarding.plugins.module_utils._secretsmanager import secret
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import PARTITIONS, ValidationError

DEFAULT_LWA_VAULT_FILE = "spapi-onboarding/lwa.vault.yml"
DEFAULT_ACCOUNT = "default"
# vault key -> (Secrets Manager JSON key, credentials.yml key)
EXPORTED = (
    ("lwa_refresh_token", "SP_API_REFRESH_TOKEN", "refresh_token"),
    ("lwa_client_id", "LWA_APP_ID", "lwa_app_id"),
    ("lwa_client_secret", "LWA_CLIENT_SECRET", "lwa_client_secret"),
)
REQUIRED_VAULT_KEYS = ("lwa_client_id", "lwa_client_secret")
SECRET_KEYS = tuple(secret_key for dummy, secret_key, dummy2 in EXPORTED)
FILE_KEYS = tuple(file_key for dummy, dummy2, file_key in EXPORTED)
SECRET_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}\Z")
SECRET_ARN = re.compile(r"arn:(%s):secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}\Z" % PARTITIONS)
ACCOUNT_NAME = re.compile(r"[A-Za-z0-9_.@+-]{1,128}\Z")
KMS_KEY = re.compile(r"[A-Za-z0-9:/_.-]{1,2048}\Z")


class ExportError(SpapiError):
    """An export cannot be done; the message names the file or secret, never a value."""


def validate_export_params(params):
    if not params.get("secret_name") and not params.get("credentials_file"):
        raise ValidationError("secret_name", "name a Secrets Manager secret (secret_name) and/or a "
                                             "python-amazon-sp-api credentials file (credentials_file) to export to")
    name = params.get("secret_name")
    if name and not (SECRET_NAME.fullmatch(name) or SECRET_ARN.fullmatch(name)):
        raise ValidationError("secret_name", "%r is not a Secrets Manager secret name (1-512 letters, digits and "
                                             "/_+=.@-) or secret ARN" % (name,))
    key = params.get("kms_key_id")
    if key is not None and not KMS_KEY.fullmatch(key):
        raise ValidationError("kms_key_id", "%r is not a KMS key id, alias or ARN (no spaces or wildcards)" % (key,))
    if not ACCOUNT_NAME.fullmatch(params.get("account") or ""):
        raise ValidationError("account", "%r is not an account name for credentials.yml (1-128 letters, digits "
                                         "and _.@+-)" % (params.get("account"),))


def vaulted_credentials(content, path):
    """The exported values from the LWA vault file's content (plain str; refresh token may be None)."""
    content = content or {}
    missing = [key for key in REQUIRED_VAULT_KEYS if not content.get(key)]
    if missing:
        raise ExportError("the LWA vault file %s holds no %s: store the credentials first "
                          "(spapi.onboarding.lwa_credentials)" % (path, " or ".join(missing)))
    for key in REQUIRED_VAULT_KEYS + ("lwa_refresh_token",):
        if content.get(key) is not None and not isinstance(content[key], str):
            raise ExportError("the LWA vault file %s: %s is not a string" % (path, key))
    return dict((key, None if content.get(key) is None else str(content[key])) for key, dummy, dummy2 in EXPORTED)


def _changed_keys(before, after):
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def _with_ours(entry, values, keys):
    """entry with our keys set to values (a key whose value is None is taken out)."""
    result = dict(entry)
    for key, value in zip(keys, values):
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def plan_secret(current_text, credentials, state):
    """(operation, the secret's JSON object after, the key names that change).

    operation is "create", "update", "delete" or None. Keys of the secret that are not ours
    (someone else's) are kept; the secret is deleted only when nothing else is in it.
    """
    if current_text is None:
        before = None
    else:
        try:
            before = json.loads(current_text)
        except ValueError:
            before = "not JSON"
        if not isinstance(before, dict):
            raise ExportError("does not hold a JSON object; it was left untouched")
    current = before or {}
    if state == "absent":
        after = dict((k, v) for k, v in current.items() if k not in SECRET_KEYS)
        changed = _changed_keys(current, after)
        if before is None or not changed:
            return None, before, []
        return ("update" if after else "delete"), (after or None), changed
    after = _with_ours(current, [credentials[key] for key, dummy, dummy2 in EXPORTED], SECRET_KEYS)
    changed = _changed_keys(current, after)
    if before is None:
        return "create", after, changed
    return ("update" if changed else None), after, changed


def plan_credentials_file(current, account, credentials, state):
    """(operation, the file's mapping after, the key names of the account that change).

    operation is "create", "update", "delete" (no account left) or None. Other accounts, and
    keys of the account that are not ours, are kept.
    """
    accounts = dict(current or {})
    old = accounts.get(account)
    entry = dict(old) if isinstance(old, dict) else {}
    if state == "absent":
        if account not in accounts:
            return None, current, []
        del accounts[account]
        return ("update" if accounts else "delete"), (accounts or None), sorted(entry)
    after_entry = _with_ours(entry, [credentials[key] for key, dummy, dummy2 in EXPORTED], FILE_KEYS)
    changed = _changed_keys(entry, after_entry)
    if old is not None and not isinstance(old, dict):
        changed = sorted(after_entry)  # a value that is not a mapping is replaced whole
    accounts[account] = after_entry
    if current is None:
        return "create", accounts, changed
    return ("update" if changed else None), accounts, changed


# --- exports never go backwards --------------------------------------------------------------------

def refuse_unknown_secret(where, exported, vaulted, held, vault_path):
    """Fail when an export holds a client secret this vault never held: a rotation elsewhere wrote it.

    held(secret) says whether the vault holds or held it (its fingerprints). An export holding an
    older secret the vault held is merely behind, and is brought up to date.
    """
    if not exported or exported == vaulted or held(exported):
        return
    raise ExportError(
        "%s holds an LWA client secret that the vault file %s never held: a rotation elsewhere (another controller "
        "or vault file) wrote it, and this vault's secret may be the older one. It was left untouched. Export from "
        "the vault file that holds the newer secret; if that secret is really unwanted, remove this export "
        "(state: absent) and run again" % (where, vault_path))


def exported_secret(text):
    """The client secret a Secrets Manager secret's JSON holds (None when none or not JSON)."""
    try:
        value = json.loads(text).get("LWA_CLIENT_SECRET") if text else None
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


# --- Secrets Manager -------------------------------------------------------------------------------

class SecretPlan:
    """What export_secret found (by reads only) and will do: kept until every export is planned."""

    def __init__(self, name, operation, after, changed, arn, adopt):
        self.name, self.operation, self.after, self.changed = name, operation, after, changed
        self.arn, self.adopt = arn, adopt


def plan_secret_export(task, credentials, changes, held, vault_path):
    """Read the secret and decide, refusing before any write what is not ours or what others can read."""
    params = task.params
    name = params["secret_name"]
    secretsmanager = task.aws.client("secretsmanager")
    described = secret.describe(secretsmanager, name)
    secret.refuse_foreign(name, described, params.get("adopt_secret"))
    current = arn = None
    if described is not None:
        if params["state"] == "present":
            policy = secret.resource_policy(secretsmanager, name)
            secret.refuse_open_policy(name, policy, described["ARN"].split(":")[4])
        current, arn = secret.read_value(secretsmanager, name)
    try:
        operation, after, changed = plan_secret(current, credentials, params["state"])
    except ExportError as exc:
        raise ExportError("Secrets Manager secret '%s' %s" % (name, exc))
    if params["state"] == "present":
        refuse_unknown_secret("Secrets Manager secret '%s'" % name, exported_secret(current),
                              credentials["lwa_client_secret"], held, vault_path)
    # Handed over (refuse_foreign let it pass): tagged even when its values are already ours, so that the
    # next run needs no adopt_secret.
    adopt = described is not None and not secret.is_managed(described) and params["state"] == "present"
    changes.before["secret"] = {"name": name, "keys": sorted(json.loads(current)) if current else []}
    changes.after["secret"] = {"name": name, "keys": sorted(after or {}), "changed_keys": changed}
    if adopt:
        changes.add("adopt secret %s (tag %s)" % (name, secret.TAG_KEY))
    if operation:
        changes.add("%s secret %s (%s)" % (operation, name, ", ".join(changed)) if changed
                    else "%s secret %s" % (operation, name))
    return SecretPlan(name, operation, after, changed, arn, adopt)


def export_secret(task, plan):
    """Carry the plan out; return the secret's view (name, arn) for the result."""
    name, operation = plan.name, plan.operation
    if task.check_mode or (operation is None and not plan.adopt):
        return {"name": name, "arn": plan.arn}
    secretsmanager = task.aws.client("secretsmanager")
    text = json.dumps(plan.after, sort_keys=True) if plan.after else None
    arn = plan.arn
    if plan.adopt:
        secret.adopt(secretsmanager, name)
    if operation == "create":
        arn = secret.create(secretsmanager, name, text,
                            "LWA credentials for SP-API clients (spapi.onboarding.lwa_export)",
                            task.params.get("kms_key_id"))
        operation = "update" if arn is None else operation
    if operation == "update":
        arn = call("write Secrets Manager secret '%s'" % name, secretsmanager.put_secret_value,
                   SecretId=name, SecretString=text)["ARN"]
    elif operation == "delete":
        # The vault file stays the source of truth: the export can be made again at any time,
        # so no recovery window is kept (it would block re-creating the name for days).
        call("delete Secrets Manager secret '%s'" % name, secretsmanager.delete_secret,
             SecretId=name, ForceDeleteWithoutRecovery=True)
    return {"name": name, "arn": arn}
