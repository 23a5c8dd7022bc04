# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of spapi.onboarding.lwa_export: reads the LWA vault file on the controller and
writes the exports. The credentials never travel in a module's argument or result file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat
import tempfile

import yaml

from ansible_collections.spapi.onboarding.plugins.module_utils._iam.common import Changes
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.export import (
    ExportError,
    export_secret,
    plan_credentials_file,
    validate_export_params,
    vaulted_credentials,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.modules.lwa_export import ARGUMENT_SPEC
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.action import ControllerAction
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.file_safety import (
    PRIVATE_MODE,
    check_safe_file,
    open_nofollow,
)
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import (
    loaded_secrets,
    no_vault_password,
    read_vault_file,
    resolve_vault_path,
    restrict_mode,
)

NO_SECRET = no_vault_password("the LWA vault file cannot be read")


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
    if missing:  # created 0700 by this task: what must be sound is where they are created
        if not os.path.isdir(existing) or not os.access(existing, os.W_OK | os.X_OK):
            raise ValidationError(option, "cannot create the directory %s: %s is not a writable directory"
                                  % (missing[0], existing))
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


def _plain(value):
    """Plain types for yaml.safe_dump (ansible-core 2.19 hands tagged str subclasses around)."""
    if isinstance(value, dict):
        return dict((str(k), _plain(v)) for k, v in value.items())
    return str(value) if isinstance(value, str) else value


def write_credentials_file(path, data):
    """Create missing directories 0700, then replace the file atomically (temp file, fsync, rename), 0600."""
    for directory in missing_directories(os.path.dirname(path))[1]:
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            pass  # appeared meanwhile: the check below decides whether it may be used
    check_safe_file(path, "credentials_file")
    directory = os.path.dirname(path)
    fd, temp_path = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path), suffix=".tmp")
    try:
        os.fchmod(fd, PRIVATE_MODE)
        with os.fdopen(fd, "w") as handle:
            yaml.safe_dump(_plain(data), handle, default_flow_style=False, sort_keys=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_path, path)
    except BaseException:
        try:
            os.remove(temp_path)
        except OSError:
            pass
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def export_file(task, path, credentials, changes):
    account = task.params["account"]
    current, mode = read_credentials_file(path)
    operation, after, changed = plan_credentials_file(current, account, credentials, task.params["state"])
    changes.before["credentials_file"] = {"path": path, "accounts": sorted(current or {})}
    changes.after["credentials_file"] = {"path": path, "accounts": sorted(after or {}),
                                         "changed_keys": {account: changed} if operation else {}}
    loose = after is not None and mode not in (None, PRIVATE_MODE)
    if operation:
        changes.add("%s %s: account %s%s" % (operation, path, account, " (%s)" % ", ".join(changed) if changed else ""))
    elif loose:
        changes.add("set the mode of %s to 0600 (it was %04o)" % (path, mode))
    if task.check_mode or not (operation or loose):
        return
    try:
        if operation == "delete":
            os.remove(path)
        elif operation:
            write_credentials_file(path, after)
        else:
            restrict_mode(path)
    except OSError as exc:
        raise ExportError("cannot write %s: %s" % (path, exc.strerror))


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    HOLDS_SECRETS = True

    def handle(self, task, task_vars):
        params = task.params
        validate_export_params(params)
        path = resolve_vault_path(params["credentials_file"]) if params.get("credentials_file") else None
        if path:
            check_credentials_path(path)
        credentials = None
        if params["state"] == "present":  # removing an export needs no credentials
            credentials = self._vaulted(params)
        changes, result = Changes(), {"account": params["account"], "credentials_file": path, "secret": None}
        try:
            if path:
                export_file(task, path, credentials, changes)
            if params.get("secret_name"):
                result["secret"] = export_secret(task, credentials, changes)
        except ExportError as exc:
            return dict(result, failed=True, msg=str(exc), changed=changes.changed, actions=changes.actions)
        return changes.result(task, **result)

    def _vaulted(self, params):
        secrets = loaded_secrets(self._loader)
        if not secrets:
            raise ValidationError("vault_id", NO_SECRET)
        if params.get("vault_id"):
            secrets = [(ident, secret) for ident, secret in secrets if ident == params["vault_id"]]
            if not secrets:
                raise ValidationError("vault_id", "no vault secret with id %r is loaded" % params["vault_id"])
        vault_path = resolve_vault_path(params["vault_file"])
        content = read_vault_file(vault_path, secrets)
        if content is None:
            raise ValidationError("vault_file", "the LWA vault file %s does not exist: store the credentials first "
                                                "(spapi.onboarding.lwa_credentials)" % vault_path)
        try:
            return vaulted_credentials(content, vault_path)
        except ExportError as exc:
            raise ValidationError("vault_file", str(exc))
