# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the collection may write a file on the controller (vault files, lock files).

A file that holds a secret, or that a person trusts, must not be written through a
symbolic link (someone who planted the link chooses what gets overwritten) nor into a
directory that someone else can change (they could swap the file for a link, or read
it between two writes). Every writer of such a file checks its path here first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import tempfile

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

PRIVATE_MODE = 0o600


def check_safe_directory(directory, option):
    """Refuse a directory not owned by the user running the play, or writable by group or others."""
    try:
        info = os.stat(directory)  # the directory itself, wherever a link to it points
    except OSError as exc:
        raise ValidationError(option, "cannot use the directory %s: %s" % (directory, exc.strerror))
    if not stat.S_ISDIR(info.st_mode):
        raise ValidationError(option, "%s is not a directory" % directory)
    uid = os.geteuid()
    if info.st_uid != uid:
        raise ValidationError(
            option, "the directory %s belongs to uid %d, not to the user running the play (uid %d): "
                    "another user could replace files in it. Use a directory of your own"
                    % (directory, info.st_uid, uid))
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ValidationError(
            option, "the directory %s is writable by its group or by others (mode %04o): they could replace "
                    "files in it. Run 'chmod go-w %s' or use another directory"
                    % (directory, stat.S_IMODE(info.st_mode), directory))
    return directory


def check_safe_file(path, option):
    """Refuse a file path that is a symbolic link or not a regular file, or lies in an unsafe directory.

    The path itself is checked without following links: an absent file is fine (it will be created).
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise ValidationError(option, "cannot use %s: %s" % (path, exc.strerror))
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise ValidationError(
            option, "%s is a symbolic link: the collection never writes through a link. "
                    "Give the path of the file itself" % path)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise ValidationError(option, "%s is not a regular file" % path)
    check_safe_directory(os.path.dirname(os.path.abspath(path)), option)
    return path


def open_nofollow(path, flags, mode=PRIVATE_MODE):
    """os.open that fails on a symbolic link (ELOOP), whatever the flags."""
    return os.open(path, flags | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), mode)


def atomic_replace(path, data, mode=PRIVATE_MODE):
    """Replace path with data atomically: a temp file in the same directory, fsync, rename, then the
    directory fsynced. The rename replaces the path itself, never a link's target, and the file is
    the old one or the new one, whole. Raises OSError for the caller to name; no temp file is left."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp_path = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path), suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_path, path)
    except BaseException:
        remove_quietly(temp_path)
        raise
    fsync_directory(directory)


def remove_quietly(path):
    try:
        os.remove(path)
    except OSError:
        pass


def fsync_directory(directory):
    """Make a rename or removal in the directory durable (best effort: not every filesystem allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
