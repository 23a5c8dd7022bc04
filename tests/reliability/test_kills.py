"""Kills: ansible-playbook and its workers die at known moments of an onboarding run.

The proxy holds a chosen call (after the server acted, before its reply is returned, unless
said otherwise) and the test SIGKILLs the process group of ansible-playbook and of each of
its workers (ansible-core 2.19 workers run setsid), as a cancelled CI job or a dead machine
would. Re-runs without faults must converge, or fail naming the stray key; never keep two
keys silently. After every kill the vault file is absent or complete.
"""

import os
import signal
import subprocess
import sys
import textwrap

from tests.reliability.helpers import (
    PASSWORD,
    USER,
    Killable,
    admin_iam,
    admin_with_enforcement,
    assert_one_working_key,
    key_ids,
    onboard,
    read_vault,
    temp_files,
)
from tests.support.aws_proxy import AwsProxy


def kill_at(proxy, tmp_path, credentials, action, after=True, drop=False, sig=signal.SIGKILL, **extra_vars):
    """Start a run, wait until the proxy holds `action`, kill the run, then let the call go on
    (to AWS, as a request already on the wire would) or, with drop=True, cut it off there."""
    hold = proxy.hold(action, after=after, drop=drop)
    run = Killable(tmp_path, proxy.url, credentials, **extra_vars)
    try:
        assert hold.reached.wait(90), "the run never called %s:\n%s" % (action, run.kill())
        output = run.kill(sig)
    finally:
        hold.release.set()
    assert hold.done.wait(30)
    # Whatever the kill interrupted, the vault file is absent or whole (read_vault checks).
    return output, read_vault(tmp_path / "sp.vault.yml")


def test_kills_during_a_first_run_then_reruns(moto, aws, tmp_path):
    credentials = admin_with_enforcement(aws)
    iam = admin_iam(moto.url, credentials)
    vault_file = tmp_path / "sp.vault.yml"
    with AwsProxy(moto.url) as proxy:
        # Each re-run gets past the step where the previous run died (the hold proves it was
        # reached) and is itself killed at a later step.
        assert kill_at(proxy, tmp_path, credentials, "CreateUser")[1] is None
        assert iam.get_user(UserName=USER)["User"]["UserName"] == USER
        assert kill_at(proxy, tmp_path, credentials, "CreateRole")[1] is None
        assert kill_at(proxy, tmp_path, credentials, "PutUserPolicy")[1] is None
        assert proxy.calls["CreateUser"] == 1 and proxy.calls["CreateRole"] == 1, proxy.calls

        # Killed while CreateAccessKey's reply (with the only copy of the secret) is in flight.
        assert kill_at(proxy, tmp_path, credentials, "CreateAccessKey")[1] is None
        strays = key_ids(moto.url, credentials)
        assert len(strays) == 1
        assert temp_files(tmp_path) == []

        # A plain re-run refuses to guess: it names the key nobody holds and changes nothing.
        refused = onboard(tmp_path, proxy.url, credentials)
        assert refused.returncode != 0
        assert ("IAM user '%s' has active access keys that %s does not hold: %s" % (USER, vault_file, strays[0])
                in refused.output), refused.output
        assert key_ids(moto.url, credentials) == strays and not vault_file.exists()

        # The operator's decision: delete unknown keys. One key, vaulted, able to assume the role.
        onboard(tmp_path, proxy.url, credentials, iam_on_unknown_keys="delete").assert_ok()
    vault = assert_one_working_key(moto.url, credentials, vault_file)
    assert vault["aws_access_key_id"] != strays[0]


def test_kill_and_ctrl_c_during_rotation(moto, aws, tmp_path):
    credentials = admin_with_enforcement(aws)
    vault_file = tmp_path / "sp.vault.yml"
    with AwsProxy(moto.url) as proxy:
        onboard(tmp_path, proxy.url, credentials).assert_ok()
        first = read_vault(vault_file)["aws_access_key_id"]

        # Ctrl-C (SIGINT to ansible-playbook's process group, as a terminal sends it) while the
        # rotation's CreateAccessKey has not reached AWS: nothing is created, the vault unchanged.
        output, vault = kill_at(proxy, tmp_path, credentials, "CreateAccessKey", after=False, drop=True,
                                sig=signal.SIGINT, iam_rotate_key=True)
        assert "User interrupted execution" in output, output
        assert vault["aws_access_key_id"] == first
        assert key_ids(moto.url, credentials) == [first]

        # SIGKILL after the new key is stored and verified, before the old key's deletion reaches AWS.
        dummy, vault = kill_at(proxy, tmp_path, credentials, "DeleteAccessKey", after=False, drop=True,
                               iam_rotate_key=True)
        second = vault["aws_access_key_id"]
        assert second != first and key_ids(moto.url, credentials) == sorted([first, second])

        refused = onboard(tmp_path, proxy.url, credentials)
        assert refused.returncode != 0
        assert ("IAM user '%s' has active access keys that %s does not hold: %s" % (USER, vault_file, first)
                in refused.output), refused.output
        onboard(tmp_path, proxy.url, credentials, iam_on_unknown_keys="delete").assert_ok()
    assert assert_one_working_key(moto.url, credentials, vault_file)["aws_access_key_id"] == second


WRITER = textwrap.dedent("""
    import os, signal, sys
    from ansible.parsing.vault import VaultSecret
    from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller import file_safety
    from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault import files as _vault
    path, password, moment = sys.argv[1:]
    secrets = [("default", VaultSecret(password.encode()))]
    data = dict(aws_access_key_id="AKIAOLD", aws_secret_access_key="old", iam_user_arn="arn", created="then")
    _vault.write_vault_file(path, data, secrets)
    die = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
    if moment == "before-rename":
        os.fsync = die
    else:
        file_safety.fsync_directory = die  # between the rename and the directory's fsync
    _vault.write_vault_file(path, dict(data, aws_access_key_id="AKIANEW", aws_secret_access_key="new"), secrets)
""")


def test_a_kill_inside_the_vault_write_leaves_the_old_or_the_new_file_whole(tmp_path):
    from tests.support.paths import COLLECTIONS_ROOT

    env = dict(os.environ, PYTHONPATH=str(COLLECTIONS_ROOT))
    for moment, expected, leftovers in (("before-rename", "AKIAOLD", 1), ("after-rename", "AKIANEW", 0)):
        workdir = tmp_path / moment
        workdir.mkdir()
        process = subprocess.run([sys.executable, "-c", WRITER, str(workdir / "sp.vault.yml"), PASSWORD, moment],
                                 env=env, capture_output=True, text=True, check=False)
        assert process.returncode == -signal.SIGKILL, process.stderr
        assert read_vault(workdir / "sp.vault.yml")["aws_access_key_id"] == expected
        # A kill between the temp file and the rename leaves the (encrypted) temp file behind.
        assert len(temp_files(workdir)) == leftovers
