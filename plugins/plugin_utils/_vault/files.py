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

import errno
import os
import stat
import tempfile

import yaml

from ansible import constants as C
from ansible.parsing.vault import VaultLib, match_encrypt_secret

try:  # ansible-core >= 2.19
    from ansible.parsing.vault import VaultSecretsContext
except ImportError:  # pragma: no cover - older cores
    VaultSecretsContext = None

from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.runner import job_data_dir
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.file_safety import (
    PRIVATE_MODE,
    check_safe_file,
    open_nofollow,
)

# The keys the collection owns in the file; any other key (a team's own variables) is kept.
VAULT_KEYS = ("aws_access_key_id", "aws_secret_access_key", "iam_user_arn", "created")


def resolve_vault_path(path):
    """A relative path is relative to where ansible-playbook runs (the controller's current directory).

    Links are not resolved: a path that is a link is refused where it is used, never followed."""
    return os.path.abspath(os.path.expanduser(path))


def no_vault_password(consequence):
    """Why the task stops without a vault password, and how to give ansible-playbook one."""
    return ("no vault password is loaded, so %s. Run ansible-playbook with --vault-id <id>@prompt "
            "(or --vault-id <id>@<password file>, or --vault-password-file <file>)" % consequence)


NO_SECRET_HELP = no_vault_password("the access key cannot be stored")


class VaultFileError(SpapiError):
    """The vault file cannot be read or written; the message never contains its content."""


class WrongVaultSecret(VaultFileError):
    """None of the vault secrets given to ansible-playbook opens the file."""


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


def vault_id_of(path):
    """The vault id in the local file's header (None for a 1.1 header or no file), to re-encrypt it alike."""
    try:
        fd = open_nofollow(path, os.O_RDONLY)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        return header_vault_id(handle.readline())


def split_owned(content, owned_keys):
    """(ours, others): the keys of a vault file's content that a module owns, and every other key, which
    it keeps as it is. ours is None when the file holds none of them."""
    content = content or {}
    ours = dict((k, v) for k, v in content.items() if k in owned_keys) or None
    others = dict((k, v) for k, v in content.items() if k not in owned_keys)
    return ours, others


def reencrypt_id(path, secrets, vault_id=None, exists=True):
    """The vault id to encrypt an existing file with: vault_id when given, else the id in the file's
    header when that id is loaded (its owners can still open it), else None (Ansible's default)."""
    if vault_id or not exists:
        return vault_id or None
    existing = vault_id_of(path)
    return existing if existing in set(v for v, dummy in secrets) else None


def decrypt_vault_text(vaulttext, secrets, location):
    """The YAML mapping inside an Ansible Vault text; errors name the location, never the content."""
    if not VaultLib.is_encrypted(vaulttext):
        raise VaultFileError("%s is not an Ansible Vault file; it was left untouched" % location)
    try:
        plaintext = VaultLib(secrets).decrypt(vaulttext)
    except Exception:
        raise WrongVaultSecret("cannot decrypt the vault file %s with the vault secrets given to ansible-playbook"
                               % location)
    try:
        data = yaml.safe_load(plaintext)
    except yaml.YAMLError:
        # The parser's message would quote the content, which holds the secret.
        raise VaultFileError("the vault file %s does not contain valid YAML; it was left untouched" % location)
    if not isinstance(data, dict):
        raise VaultFileError("the vault file %s does not contain a YAML mapping; it was left untouched" % location)
    return data


def encrypt_vault_data(data, secrets, vault_id, location):
    """The Ansible Vault text of data (every key of it), encrypted as a whole."""
    encrypt_id, secret = encryption_secret(secrets, vault_id)
    try:
        plaintext = yaml.safe_dump(plain(data), default_flow_style=False, sort_keys=False)
        return VaultLib(secrets).encrypt(plaintext, secret, vault_id=encrypt_id)
    except Exception as exc:
        # Its text could quote the content, which holds a secret: name the kind only.
        raise VaultFileError("cannot write the vault file %s (%s)" % (location, type(exc).__name__))


def header_vault_id(vaulttext):
    """The vault id in a vault text's header (None for a 1.1 header or no text)."""
    header = (vaulttext or b"").split(b"\n", 1)[0].strip().split(b";")
    if len(header) >= 4 and header[0] == b"$ANSIBLE_VAULT" and header[1] == b"1.2":
        return header[3].decode("utf-8", "replace")
    return None


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


def read_vault_file(path, secrets, require_private=True):
    """Decrypt and parse the local vault file; None when it does not exist."""
    vaulttext = read_local_text(path, require_private)
    return None if vaulttext is None else decrypt_vault_text(vaulttext, secrets, path)


def write_vault_file(path, data, secrets, vault_id=None):
    """Encrypt data (every key of it) and replace the local vault file atomically."""
    write_local_text(path, encrypt_vault_data(data, secrets, vault_id, path))


def write_local_text(path, vaulttext):
    """Replace the local file atomically: temp file in the same directory, fsync, rename, mode 0600.
    The rename replaces the path itself, never a link's target."""
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


def plain(value):
    """Plain Python types for yaml.safe_dump: ansible-core 2.19 hands tagged str subclasses around."""
    if isinstance(value, dict):
        return dict((plain(k), plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def remove_vault_file(path):
    try:
        if os.path.exists(path):
            os.remove(path)
            _fsync_directory(os.path.dirname(os.path.abspath(path)))
    except OSError as exc:
        raise VaultFileError("cannot remove the vault file %s: %s" % (path, exc.strerror))


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
