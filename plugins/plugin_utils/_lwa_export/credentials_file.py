# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""python-amazon-sp-api's credentials.yml on the controller: where it may be written, read, and written.

It holds the LWA client secret in plain YAML, so it gets a vault file's protections: never read or
written through a link, only in directories the operator owns and nobody else may write (the
nearest existing one too, when missing directories are created, mode 0700), replaced atomically
with mode 0600 by the vault file's own atomic write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat

import yaml

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.export import (
    ExportError,
    plan_credentials_file,
    refuse_unknown_secret,
)
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.file_safety import (
    PRIVATE_MODE,
    check_safe_directory,
    check_safe_file,
    open_nofollow,
)
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import VaultFileError, plain
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import restrict_mode, write_local_text


def missing_directories(directory):
    """The directories to create, outermost first, below the nearest one that exists."""
    missing = []
    while not os.path.lexists(directory):
        missing.insert(0, directory)
        directory = os.path.dirname(directory)
    return directory, missing


def check_credentials_path(path, option="credentials_file"):
    """Refuse, before any AWS call, a path that cannot or must not be written."""
    if os.path.isdir(path) and not os.path.islink(path):
        raise ValidationError(option, "%s is a directory, not a file" % path)
    existing, missing = missing_directories(os.path.dirname(path))
    if missing:
        # The directories are created below `existing`: someone who may write there could swap them for links.
        if not os.path.isdir(existing) or not os.access(existing, os.W_OK | os.X_OK):
            raise ValidationError(option, "cannot create the directory %s: %s is not a writable directory"
                                  % (missing[0], existing))
        check_safe_directory(existing, option)
        return
    check_safe_file(path, option)
    if not os.access(os.path.dirname(path), os.W_OK | os.X_OK):
        raise ValidationError(option, "the directory %s is not writable" % os.path.dirname(path))


def read_credentials_file(path):
    """(its mapping, its mode), or (None, None) when there is no file. Never through a link."""
    try:
        fd = open_nofollow(path, os.O_RDONLY)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ExportError("%s is a symbolic link: the collection never writes through a link" % path)
        raise ExportError("cannot read %s: %s" % (path, exc.strerror))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ExportError("%s is not a regular file" % path)
        text = handle.read()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:  # the parser's message would quote the content, which holds secrets
        raise ExportError("%s does not contain valid YAML; it was left untouched" % path)
    if data is not None and not isinstance(data, dict):
        raise ExportError("%s does not contain a YAML mapping of accounts; it was left untouched" % path)
    return data or {}, stat.S_IMODE(info.st_mode)


def write_credentials_file(path, data):
    """Create missing directories 0700, then replace the file atomically (temp file, fsync, rename), 0600."""
    for directory in missing_directories(os.path.dirname(path))[1]:
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            pass  # appeared meanwhile: the check below decides whether it may be used
    check_safe_file(path, "credentials_file")
    text = yaml.safe_dump(plain(data), default_flow_style=False, sort_keys=False).encode("utf-8")
    try:
        write_local_text(path, text)
    except VaultFileError as exc:  # its words are the vault file's; the reason (strerror) is what matters
        raise ExportError("cannot write %s: %s" % (path, str(exc).rsplit(": ", 1)[-1]))


class FilePlan:
    """What the credentials file holds and will hold; carried out only once every export is planned."""

    def __init__(self, path, operation, after, loose):
        self.path, self.operation, self.after, self.loose = path, operation, after, loose


def plan_file_export(task, path, credentials, changes, held, vault_path):
    """Read the file and decide; refuse an account holding a client secret the vault never held."""
    account = task.params["account"]
    current, mode = read_credentials_file(path)
    operation, after, changed = plan_credentials_file(current, account, credentials, task.params["state"])
    entry = (current or {}).get(account)
    if task.params["state"] == "present" and isinstance(entry, dict):
        exported = entry.get("lwa_client_secret")
        refuse_unknown_secret("%s (account %s)" % (path, account), exported if isinstance(exported, str) else None,
                              credentials["lwa_client_secret"], held, vault_path)
    changes.before["credentials_file"] = {"path": path, "accounts": sorted(current or {})}
    changes.after["credentials_file"] = {"path": path, "accounts": sorted(after or {}),
                                         "changed_keys": {account: changed} if operation else {}}
    loose = after is not None and mode not in (None, PRIVATE_MODE)
    if operation:
        changes.add("%s %s: account %s%s" % (operation, path, account, " (%s)" % ", ".join(changed) if changed else ""))
    elif loose:
        changes.add("set the mode of %s to 0600 (it was %04o)" % (path, mode))
    return FilePlan(path, operation, after, loose)


def export_file(task, plan):
    if task.check_mode or not (plan.operation or plan.loose):
        return
    try:
        if plan.operation == "delete":
            os.remove(plan.path)
        elif plan.operation:
            write_credentials_file(plan.path, plan.after)
        else:
            restrict_mode(plan.path)
    except OSError as exc:
        raise ExportError("cannot write %s: %s" % (plan.path, exc.strerror))
