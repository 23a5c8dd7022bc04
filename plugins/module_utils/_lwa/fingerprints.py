# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which LWA client secrets the vault file has held, remembered as short salted fingerprints.

An export (a Secrets Manager secret, a credentials.yml) that holds a client secret this vault
never held was written by a rotation somewhere else (another controller, another vault file):
overwriting it with ours would put an older secret back. One that holds a secret the vault did
hold is merely behind, and is brought up to date. The vault remembers only fingerprints, never
the old secrets themselves: an HMAC-SHA256 of the secret under a random salt kept in the same
vault file, cut short (a secret's 96 bits of fingerprint cannot be reversed or collide by chance).

Pure: no I/O. remember() is idempotent and cheap (a few HMACs), so every vault write can call it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import hashlib
import hmac
import os

FINGERPRINTS_KEY = "lwa_client_secret_fingerprints"
SALT_KEY = "lwa_fingerprint_salt"
KEYS = (FINGERPRINTS_KEY, SALT_KEY)
# Newest first, bounded: a secret rotated every 180 days leaves 12 fingerprints in about six years.
MAX_FINGERPRINTS = 12
FINGERPRINT_CHARS = 24  # 96 bits, hex
SALT_BYTES = 16


def new_salt():
    return binascii.hexlify(os.urandom(SALT_BYTES)).decode("ascii")


def fingerprint(salt, secret):
    """The short fingerprint of a secret under the vault's salt (hex)."""
    digest = hmac.new(str(salt).encode("utf-8"), str(secret).encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:FINGERPRINT_CHARS]


def _remembered(content):
    """The fingerprints the content lists, only well-formed ones (a hand-edited entry is dropped)."""
    listed = content.get(FINGERPRINTS_KEY)
    if not isinstance(listed, list):
        return []
    return [str(f) for f in listed if isinstance(f, str) and len(f) == FINGERPRINT_CHARS]


def _secrets(content):
    """The client secrets the content holds now: the current one first, then the previous one."""
    return [str(content[key]) for key in ("lwa_client_secret", "lwa_previous_client_secret")
            if isinstance(content.get(key), str) and content[key]]


def _unique(values):
    """values without repeats, in their order."""
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def remember(content, make_salt=new_salt):
    """The vault content with the fingerprints of its current and previous client secret added.

    Returns a new mapping (content is not changed): lwa_client_secret_fingerprints lists the
    fingerprints newest first, without repeats, at most MAX_FINGERPRINTS; lwa_fingerprint_salt
    keeps the salt (make_salt() makes one when the content has none). Content without a client
    secret is returned as it is. remember(remember(c)) == remember(c).
    """
    result = dict(content or {})
    secrets = _secrets(result)
    if not secrets:
        return result
    salt = result.get(SALT_KEY)
    if isinstance(salt, str) and salt:
        old = _remembered(result)
    else:  # no salt (or a broken one): fingerprints made under another salt can never match again
        salt, old = make_salt(), []
    result[SALT_KEY] = str(salt)
    result[FINGERPRINTS_KEY] = _unique([fingerprint(salt, s) for s in secrets] + old)[:MAX_FINGERPRINTS]
    return result


def carry(before, after, make_salt=new_salt):
    """The content `after` that replaces `before` in a vault, remembering what `before` held.

    A writer that builds the new content from the collection's plan (which knows nothing of
    fingerprints) calls this with the content it read: the fingerprints (and salt) of `before`,
    and those of its current and previous secrets, are kept (a vault written before fingerprints
    existed loses none of its secrets), then `after`'s own secrets are added, newest first.
    Pure and idempotent, like remember().
    """
    old = remember(before or {}, make_salt)
    result = dict(after or {})
    salt = old.get(SALT_KEY)
    if salt and result.get(SALT_KEY) in (None, "", salt):
        listed = _remembered(result) if result.get(SALT_KEY) == salt else []
        result[SALT_KEY] = salt
        result[FINGERPRINTS_KEY] = _unique(listed + _remembered(old))[:MAX_FINGERPRINTS]
    return remember(result, make_salt)


def held(content, secret):
    """Whether the vault (its content) holds or has held this client secret.

    The current and previous secrets count as held even before the vault has fingerprints
    (a vault written by an older version of the collection).
    """
    if not isinstance(secret, str) or not secret:
        return False
    content = content or {}
    if any(hmac.compare_digest(secret.encode("utf-8"), s.encode("utf-8")) for s in _secrets(content)):
        return True
    salt = content.get(SALT_KEY)
    if not isinstance(salt, str) or not salt:
        return False
    mine = fingerprint(salt, secret)
    return any(hmac.compare_digest(mine, f) for f in _remembered(content))
