"""Who decides how many attempts a call gets: botocore's precedence, then the collection's default.

Pure: clients are built (offline) and their configuration read; no call is made.
"""

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import DEFAULT_RETRIES, AwsConnection


@pytest.mark.parametrize("aws_config, environment, profile, expected", [
    (None, {}, "", DEFAULT_RETRIES),
    ({"retries": {"mode": "adaptive", "total_max_attempts": 3}}, {"AWS_MAX_ATTEMPTS": "1"}, "max_attempts = 7\n",
     {"mode": "adaptive", "total_max_attempts": 3}),
    (None, {"AWS_MAX_ATTEMPTS": "1"}, "", {"mode": "standard", "total_max_attempts": 1}),
    (None, {"AWS_RETRY_MODE": "adaptive"}, "", {"mode": "adaptive"}),
    (None, {}, "max_attempts = 7\n", {"mode": "standard", "total_max_attempts": 7}),
    (None, {}, "retry_mode = legacy\n", {"mode": "legacy"}),
    (None, {}, "region = eu-west-1\n", DEFAULT_RETRIES),
])
def test_retry_precedence(tmp_path, monkeypatch, aws_config, environment, profile, expected):
    for name in ("AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = tmp_path / "config"
    config.write_text("[profile ops]\n" + profile)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    params = {"profile": "ops", "region": "us-east-1", "aws_config": aws_config}
    # When the environment or the profile speaks, botocore reads it itself.
    assert AwsConnection(params).iam.meta.config.retries == expected
