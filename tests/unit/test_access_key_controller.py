"""access_key's controller-side pieces that need neither AWS nor ansible-playbook."""

import datetime
import os
import threading

import pytest

from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import resolve_vault_path
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.local_lock import vault_lock
from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.plan import (
    key_age_days,
    validate_access_key_params,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import VaultFileError


def params(**overrides):
    values = dict(user_name="SellingPartnerAPIUser", max_age_days=None, wait_timeout=60)
    values.update(overrides)
    return values


@pytest.mark.parametrize("overrides, message", [
    ({"user_name": "Selling Partner"}, "option 'user_name': 'Selling Partner' is not a valid IAM user name"),
    ({"user_name": "u" * 65}, "option 'user_name': IAM user names are at most 64 characters"),
    ({"user_name": ""}, "option 'user_name': an IAM user name is required"),
    ({"max_age_days": 0}, "option 'max_age_days': must be at least 1 day"),
    ({"max_age_days": -3}, "option 'max_age_days': must be zero or more"),
    ({"wait_timeout": -1}, "option 'wait_timeout': must be zero or more"),
])
def test_bad_parameters_name_the_option(overrides, message):
    with pytest.raises(ValidationError) as refused:
        validate_access_key_params(params(**overrides))
    assert message in str(refused.value)


def test_good_parameters_pass():
    validate_access_key_params(params(max_age_days=90, wait_timeout=0, user_name="a.b@c_d-e+f=g,h"))


def test_relative_vault_file_resolves_against_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_vault_path("keys/sp.vault.yml") == os.path.join(str(tmp_path), "keys", "sp.vault.yml")
    assert resolve_vault_path("/srv/sp.vault.yml") == "/srv/sp.vault.yml"


def test_key_age_uses_the_aws_creation_date():
    now = datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc)
    key = {"CreateDate": datetime.datetime(2025, 5, 1, tzinfo=datetime.timezone.utc)}
    assert key_age_days(key, now) == 31.0


def test_lock_makes_a_second_holder_wait(tmp_path):
    path = str(tmp_path / "sp.vault.yml")
    order = []
    with vault_lock(path):
        # Another open of the same lock file (as another process would) cannot take it meanwhile.
        with pytest.raises(VaultFileError, match="held the lock"):
            with vault_lock(path, timeout=0.3):
                pass
        released = threading.Event()

        def second():
            with vault_lock(path, timeout=10):
                order.append("second")
            released.set()

        thread = threading.Thread(target=second)
        thread.start()
        assert not released.wait(0.5)
        order.append("first")
    thread.join(10)
    assert order == ["first", "second"]
    assert os.stat(path + ".lock").st_mode & 0o777 == 0o600
