# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vault file that holds the access key: the only place the secret is persisted.

ansible-core's Vault API is internal and moves between versions; every use of it
is in this file. The file is a YAML mapping encrypted as a whole, so that
`ansible-vault view` and `include_vars` read it as they read any vault file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile

import yaml

from ansible import constants as C
from ansible.parsing.vault import VaultLib, match_encrypt_secret

try:  # ansible-core >= 2.19
    from ansible.parsing.vault import VaultSecretsContext
except ImportError:  # pragma: no cover - older cores
    VaultSecretsContext = None

from ansible_collections.spapi.onboarding.plugins.module_utils._validate import ValidationError

VAULT_KEYS = ("aws_access_key_id", "aws_secret_access_key", "iam_user_arn", "created")
NO_SECRET_HELP = (
    "no vault password is loaded, so the access key cannot be stored. Run ansible-playbook with "
    "--vault-id <id>@prompt (or --vault-id <id>@<password file>, or --vault-password-file <file>)"
)


class VaultFileError(Exception):
    """The vault file cannot be read or written; the message never contains its content."""


def loaded_secrets(loader=None):
    """The (vault_id, secret) pairs ansible-playbook loaded from --vault-id/--vault-password-file."""
    if VaultSecretsContext is not None:
        context = VaultSecretsContext.current(optional=True)
        if context is not None and context.secrets:
            return list(context.secrets)
    vault = getattr(loader, "_vault", None)
    return list(getattr(vault, "secrets", None) or [])


def encryption_secret(secrets, vault_id=None, option="vault_id"):
    """Pick the secret to encrypt with (vault_id, else the configured vault_encrypt_identity,
    else the first loaded), or explain how to provide one."""
    if not secrets:
        raise ValidationError(option, NO_SECRET_HELP)
    vault_id = vault_id or C.DEFAULT_VAULT_ENCRYPT_IDENTITY
    try:
        return match_encrypt_secret(secrets, vault_id or None)
    except Exception:
        raise ValidationError(option, "no vault secret with id %r is loaded; loaded ids: %s"
                              % (vault_id, ", ".join(sorted(set(v for v, dummy in secrets)))))


def check_writable(path, option="vault_file"):
    """Refuse a vault path that cannot be written, before anything is created in AWS."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ValidationError(option, "%s is a directory, not a file" % path)
    if not os.path.isdir(directory):
        raise ValidationError(option, "the directory %s does not exist" % directory)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ValidationError(option, "the directory %s is not writable" % directory)
    return path


def read_vault_file(path, secrets):
    """Decrypt and parse the vault file; None when it does not exist."""
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as handle:
            vaulttext = handle.read()
    except OSError as exc:
        raise VaultFileError("cannot read the vault file %s: %s" % (path, exc.strerror))
    if not VaultLib.is_encrypted(vaulttext):
        raise VaultFileError("%s is not an Ansible Vault file" % path)
    try:
        plaintext = VaultLib(secrets).decrypt(vaulttext)
    except Exception:
        raise VaultFileError("cannot decrypt the vault file %s with the vault secrets given to ansible-playbook" % path)
    try:
        data = yaml.safe_load(plaintext)
    except yaml.YAMLError:
        # The parser's message would quote the content, which holds the secret.
        raise VaultFileError("the vault file %s does not contain valid YAML" % path)
    if not isinstance(data, dict):
        raise VaultFileError("the vault file %s does not contain a YAML mapping" % path)
    return data


def write_vault_file(path, data, secrets, vault_id=None):
    """Encrypt data and replace the vault file atomically: temp file, fsync, rename, mode 0600."""
    encrypt_id, secret = encryption_secret(secrets, vault_id)
    plaintext = yaml.safe_dump(dict((k, data[k]) for k in VAULT_KEYS if k in data), default_flow_style=False)
    vaulttext = VaultLib(secrets).encrypt(plaintext, secret, vault_id=encrypt_id)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, temp_path = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path), suffix=".tmp")
    except OSError as exc:
        raise VaultFileError("cannot write the vault file %s: %s" % (path, exc.strerror))
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(vaulttext)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_path, path)
    except OSError as exc:
        _remove_quietly(temp_path)
        raise VaultFileError("cannot write the vault file %s: %s" % (path, exc.strerror))
    except BaseException:
        _remove_quietly(temp_path)
        raise
    _fsync_directory(directory)


def remove_vault_file(path):
    if os.path.exists(path):
        os.remove(path)
        _fsync_directory(os.path.dirname(os.path.abspath(path)))


def _remove_quietly(path):
    try:
        os.remove(path)
    except OSError:
        pass


def _fsync_directory(directory):
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
