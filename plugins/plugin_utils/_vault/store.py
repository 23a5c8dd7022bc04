# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a vault file lives: the one store interface every module and action reads and writes through.

A store holds the Ansible Vault text of one vault file and knows nothing of its content:
- check_ready(): refuse, before the first AWS write, a store this run could not write safely;
- read(require_private): the vault text, or None when there is none (a writer passes
  require_private=False: it restores the mode itself);
- write(vaulttext): replace it whole; S3 writes only if nobody wrote since this run read it;
- remove(); lock(check_mode): one writer at a time; loose_mode / restrict(): a local file's mode.

Backends: LocalStore (a file on the controller, the default) and S3Store (`s3://BUCKET/KEY`, for
teams and AWX jobs). open_store() picks one from the option's value.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os

from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.file_safety import (
    PRIVATE_MODE,
    check_safe_file,
)
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import (
    check_writable,
    read_local_text,
    remove_vault_file,
    resolve_vault_path,
    restrict_vault_mode,
    vault_file_mode,
    write_local_text,
)
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.local_lock import lock_unless
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.runner import refuse_throwaway

S3_SCHEME = "s3://"


def is_s3(location):
    return str(location or "").startswith(S3_SCHEME)


class LocalStore:
    """A vault file on the controller: atomic 0600 writes, no links, safe directories, a flock per file."""

    shared = False
    etag = None

    def __init__(self, path, option="vault_file"):
        self.path = self.location = resolve_vault_path(path)
        self.option = option
        self.loose_mode = None

    def check_ready(self, may_create_directory=False):
        refuse_throwaway(self.path, self.option)
        check_writable(self.path, self.option, may_create_directory=may_create_directory)

    def check_readable(self):
        if os.path.lexists(self.path):
            check_safe_file(self.path, self.option)

    def read(self, require_private=True):
        text = read_local_text(self.path, require_private)
        mode = vault_file_mode(self.path) if text is not None else None
        self.loose_mode = mode if mode not in (None, PRIVATE_MODE) else None
        return text

    def write(self, vaulttext):
        write_local_text(self.path, vaulttext)

    def remove(self):
        remove_vault_file(self.path)

    def restrict(self):
        restrict_vault_mode(self.path)

    def lock(self, check_mode):
        # Check mode writes nothing, not even the lock file.
        return lock_unless(check_mode, self.path)


@contextlib.contextmanager
def writer_lock(store, check_mode):
    """The lock of a run that may write: a local file's lock for the whole run (yields None); for a
    shared store, a lock to take at the run's first write (the document's hold()), so that a run that
    changes nothing takes none, released at the end (yields it)."""
    if not store.shared:
        with store.lock(check_mode):
            yield None
        return
    lock = store.lock(check_mode=True)  # not taken until the first write
    try:
        yield lock
    finally:
        lock.release()


def open_store(location, task, option="vault_file"):
    """The store a vault option names: `s3://BUCKET/KEY`, else a local path (relative to where
    ansible-playbook runs). The S3 store uses the task's own AWS settings and its vault_* options."""
    if is_s3(location):
        # Imported here: boto3 is only needed for an S3 vault (lwa_credentials runs without it).
        from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.s3 import S3Store
        params = task.params
        return S3Store(location, task.aws, option=option, kms_key_id=params.get("vault_kms_key_id"),
                       lock_timeout=params.get("vault_lock_timeout"), warn=task.warn)
    return LocalStore(location, option)
