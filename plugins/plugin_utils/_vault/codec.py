# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible Vault text: the only user of ansible-core's Vault API, whatever store holds the text.

ansible-core's Vault API is internal and moves between versions; every use of it is in this
file. A vault is a YAML mapping encrypted as a whole, so that `ansible-vault view` and
`include_vars` read it as they read any vault file; the vault secrets are the ones
ansible-playbook loaded (--vault-id, --vault-password-file).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import yaml

from ansible import constants as C
from ansible.parsing.vault import VaultLib, match_encrypt_secret

try:  # ansible-core >= 2.19
    from ansible.parsing.vault import VaultSecretsContext
except ImportError:  # pragma: no cover - older cores
    VaultSecretsContext = None

from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError


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


def split_owned(content, owned_keys):
    """(ours, others): the keys of a vault file's content that a module owns, and every other key, which
    it keeps as it is. ours is None when the file holds none of them."""
    content = content or {}
    ours = dict((k, v) for k, v in content.items() if k in owned_keys) or None
    others = dict((k, v) for k, v in content.items() if k not in owned_keys)
    return ours, others


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


def plain(value):
    """Plain Python types for yaml.safe_dump: ansible-core 2.19 hands tagged str subclasses around."""
    if isinstance(value, dict):
        return dict((plain(k), plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value
