"""Throttling storms and transient 5xx: botocore's retry modes carry the run through.

Every call, IAM and STS alike, goes through the proxy: a quarter of them are answered
Throttling and about one in twenty 503 ServiceUnavailable, before they reach moto server.
"""

import botocore.retries.standard
import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import (
    DEFAULT_RETRIES,
    AwsConnection,
    AwsFailure,
    read,
)
from tests.reliability.helpers import (
    USER,
    admin_with_enforcement,
    assert_one_working_key,
    onboard,
)
from tests.support.ansible import play, run_playbook
from tests.support.aws_proxy import AwsProxy
from tests.support.moto import writes
from tests.support.paths import REPO


def storm(proxy):
    proxy.add_fault("*", "Throttling", message="Rate exceeded", rate=0.25)
    proxy.add_fault("*", "ServiceUnavailable", message="Service unavailable", rate=0.05)


def injected(proxy, code):
    return sum(n for (action, fault, where), n in proxy.injected.items() if fault == code)


def test_storm_converges_then_rerun_writes_nothing(moto, aws, tmp_path):
    credentials = admin_with_enforcement(aws)
    with AwsProxy(moto.url, seed=7) as proxy:
        storm(proxy)
        first = onboard(tmp_path, proxy.url, credentials)
        first.assert_ok()
        assert injected(proxy, "Throttling") >= 5 and injected(proxy, "ServiceUnavailable") >= 1, proxy.injected
        vault = assert_one_working_key(moto.url, credentials, tmp_path / "sp.vault.yml")

        # Still storming: the second run converges too, with zero writes, and verify passes. A converged
        # run makes only 8 calls, so two throttled answers are certain, beside the random ones.
        proxy.add_fault(["ListAccessKeys"], "Throttling", message="Rate exceeded", times=2)
        before = injected(proxy, "Throttling")
        moto.start_recording()
        second = onboard(tmp_path, proxy.url, credentials)
        actions = moto.stop_recording()
        second.assert_ok()
        assert injected(proxy, "Throttling") > before
    assert "AssumeRole" in actions and "ListAccessKeys" in actions, actions
    assert writes(actions) == [], writes(actions)
    assert "changed=0" in second.stdout and "failed=0" in second.stdout, second.stdout
    assert assert_one_working_key(moto.url, credentials, tmp_path / "sp.vault.yml") == vault


def test_aws_config_retries_are_honoured(moto, aws, tmp_path):
    credentials = admin_with_enforcement(aws)
    once = {"aws_config": {"retries": {"mode": "adaptive", "total_max_attempts": 1}}}
    thrice = {"aws_config": {"retries": {"mode": "adaptive", "total_max_attempts": 3}}}
    with AwsProxy(moto.url) as proxy:
        # One attempt only: a single Throttling fails the task, naming the call that was throttled.
        proxy.add_fault(["CreatePolicy"], "Throttling", message="Rate exceeded", times=1)
        failed = onboard(tmp_path, proxy.url, credentials, iam_aws=once)
        assert failed.returncode != 0
        assert "Could not create IAM policy 'SellingPartnerAPI': Throttling: Rate exceeded" in failed.output, \
            failed.output
        assert proxy.calls["CreatePolicy"] == 1
        # Three attempts: two Throttling answers are retried away; a third would not be.
        proxy.add_fault(["CreateRole"], "Throttling", message="Rate exceeded", times=2)
        onboard(tmp_path, proxy.url, credentials, iam_aws=thrice).assert_ok()
        assert proxy.calls["CreateRole"] == 3
        proxy.add_fault(["ListAccessKeys"], "Throttling", message="Rate exceeded", times=3)
        exhausted = onboard(tmp_path, proxy.url, credentials, iam_aws=thrice)
        assert exhausted.returncode != 0
        assert ("Could not list the access keys of IAM user '%s': Throttling: Rate exceeded (gave up after 3 "
                "attempts; aws_config retries.total_max_attempts sets how many)" % USER) in exhausted.output, \
            exhausted.output
    assert_one_working_key(moto.url, credentials, tmp_path / "sp.vault.yml")
    connection = AwsConnection({"aws_config": thrice["aws_config"]})
    assert connection.iam.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 3}
    assert AwsConnection({}).sts.meta.config.retries == DEFAULT_RETRIES


def test_a_drained_retry_quota_is_reported_not_silent(moto, monkeypatch):
    """botocore stops retrying once a client's retry quota is spent; the failure says so."""
    small = botocore.retries.standard.quota.RetryQuota

    class SmallQuota(small):
        def __init__(self, initial_capacity=10, lock=None):
            super(SmallQuota, self).__init__(initial_capacity, lock)

    monkeypatch.setattr(botocore.retries.standard.quota, "RetryQuota", SmallQuota)
    with AwsProxy(moto.url) as proxy:
        proxy.add_fault(["GetUser"], "Throttling", message="Rate exceeded", times=50)
        connection = AwsConnection({"endpoint_url": proxy.url, "access_key": "testing", "secret_key": "testing",
                                    "region": "us-east-1"})
        with pytest.raises(AwsFailure) as error:
            read("read IAM user 'nobody'", connection.iam.get_user, UserName="nobody")
        # 10 units pay for two throttling retries (5 each), far fewer than total_max_attempts 10.
        assert proxy.calls["GetUser"] == 3
    assert error.value.code == "Throttling"
    assert str(error.value) == (
        "Could not read IAM user 'nobody': Throttling: Rate exceeded (after 2 retries botocore's retry quota "
        "for this connection was used up, so it stopped retrying: AWS is throttling or failing most calls; "
        "re-run later or lower the request rate)")


@pytest.mark.parametrize("connection", ["local", "remote_local"])
def test_the_task_environment_says_how_many_attempts_in_process_as_in_a_module(moto, tmp_path, connection):
    """environment: {AWS_MAX_ATTEMPTS: "1"} is obeyed on both transports; without it, the collection's 10."""
    def get_user(environment):
        task = {"name": "user", "spapi.onboarding.iam_user": {"name": "EnvUser"}, "ignore_errors": True}
        if environment:
            task["environment"] = environment
        return task

    env = {"ANSIBLE_CONNECTION_PLUGINS": str(REPO / "tests" / "support" / "connection_plugins")}
    with AwsProxy(moto.url) as proxy:
        proxy.add_fault(["GetUser"], "Throttling", message="Rate exceeded", times=100)
        book = play([get_user({"AWS_MAX_ATTEMPTS": "1"})], vars={"ansible_connection": connection})
        once = run_playbook(book, tmp_path, proxy.url, env=env)
        assert proxy.calls["GetUser"] == 1, once.output
        assert "Throttling: Rate exceeded" in once.result("user")["msg"]
        proxy.clear()
        proxy.add_fault(["GetUser"], "Throttling", message="Rate exceeded", times=100)
        book = play([get_user({"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "2"})],
                    vars={"ansible_connection": connection})
        run_playbook(book, tmp_path, proxy.url, env=env)
        assert proxy.calls["GetUser"] == 2
