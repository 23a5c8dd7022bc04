# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run at a time per vault file: an exclusive flock on "<vault file>.lock".

Used by every action that writes a vault file (access_key, lwa_credentials, lwa_rotate), so
two runs for the same file take turns instead of interleaving their reads and writes.
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

from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.file_safety import open_nofollow
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import VaultFileError

LOCK_TIMEOUT = 600  # seconds another run for the same vault file may hold it
display = Display()


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


def lock_unless(check_mode, path):
    """The vault lock for a run that writes; nothing for check mode (which writes nothing, not even the lock file)."""
    return contextlib.nullcontext() if check_mode or fcntl is None else vault_lock(path)
