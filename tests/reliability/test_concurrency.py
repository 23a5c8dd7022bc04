"""Two pipelines onboard the same IAM user at the same time.

Same vault file (one controller, or a shared directory): the lock on <vault_file>.lock
serializes key creation and the vault write, so the second run finds the first one's key.
Different vault files (two controllers): no lock can help; one run ends with a clear failure
naming the other's key, and nothing is silently kept twice.
"""

import threading

import pytest
from ansible.parsing.vault import VaultSecret

from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import key_store
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import LocalStore
from ansible_collections.spapi.onboarding.plugins.module_utils._access_key.ensure import AccessKeyError, ensure_access_key
from ansible_collections.spapi.onboarding.plugins.modules.access_key import ARGUMENT_SPEC

from tests.reliability.helpers import (
    USER,
    admin_with_enforcement,
    assert_one_working_key,
    key_ids,
    onboard,
    read_vault,
)
from tests.support.aws_proxy import AwsProxy
from tests.support.moto import writes
from tests.support.tasks import make_task


def at_once(*runs):
    """Start the onboarding runs together; return their PlaybookRuns in order."""
    results = [None] * len(runs)

    def run(index, args, kwargs):
        results[index] = onboard(*args, **kwargs)

    threads = [threading.Thread(target=run, args=(i, args, kwargs)) for i, (args, kwargs) in enumerate(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_runs_with_one_vault_file(moto, aws, tmp_path):
    credentials = admin_with_enforcement(aws)
    shared = str(tmp_path / "sp.vault.yml")
    with AwsProxy(moto.url, latency=0.02) as proxy:
        runs = at_once(((tmp_path / "one", proxy.url, credentials), {"iam_vault_file": shared}),
                       ((tmp_path / "two", proxy.url, credentials), {"iam_vault_file": shared}))
        for run in runs:
            run.assert_ok()
        assert proxy.calls["CreateAccessKey"] == 1, proxy.calls
        # Racing creates of the user, policy and role were adopted, not duplicated or failed.
        moto.start_recording()
        onboard(tmp_path / "three", proxy.url, credentials, iam_vault_file=shared).assert_ok()
        assert writes(moto.stop_recording()) == []
    assert_one_working_key(moto.url, credentials, shared)


def test_two_runs_with_two_vault_files(moto, aws, tmp_path):
    """Two controllers, each with its own vault file: no lock is shared. Whichever way the runs
    interleave, at least one of them ends naming the other's key (both do when their creates and
    checks cross exactly), never both silently keeping a key; one more run from a vault file that
    is kept, with on_unknown_keys=delete, converges."""
    credentials = admin_with_enforcement(aws)
    with AwsProxy(moto.url, latency=0.02) as proxy:
        runs = dict(zip(("one", "two"), at_once(((tmp_path / "one", proxy.url, credentials), {}),
                                                ((tmp_path / "two", proxy.url, credentials), {}))))
        vaults = dict((name, read_vault(tmp_path / name / "sp.vault.yml")) for name in runs)
        failed = [name for name, run in runs.items() if run.returncode != 0]
        assert failed, "both runs ended ok: %s" % key_ids(moto.url, credentials)
        for loser in failed:
            other = "two" if loser == "one" else "one"
            output = runs[loser].output
            # Either it saw the other's key before creating one (nothing created), or both created at
            # once and it saw the other's key appear right after its own.
            if vaults[other]:
                assert vaults[other]["aws_access_key_id"] in output, output
            assert ("does not hold:" in output
                    or "got another active access key while this run created" in output), output
        kept = "one" if "one" not in failed or vaults["one"] else "two"
        assert vaults[kept], "no run stored a key"
        kept_key = vaults[kept]["aws_access_key_id"]
        assert kept_key in key_ids(moto.url, credentials)
        onboard(tmp_path / kept, proxy.url, credentials, iam_on_unknown_keys="delete").assert_ok()
    assert assert_one_working_key(moto.url, credentials, tmp_path / kept / "sp.vault.yml")["aws_access_key_id"] \
        == kept_key


def test_a_key_created_by_another_run_meanwhile_is_named(moto, aws, tmp_path):
    """Deterministic form of the race: another run's CreateAccessKey lands right after ours."""
    aws.iam.create_user(UserName=USER)
    task = make_task(ARGUMENT_SPEC, moto.url, False, False, vault_file="sp.vault.yml")
    other = []

    def other_run_creates(**kwargs):
        other.append(aws.iam.create_access_key(UserName=USER)["AccessKey"]["AccessKeyId"])

    task.aws.iam.meta.events.register("after-call.iam.CreateAccessKey", other_run_creates)
    path = tmp_path / "sp.vault.yml"
    store = key_store(LocalStore(str(path)), [("spapi", VaultSecret(b"pw"))])
    with pytest.raises(AccessKeyError) as failure:
        ensure_access_key(task, store)
    message, report = str(failure.value), failure.value.report
    ours = report["access_key_id"]
    assert ("IAM user '%s' got another active access key while this run created %s: %s" % (USER, ours, other[0])
            in message), message
    assert "The new key %s is stored in %s" % (ours, path) in message
    assert report["unknown_key_ids"] == other
    # Nothing deleted: the other key may be in another vault file.
    assert sorted(k["AccessKeyId"] for k in aws.iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]) == \
        sorted([ours, other[0]])
