"""The LWA vault's fingerprints of the client secrets it has held: pure, idempotent, bounded, never the secret."""

import json

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import LWA_VAULT_KEYS
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.export import (
    ExportError,
    exported_secret,
    refuse_unknown_secret,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.fingerprints import (
    FINGERPRINTS_KEY,
    KEYS,
    MAX_FINGERPRINTS,
    SALT_KEY,
    carry,
    fingerprint,
    held,
    remember,
)

S1, S2, S3 = ("amzn1.oa2-cs.v1.%s" % (c * 64) for c in "abc")
SALT = "00112233445566778899aabbccddeeff"


def fixed_salt():
    return SALT


def vault(current=S2, previous=None, **extra):
    content = {"lwa_client_id": "amzn1.application-oa2-client.x", "lwa_client_secret": current,
               "lwa_previous_client_secret": previous, "team_variable": "kept"}
    content.update(extra)
    return content


def test_the_keys_are_owned_by_the_collection():
    # Owned keys are kept by every writer and never mistaken for a team's own variables.
    assert set(KEYS) <= set(LWA_VAULT_KEYS)


def test_remember_adds_current_then_previous_and_keeps_the_rest():
    content = vault(S2, S1)
    before = json.dumps(content, sort_keys=True)
    remembered = remember(content, fixed_salt)
    assert json.dumps(content, sort_keys=True) == before  # the input is not changed
    assert remembered[SALT_KEY] == SALT
    assert remembered[FINGERPRINTS_KEY] == [fingerprint(SALT, S2), fingerprint(SALT, S1)]
    assert dict((k, v) for k, v in remembered.items() if k not in KEYS) == content


def test_remember_is_idempotent_and_grows_newest_first():
    first = remember(vault(S1), fixed_salt)
    assert remember(first, fixed_salt) == first
    assert remember(first, lambda: pytest.fail("a vault with a salt keeps it")) == first
    rotated = remember(dict(first, lwa_client_secret=S2, lwa_previous_client_secret=S1))
    assert rotated[FINGERPRINTS_KEY] == [fingerprint(SALT, S2), fingerprint(SALT, S1)]
    again = remember(dict(rotated, lwa_client_secret=S3, lwa_previous_client_secret=None))
    assert again[FINGERPRINTS_KEY] == [fingerprint(SALT, s) for s in (S3, S2, S1)]


def test_remember_is_bounded():
    content = vault(S1)
    for n in range(MAX_FINGERPRINTS + 5):
        content = remember(dict(content, lwa_client_secret="secret-%d" % n), fixed_salt)
    assert len(content[FINGERPRINTS_KEY]) == MAX_FINGERPRINTS
    assert content[FINGERPRINTS_KEY][0] == fingerprint(SALT, "secret-%d" % (MAX_FINGERPRINTS + 4))


@pytest.mark.parametrize("content", [None, {}, {"lwa_client_id": "x"}, {"lwa_client_secret": None, "other": 1}])
def test_nothing_to_remember_changes_nothing(content):
    assert remember(content, lambda: pytest.fail("no salt without a secret")) == dict(content or {})


def test_a_new_salt_drops_fingerprints_it_cannot_match():
    content = remember(vault(S1), fixed_salt)
    broken = dict(content, lwa_client_secret=S2)
    del broken[SALT_KEY]
    remembered = remember(broken, lambda: "ff" * 16)
    assert remembered[FINGERPRINTS_KEY] == [fingerprint("ff" * 16, S2)]
    # Hand-edited junk in the list is dropped, good entries kept.
    junk = dict(content, **{FINGERPRINTS_KEY: ["short", 42, None] + content[FINGERPRINTS_KEY]})
    assert remember(junk)[FINGERPRINTS_KEY] == content[FINGERPRINTS_KEY]


def test_fingerprints_are_short_salted_and_never_the_secret():
    remembered = remember(vault(S2, S1))
    text = json.dumps(remembered[FINGERPRINTS_KEY]) + remembered[SALT_KEY]
    assert S1 not in text and S2 not in text and S1[-24:] not in text
    assert all(len(f) == 24 and int(f, 16) >= 0 for f in remembered[FINGERPRINTS_KEY])
    assert remember(vault(S1))[SALT_KEY] != remember(vault(S1))[SALT_KEY]  # a random salt per vault
    assert fingerprint("a", S1) != fingerprint("b", S1)


@pytest.mark.parametrize("content, secret, expected", [
    # A vault without fingerprints yet (written by an older version): current and previous count.
    (vault(S2, S1), S2, True),
    (vault(S2, S1), S1, True),
    (vault(S2, S1), S3, False),
    (vault(S2), S1, False),
    # Remembered: an older secret the vault held is recognised, a foreign one is not.
    (dict(remember(vault(S1), fixed_salt), lwa_client_secret=S3), S1, True),
    (dict(remember(vault(S1), fixed_salt), lwa_client_secret=S3), S2, False),
    # Fingerprints without their salt prove nothing.
    (dict(vault(S3), **{FINGERPRINTS_KEY: [fingerprint(SALT, S1)]}), S1, False),
    (vault(S2), None, False),
    (vault(S2), "", False),
    (None, S1, False),
])
def test_held(content, secret, expected):
    assert held(content, secret) is expected


# --- lwa_export: an export holding a secret the vault never held is left alone ------------------------------

@pytest.mark.parametrize("exported, refused", [
    (None, False),  # nothing exported yet
    (S3, False),  # current
    (S2, False),  # previous: brought up to date
    (S1, False),  # held long ago, remembered by its fingerprint: brought up to date
    ("amzn1.oa2-cs.v1.rotated-elsewhere", True),
])
def test_exports_never_go_backwards(exported, refused):
    content = dict(remember(vault(S1), fixed_salt), lwa_client_secret=S2)
    content = remember(dict(remember(content), lwa_client_secret=S3, lwa_previous_client_secret=S2))

    def vault_held(secret):
        return held(content, secret)

    if refused:
        with pytest.raises(ExportError) as error:
            refuse_unknown_secret("Secrets Manager secret 'sp-api/lwa'", exported, S3, vault_held, "lwa.vault.yml")
        message = str(error.value)
        assert message.startswith("Secrets Manager secret 'sp-api/lwa' holds an LWA client secret that the vault "
                                  "file lwa.vault.yml never held")
        assert exported not in message and "left untouched" in message
    else:
        refuse_unknown_secret("x", exported, S3, vault_held, "lwa.vault.yml")


@pytest.mark.parametrize("text, secret", [
    (None, None), ("", None), ("not json", None), ("[1]", None), ('{"LWA_CLIENT_SECRET": 3}', None),
    ('{"LWA_CLIENT_SECRET": "s", "other": 1}', "s"),
])
def test_exported_secret(text, secret):
    assert exported_secret(text) == secret


def test_carry_keeps_what_the_replaced_content_held():
    # A vault written before fingerprints existed holds S1; the new content (from a plan that knows
    # nothing of fingerprints) holds S2 alone: S1 stays held.
    before = vault(S1)
    after = {"lwa_client_id": "amzn1.application-oa2-client.x", "lwa_client_secret": S2}
    carried = carry(before, after, fixed_salt)
    assert carried[FINGERPRINTS_KEY] == [fingerprint(SALT, S2), fingerprint(SALT, S1)]
    assert held(carried, S1) and held(carried, S2) and not held(carried, S3)
    assert carry(before, carried, fixed_salt) == carried  # idempotent
    # Fingerprints the replaced content had are kept under its salt, newest first, bounded.
    later = carry(carried, dict(after, lwa_client_secret=S3), lambda: pytest.fail("the salt is kept"))
    assert later[FINGERPRINTS_KEY] == [fingerprint(SALT, s) for s in (S3, S2, S1)]
    assert later[SALT_KEY] == SALT and "team_variable" not in later
    # Nothing before: just remember what comes.
    assert carry(None, after, fixed_salt) == remember(after, fixed_salt)
