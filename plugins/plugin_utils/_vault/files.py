# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A vault file on the controller: read without following links, written atomically with mode 0600
in a directory only its owner can change. The Vault text itself is codec.py's business."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import VaultFileError, encrypt_vault_data
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.runner import job_data_dir
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.file_safety import (
    PRIVATE_MODE,
    atomic_replace,
    fsync_directory,
    check_safe_file,
    open_nofollow,
)

# The keys the collection owns in the file; any other key (a team's own variables) is kept.
VAULT_KEYS = ("aws_access_key_id", "aws_secret_access_key", "iam_user_arn", "created")


def resolve_vault_path(path):
    """A relative path is relative to where ansible-playbook runs (the controller's current directory).

    Links are not resolved: a path that is a link is refused where it is used, never followed."""
    return os.path.abspath(os.path.expanduser(path))


def check_writable(path, option="vault_file", may_create_directory=False):
    """Refuse a vault path that cannot or must not be written, before anything is created in AWS.

    may_create_directory: the directory may not exist yet (check mode, a plan), as long as its
    nearest existing parent is one where the user can safely create it."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) and not os.path.islink(path):
        raise ValidationError(option, "%s is a directory, not a file" % path)
    if not os.path.isdir(directory) and may_create_directory:
        parent = directory
        while not os.path.isdir(parent) and os.path.dirname(parent) != parent:
            parent = os.path.dirname(parent)
        return check_writable(os.path.join(parent, os.path.basename(path)), option)
    if not os.path.isdir(directory):
        raise ValidationError(option, "the directory %s does not exist" % directory)
    check_safe_file(path, option)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ValidationError(option, "the directory %s is not writable" % directory)
    return path


def vault_file_mode(path):
    """The permission bits of the vault file (not of a link's target); None when it does not exist."""
    try:
        return stat.S_IMODE(os.lstat(path).st_mode)
    except FileNotFoundError:
        return None


def loose_mode_error(path, mode):
    if job_data_dir() is not None:
        # A job's checkout gets the modes git gives it, and dies with the job: chmod cannot help there.
        return ("the vault file %s has mode %04o, as a checkout of a repository gives it: a vault file must be "
                "readable by its owner only. In an AWX job, keep the vault in S3 instead of the project "
                "(vault_file: s3://BUCKET/KEY, see docs/awx.md), where every job and operator finds it"
                % (path, mode))
    return ("the vault file %s has mode %04o: it must be %04o, readable by its owner only. Run 'chmod 600 %s'; "
            "the next onboarding or rotation also restores it" % (path, mode, PRIVATE_MODE, path))


def restrict_mode(path):
    """Bring a file of the collection back to 0600, without following a link (OSError for the caller)."""
    fd = open_nofollow(path, os.O_RDONLY)
    try:
        os.fchmod(fd, PRIVATE_MODE)
    finally:
        os.close(fd)


def restrict_vault_mode(path):
    try:
        restrict_mode(path)
    except OSError as exc:
        raise VaultFileError("cannot set the mode of the vault file %s to 0600: %s" % (path, exc.strerror))


def read_local_text(path, require_private=True):
    """The bytes of the local vault file; None when it does not exist.

    The file is opened without following a link, must be a regular file, and (unless
    require_private is false, for a writer that restores the mode itself) must be 0600.
    """
    try:
        fd = open_nofollow(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise VaultFileError("the vault file %s is a symbolic link: the collection never reads or writes "
                                 "through a link. Give the path of the file itself" % path)
        raise VaultFileError("cannot read the vault file %s: %s" % (path, exc.strerror))
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise VaultFileError("the vault file %s is not a regular file" % path)
            if require_private and stat.S_IMODE(info.st_mode) != PRIVATE_MODE:
                raise VaultFileError(loose_mode_error(path, stat.S_IMODE(info.st_mode)))
            return handle.read()
    except OSError as exc:
        raise VaultFileError("cannot read the vault file %s: %s" % (path, exc.strerror))


def write_vault_file(path, data, secrets, vault_id=None):
    """Encrypt data (every key of it) and replace the local vault file atomically."""
    write_local_text(path, encrypt_vault_data(data, secrets, vault_id, path))


def write_local_text(path, vaulttext):
    """Replace the local file atomically, mode 0600 (file_safety.atomic_replace)."""
    try:
        atomic_replace(path, vaulttext)
    except OSError as exc:
        raise VaultFileError("cannot write the vault file %s: %s" % (path, exc.strerror))


def remove_vault_file(path):
    try:
        if os.path.exists(path):
            os.remove(path)
            fsync_directory(os.path.dirname(os.path.abspath(path)))
    except OSError as exc:
        raise VaultFileError("cannot remove the vault file %s: %s" % (path, exc.strerror))
