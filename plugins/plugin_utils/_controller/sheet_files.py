# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text files a person reads and trusts (the app client sheet), written on the controller.

In-process, so that a run whose files already say the right thing starts no module process:
the files are read and compared here, and written only when their text or mode differs. They
follow the rules of every file the collection writes (file_safety.py): never through a symbolic
link, never into a directory that another user owns or that its group or others can write to.
Every file is checked before the first one is written, so a refusal leaves everything as it was.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.file_safety import (
    atomic_replace,
    check_safe_directory,
    open_nofollow,
)

DIRECTORY_MODE = 0o755


class SheetFileError(SpapiError):
    """A sheet that must not or cannot be written; the message starts with the option (or variable) to fix."""

    def __init__(self, option, rule):
        super(SheetFileError, self).__init__("%s: %s" % (option, rule))
        self.option = option
        self.rule = rule


def _lstat(path, option):
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SheetFileError(option, "cannot use %s: %s" % (path, exc.strerror))


def check_directory(directory, option):
    """None when the directory is missing (it will be created), else its checks; a link is refused."""
    info = _lstat(directory, option)
    if info is None:
        return None
    if stat.S_ISLNK(info.st_mode):
        raise SheetFileError(option, "%s is a symbolic link: the sheets are never written through a link; give the "
                                     "directory itself" % directory)
    try:
        return check_safe_directory(directory, option)
    except ValidationError as exc:
        raise SheetFileError(option, exc.rule)


def read_current(path, option):
    """(bytes, mode) of the file as it is, or (None, None) when there is none; a link or a special file is refused."""
    info = _lstat(path, option)
    if info is None:
        return None, None
    if stat.S_ISLNK(info.st_mode):
        raise SheetFileError(option, "%s is a symbolic link: the sheets are never written through a link; remove the "
                                     "link and run again" % path)
    if not stat.S_ISREG(info.st_mode):
        raise SheetFileError(option, "%s is not a regular file: move it away and run again" % path)
    try:
        fd = open_nofollow(path, os.O_RDONLY)
        with os.fdopen(fd, "rb") as handle:
            return handle.read(), stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
    except OSError as exc:
        raise SheetFileError(option, "cannot read %s: %s" % (path, exc.strerror))


def plan_files(directory, texts, mode, option):
    """What each file needs: [{path, text, before, create, rewrite, chmod}], every file checked first."""
    exists = check_directory(directory, option) is not None
    plans = []
    for name, text in texts:
        path = os.path.join(directory, name)
        before, current_mode = read_current(path, option) if exists else (None, None)
        wanted = text.encode("utf-8")
        plans.append({"path": path, "text": wanted, "before": before, "create": before is None,
                      "rewrite": before != wanted, "chmod": before is not None and current_mode != mode})
    return exists, plans


def _write(path, data, mode, option):
    """Replace the file atomically (file_safety.atomic_replace): never half a sheet."""
    try:
        atomic_replace(path, data, mode)
    except OSError as exc:
        raise SheetFileError(option, "cannot write %s: %s" % (path, exc.strerror))


def _chmod(path, mode, option):
    try:
        fd = open_nofollow(path, os.O_RDONLY)
        try:
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
    except OSError as exc:
        raise SheetFileError(option, "cannot set the mode of %s: %s" % (path, exc.strerror))


def _make_directory(directory, option):
    try:
        os.makedirs(directory, DIRECTORY_MODE)
        os.chmod(directory, DIRECTORY_MODE)  # makedirs' mode is filtered by the umask
    except FileExistsError:
        pass  # made meanwhile: checked below like any existing directory
    except OSError as exc:
        raise SheetFileError(option, "cannot create the directory %s: %s" % (directory, exc.strerror))
    check_directory(directory, option)


def _diff(plan):
    before = "" if plan["before"] is None else plan["before"].decode("utf-8", "replace")
    return {"before_header": plan["path"] if plan["before"] is not None else "%s (absent)" % plan["path"],
            "after_header": plan["path"], "before": before, "after": plan["text"].decode("utf-8")}


def ensure_files(directory, texts, mode, option, check_mode=False, diff_mode=False):
    """Make each (name, text) of texts a file in directory holding exactly that text, with that mode."""
    exists, plans = plan_files(directory, texts, mode, option)
    if not check_mode:
        if not exists:
            _make_directory(directory, option)
        for plan in plans:
            if plan["rewrite"]:
                _write(plan["path"], plan["text"], mode, option)
            elif plan["chmod"]:
                _chmod(plan["path"], mode, option)
    result = {
        "changed": any(p["rewrite"] or p["chmod"] for p in plans),
        "files": [{"path": p["path"], "changed": p["rewrite"] or p["chmod"], "created": p["create"]} for p in plans],
    }
    if diff_mode:
        result["diff"] = [_diff(p) for p in plans if p["rewrite"]]
    return result
