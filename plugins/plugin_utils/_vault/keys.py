# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two vault documents of the collection, on whichever store holds them.

- the access key's (aws_access_key_id, ...), as access_key and iam_plan see it: a KeyStore;
- the LWA credentials' (lwa_*), as lwa_credentials, lwa_rotate, lwa_check, lwa_export and
  notification_destination read and write it, with the secrets' fingerprints kept on every write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.ensure import KeyStore
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import LWA_VAULT_KEYS
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import vaulted_credentials
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.document import VaultDocument
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import (
    VaultFileError,
    WrongVaultSecret,
    no_vault_password,
)
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import VAULT_KEYS

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.fingerprints import carry

WRONG_PASSWORD = ("the vault password (or the --vault-id) given to ansible-playbook is not the one that encrypted it: "
                  "give the right one")


def key_store(store, secrets, vault_id=None):
    """The access key's part of the store, read now, as the key logic sees it (see KeyStore)."""
    document = VaultDocument(store, secrets, VAULT_KEYS, vault_id)
    document.load(require_private=False)
    return KeyStore(store.location, document.ours, document.write, document.remove,
                    keeps_other_keys=bool(document.others), loose_mode=store.loose_mode, restrict=store.restrict)


def lwa_document(store, secrets, vault_id=None, lock=None):
    """Every write keeps the fingerprints of the secrets the vault held and adds the new ones, so an
    export can tell a secret this vault never held (lwa_export)."""
    def before_write(content):
        # What the vault held before this write stays remembered, even from a vault without fingerprints yet.
        return carry(document.ours or {}, content)

    document = VaultDocument(store, secrets, LWA_VAULT_KEYS, vault_id, before_write=before_write, lock=lock)
    return document


def read_lwa(store, secrets, document=None):
    """The whole LWA vault content (None when there is none); failures say what to do."""
    if not secrets:
        raise ValidationError(store.option, no_vault_password("the LWA vault file cannot be read"))
    store.check_readable()
    document = document or lwa_document(store, secrets)
    try:
        document.load()
    except WrongVaultSecret as exc:
        raise VaultFileError("%s: %s" % (exc, WRONG_PASSWORD))
    if not document.exists:
        return None
    content = dict(document.others)
    content.update(document.ours or {})
    return content


class LwaVault:
    """The LWA vault as the rotation sees it: read() its content once, write(ours) the lwa_* keys,
    every other key and the vault id kept; hold() before any other write of the run (a lock given
    here is taken then, not before: a run that changes nothing takes none)."""

    def __init__(self, store, secrets, vault_id=None, lock=None):
        self.store, self.secrets = store, secrets
        self.path = store.location
        self.document = lwa_document(store, secrets, vault_id, lock)

    def read(self):
        return read_lwa(self.store, self.secrets, self.document)

    def hold(self):
        self.document.hold()

    def write(self, ours):
        self.document.write(ours)


# Rotating needs the same password, so a wrong one is fixed by giving the right one.
WRONG_SECRET_FIX = ("run ansible-playbook again with the vault password the file was encrypted with "
                    "(--vault-id <id>@prompt, and the role's iam_vault_id if you set one)")
# A vault that is not where this run looks may live on another machine: look there before making a new key.
LOST_VAULT_FIX = ("first check that iam_vault_file (the module's vault_file) names the vault you onboarded with. "
                  "Another operator's machine or an AWX job may hold this key in a vault of its own: keep one shared "
                  "vault per identity (s3://BUCKET/KEY, see docs/awx.md) and point every run at it. Only if the "
                  "secret is really gone everywhere, make a new key with: ansible-playbook playbooks/rotate_key.yml "
                  "--vault-id <id>@prompt -e iam_on_unknown_keys=delete - it deletes the user's keys that this vault "
                  "does not hold (the lost one among them) and stores a new one")
NO_KEY_TO_READ = (no_vault_password("the vault file cannot be read")
                  + ", or leave vault_file unset to skip the key checks")


def read_key(store, secrets):
    """The vaulted key as data for verify's checks; a vault that cannot be used becomes a failed check."""
    if not secrets:
        raise ValidationError(store.option, NO_KEY_TO_READ)
    source = store.location
    try:
        # A link, an unsafe directory or a mode other than 0600 fails the key check: the file
        # is not kept the way the collection promises (the read refuses links and loose modes).
        store.check_readable()
        document = VaultDocument(store, secrets, VAULT_KEYS)
        data = document.load() or {}
    except WrongVaultSecret as exc:
        return {"source": source, "error": "%s: the vault password (or vault id) is not the one the file was "
                                           "encrypted with" % exc, "fix": WRONG_SECRET_FIX}
    except (VaultFileError, ValidationError) as exc:
        return {"source": source, "error": str(exc)}
    if not document.exists:
        return {"source": source, "error": "the vault file %s does not exist, so the key it held is lost to this run"
                                           % source, "fix": LOST_VAULT_FIX}
    missing = [k for k in ("aws_access_key_id", "aws_secret_access_key") if not data.get(k)]
    if missing:
        return {"source": source, "error": "the vault file %s has no %s" % (source, " and no ".join(missing))}
    key = dict((k, str(data[k])) for k in ("aws_access_key_id", "aws_secret_access_key"))
    key.update(source=source, iam_user_arn=data.get("iam_user_arn"))
    return key


def vaulted_lwa(store, secrets):
    """The LWA credentials the store holds (every lwa_* key, as text), or a failure saying what to do."""
    return vaulted_credentials(read_lwa(store, secrets), store.location)
