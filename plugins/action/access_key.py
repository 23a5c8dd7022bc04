# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of spapi.onboarding.access_key: the key's AWS logic plus the vault file.

Runs on the controller, in-process: the play's vault secrets are here, and the new
secret access key must never travel in a module's argument or result file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import errno
import os
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - the controller is POSIX
    fcntl = None

from ansible_collections.spapi.onboarding.plugins.module_utils._access_key import (
    AccessKeyError,
    KeyStore,
    ensure_access_key,
    validate_access_key_params,
)
from ansible_collections.spapi.onboarding.plugins.modules.access_key import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault import (
    VaultFileError,
    check_writable,
    encryption_secret,
    loaded_secrets,
    read_vault_file,
    remove_vault_file,
    write_vault_file,
)

LOCK_TIMEOUT = 600  # seconds another run for the same vault file may hold it


def resolve_vault_path(path):
    """A relative vault_file is relative to where ansible-playbook runs (the controller's cwd)."""
    return os.path.abspath(os.path.expanduser(path))


@contextlib.contextmanager
def vault_lock(path, timeout=LOCK_TIMEOUT, sleep=time.sleep, clock=time.monotonic):
    """Hold an exclusive flock on "<path>.lock" so that runs for one vault file take turns."""
    lock_path = path + ".lock"
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise VaultFileError("cannot open the lock file %s: %s" % (lock_path, exc.strerror))
    try:
        deadline = clock() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise VaultFileError("cannot lock %s: %s" % (lock_path, exc.strerror))
                if clock() >= deadline:
                    raise VaultFileError("another run has held the lock %s for more than %d seconds"
                                         % (lock_path, timeout))
                sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def vault_store(path, secrets, vault_id=None):
    """The vault file as the key logic sees it: its content now, and how to replace or remove it."""

    def write(data):
        try:
            write_vault_file(path, data, secrets, vault_id)
        except VaultFileError:
            raise
        except OSError as exc:
            raise VaultFileError("cannot write the vault file %s: %s" % (path, exc.strerror))
        except Exception as exc:
            # Whatever else went wrong, its text must not carry the content: name the kind only.
            raise VaultFileError("cannot write the vault file %s (%s)" % (path, type(exc).__name__))

    def remove():
        try:
            remove_vault_file(path)
        except OSError as exc:
            raise VaultFileError("cannot remove the vault file %s: %s" % (path, exc.strerror))

    return KeyStore(path, read_vault_file(path, secrets), write, remove)


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True

    def handle(self, task, task_vars):
        params = task.params
        validate_access_key_params(params)
        path = resolve_vault_path(params["vault_file"])
        check_writable(path, "vault_file")
        secrets = loaded_secrets(self._loader)
        encryption_secret(secrets, params.get("vault_id"))
        # Check mode writes nothing, not even the lock file.
        lock = contextlib.nullcontext() if task.check_mode or fcntl is None else vault_lock(path)
        with lock:
            store = vault_store(path, secrets, params.get("vault_id"))
            try:
                return ensure_access_key(task, store)
            except AccessKeyError as exc:
                result = dict(failed=True, msg=str(exc), vault_file=path, user_name=params["user_name"])
                result.update(exc.report)
                return result
