# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A vault store's content as one feature sees it: the keys it owns, every other key kept.

access_key owns the IAM keys of the file, the LWA actions the lwa_* keys; a team's own
variables in the same file survive every write. An existing file is re-encrypted with the
vault id it already has (when that id is loaded), so its owners can still open it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import (
    VaultFileError,
    decrypt_vault_text,
    encrypt_vault_data,
    header_vault_id,
    no_vault_password,
    split_owned,
)


class VaultDocument:
    def __init__(self, store, secrets, owned_keys, vault_id=None, before_write=None, lock=None):
        self.store, self.secrets, self.owned_keys = store, secrets, tuple(owned_keys)
        # A lock taken at the first write (hold()), not before: a run that changes nothing takes none.
        self.lock, self.held = lock, lock is None
        self.vault_id = vault_id or None
        # Applied to the whole content before each write (the LWA vault's secret fingerprints).
        self.before_write = before_write
        self.exists = False
        self.ours, self.others = None, {}
        self._header_id = None

    @property
    def location(self):
        return self.store.location

    def require_secrets(self, consequence):
        if not self.secrets:
            raise ValidationError(self.store.option, no_vault_password(consequence))

    def load(self, require_private=True):
        """Read and decrypt; returns the owned keys (None when the store holds none of them)."""
        text = self.store.read(require_private)
        self.exists = text is not None
        self._header_id = header_vault_id(text) if text else None
        content = decrypt_vault_text(text, self.secrets, self.location) if text is not None else None
        self.ours, self.others = split_owned(content, self.owned_keys)
        return self.ours

    def hold(self):
        """Take the lock before the first write; taken late, it is kept only while the vault is still
        the version this run read (else another run wrote in between, and this one stops)."""
        if self.held:
            return
        self.held = True
        self.store.check_ready()  # the bucket's checks, too, only for a run that writes
        self.lock.acquire()
        read_version = self.store.etag
        self.store.read()
        if self.store.etag != read_version:
            raise VaultFileError("another run changed the vault %s while this run was reading it, so this run "
                                 "changed nothing: run it again" % self.location)

    def _encrypt_id(self):
        if self.vault_id or not self.exists:
            return self.vault_id
        loaded = set(v for v, dummy in self.secrets)
        return self._header_id if self._header_id in loaded else None

    def write_content(self, content, keep_ours=True):
        self.hold()
        if self.before_write and keep_ours:
            content = self.before_write(dict(content))
        self.store.write(encrypt_vault_data(content, self.secrets, self._encrypt_id(), self.location))
        self.exists = True

    def write(self, ours):
        """Replace the owned keys with ours (owned keys only), keeping every other key."""
        merged = dict(self.others)
        merged.update((k, v) for k, v in ours.items() if k in self.owned_keys)
        self.write_content(merged)
        self.ours = dict((k, v) for k, v in ours.items() if k in self.owned_keys)

    def remove(self):
        """Take the owned keys out: the whole store when nothing else is in it."""
        if self.others:
            self.write_content(self.others, keep_ours=False)
        else:
            self.hold()
            self.store.remove()
            self.exists = False
        self.ours = None
