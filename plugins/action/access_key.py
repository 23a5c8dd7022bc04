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
import stat
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - the controller is POSIX
    fcntl = None

from ansible.utils.display import Display

from ansible_collections.spapi.onboarding.plugins.module_utils._access_key import (
    AccessKeyError,
    KeyStore,
    ensure_access_key,
    validate_access_key_params,
)
from ansible_collections.spapi.onboarding.plugins.modules.access_key import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._file_safety import PRIVATE_MODE, open_nofollow
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault import (
    VAULT_KEYS,
    VaultFileError,
    check_writable,
    encryption_secret,
    loaded_secrets,
    read_vault_file,
    remove_vault_file,
    restrict_mode,
    vault_file_mode,
    vault_id_of,
    write_vault_file,
)

LOCK_TIMEOUT = 600  # seconds another run for the same vault file may hold it
display = Display()


def resolve_vault_path(path):
    """A relative vault_file is relative to where ansible-playbook runs (the controller's cwd).

    Links are not resolved: a vault path that is a link is refused, not followed."""
    return os.path.abspath(os.path.expanduser(path))


def _open_lock_file(lock_path):
    """Open (or create, 0600) the lock file: never through a link, and only a regular file of our own,
    so that nobody can make this run lock, truncate or create a file of their choosing."""
    try:
        fd = open_nofollow(lock_path, os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise VaultFileError("the lock file %s is a symbolic link: remove it (the collection never opens a lock "
                                 "file through a link)" % lock_path)
        raise VaultFileError("cannot open the lock file %s: %s" % (lock_path, exc.strerror))
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
        os.close(fd)
        raise VaultFileError("the lock file %s is not a regular file owned by the user running the play (uid %d): "
                             "remove it if no run is using the vault file" % (lock_path, os.geteuid()))
    return fd


def _holder(fd):
    """The process id the current holder wrote into the lock file, for the waiting message."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return text if text.isdigit() else None


@contextlib.contextmanager
def vault_lock(path, timeout=LOCK_TIMEOUT, sleep=time.sleep, clock=time.monotonic, notify=None):
    """Hold an exclusive flock on "<path>.lock" so that runs for one vault file take turns.

    A run that has to wait says so once (notify, by default an Ansible warning), so a long
    wait is never a silent hang; giving up names the lock file."""
    notify = notify or display.warning
    lock_path = path + ".lock"
    fd = _open_lock_file(lock_path)
    try:
        deadline = clock() + timeout
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise VaultFileError("cannot lock %s: %s" % (lock_path, exc.strerror))
                holder = _holder(fd)
                if clock() >= deadline:
                    raise VaultFileError(
                        "another run%s has held the lock file %s for more than %d seconds; nothing was changed. "
                        "Wait for it to finish; if no run is active, remove the lock file"
                        % (" (process %s)" % holder if holder else "", lock_path, timeout))
                if not waiting:
                    waiting = True
                    notify("waiting up to %d seconds for the lock file %s: another run%s is using the vault file %s"
                           % (timeout, lock_path, " (process %s)" % holder if holder else "", path))
                sleep(0.2)
        # Who holds it, for a run that has to wait (the content is informational only).
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, ("%d\n" % os.getpid()).encode("ascii"), 0)
        except OSError:
            pass
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def vault_store(path, secrets, vault_id=None):
    """The vault file as the key logic sees it: the collection's keys in it now, and how to replace
    them or take them out. Every other key of the file (a team's own variables) is kept as it is."""
    content = read_vault_file(path, secrets, require_private=False)
    others = dict((k, v) for k, v in (content or {}).items() if k not in VAULT_KEYS)
    ours = dict((k, v) for k, v in (content or {}).items() if k in VAULT_KEYS) or None
    # Re-encrypt an existing file with the vault id it already has, so its owners can still open it.
    loaded_ids = set(v for v, dummy in secrets)
    existing_id = vault_id_of(path) if content is not None and not vault_id else None
    encrypt_id = vault_id or (existing_id if existing_id in loaded_ids else None)

    def write_content(data):
        try:
            write_vault_file(path, data, secrets, encrypt_id)
        except VaultFileError:
            raise
        except OSError as exc:
            raise VaultFileError("cannot write the vault file %s: %s" % (path, exc.strerror))
        except Exception as exc:
            # Whatever else went wrong, its text must not carry the content: name the kind only.
            raise VaultFileError("cannot write the vault file %s (%s)" % (path, type(exc).__name__))

    def write(data):
        merged = dict(others)
        merged.update((k, data[k]) for k in VAULT_KEYS if k in data)
        write_content(merged)

    def remove():
        if others:  # the file is not only ours: take our keys out, keep the rest
            write_content(others)
            return
        try:
            remove_vault_file(path)
        except OSError as exc:
            raise VaultFileError("cannot remove the vault file %s: %s" % (path, exc.strerror))

    def restrict():
        try:
            restrict_mode(path)
        except OSError as exc:
            raise VaultFileError("cannot set the mode of the vault file %s to 0600: %s" % (path, exc.strerror))

    mode = vault_file_mode(path) if content is not None else None
    return KeyStore(path, ours, write, remove, keeps_other_keys=bool(others),
                    loose_mode=mode if mode not in (None, PRIVATE_MODE) else None, restrict=restrict)


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
