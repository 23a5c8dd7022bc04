"""Controller-side file rules with real files, no AWS: where a vault file may be written, the lock
file, and what verify makes of a vault file that is not kept the way the collection promises."""

import os
import subprocess
import sys
import textwrap

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.local_lock import vault_lock
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.keys import read_key
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.store import LocalStore
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.file_safety import check_safe_file
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import VaultFileError
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import check_writable, write_vault_file

SECRETS = [("spapi", VaultSecret(b"pw"))]
KEY = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
       "iam_user_arn": "arn:aws:iam::123456789012:user/SellingPartnerAPIUser", "created": "2024-01-01T00:00:00+00:00"}


def layout(tmp_path, kind):
    """Build one situation; return the vault path to check."""
    vault = tmp_path / "d" / "sp.vault.yml"
    (tmp_path / "d").mkdir(mode=0o700)
    if kind == "symlink":
        (tmp_path / "target").write_text("x")
        vault.symlink_to(tmp_path / "target")
    elif kind == "dangling symlink":
        vault.symlink_to(tmp_path / "nowhere")
    elif kind == "fifo":
        os.mkfifo(str(vault))
    elif kind == "group-writable":
        os.chmod(str(tmp_path / "d"), 0o770)
    elif kind == "world-writable":
        os.chmod(str(tmp_path / "d"), 0o757)
    elif kind == "directory":
        vault.mkdir()
    return str(vault)


@pytest.mark.parametrize("kind, message", [
    ("symlink", "is a symbolic link: the collection never writes through a link"),
    ("dangling symlink", "is a symbolic link"),
    ("fifo", "is not a regular file"),
    ("group-writable", "is writable by its group or by others (mode 0770)"),
    ("world-writable", "is writable by its group or by others (mode 0757)"),
    ("directory", "is a directory, not a file"),
])
def test_unsafe_vault_paths_are_refused(tmp_path, kind, message):
    path = layout(tmp_path, kind)
    with pytest.raises(ValidationError) as refused:
        check_writable(path, "vault_file")
    assert str(refused.value).startswith("option 'vault_file': ")
    assert message in str(refused.value)


@pytest.mark.parametrize("kind", ["absent", "file"])
def test_safe_vault_paths_pass(tmp_path, kind):
    path = layout(tmp_path, kind)
    if kind == "file":
        write_vault_file(path, KEY, SECRETS, "spapi")
    assert check_writable(path, "vault_file") == path
    # A link to a safe directory is fine: the directory it points at is what is checked.
    (tmp_path / "via").symlink_to(tmp_path / "d")
    check_safe_file(str(tmp_path / "via" / "sp.vault.yml"), "vault_file")


HOLDER = textwrap.dedent("""
    import fcntl, os, sys, time
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b"%d\\n" % os.getpid())
    print("locked", flush=True)
    time.sleep(30)
""")


def test_a_lock_held_by_another_process_is_reported_then_given_up(tmp_path):
    path = str(tmp_path / "sp.vault.yml")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, path + ".lock"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        told = []
        with pytest.raises(VaultFileError) as gave_up:
            with vault_lock(path, timeout=0.5, notify=told.append):
                pass
        assert len(told) == 1  # said once, not every poll
        assert "for the lock file %s.lock: another run" % path in told[0]
        assert "(process %d)" % holder.pid in told[0]
        assert "has held the lock file %s.lock" % path in str(gave_up.value)
        assert "(process %d)" % holder.pid in str(gave_up.value)
    finally:
        holder.kill()
        holder.wait()
    # Once the other process is gone the lock is free, and silent.
    told = []
    with vault_lock(path, timeout=5, notify=told.append):
        assert open(path + ".lock").read().strip() == str(os.getpid())
    assert told == []


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_lock_file_of_another_user_is_refused(tmp_path):
    path = str(tmp_path / "sp.vault.yml")
    with open(path + ".lock", "w"):
        pass
    os.chown(path + ".lock", 65534, 65534)
    with pytest.raises(VaultFileError, match="is not a regular file owned by the user running the play"):
        with vault_lock(path, timeout=1):
            pass


def test_a_lock_file_that_is_a_symlink_is_refused(tmp_path):
    path = str(tmp_path / "sp.vault.yml")
    (tmp_path / "target").write_text("keep")
    os.symlink(str(tmp_path / "target"), path + ".lock")
    with pytest.raises(VaultFileError, match="is a symbolic link"):
        with vault_lock(path, timeout=1):
            pass
    assert (tmp_path / "target").read_text() == "keep"


def written(tmp_path, mode=0o600):
    (tmp_path / "d").mkdir(mode=0o700)
    path = str(tmp_path / "d" / "sp.vault.yml")
    write_vault_file(path, KEY, SECRETS, "spapi")
    os.chmod(path, mode)
    return path


@pytest.mark.parametrize("setup, detail", [
    (lambda tmp_path: written(tmp_path, 0o644), "has mode 0644: it must be 0600"),
    (lambda tmp_path: written(tmp_path, 0o640), "has mode 0640: it must be 0600"),
    (lambda tmp_path: (os.symlink(written(tmp_path), str(tmp_path / "link.yml")), str(tmp_path / "link.yml"))[1],
     "is a symbolic link"),
    (lambda tmp_path: (written(tmp_path), os.chmod(str(tmp_path / "d"), 0o777), str(tmp_path / "d" / "sp.vault.yml"))[2],
     "writable by its group or by others"),
])
def test_verify_fails_the_key_check_of_a_vault_file_not_kept_private(tmp_path, setup, detail):
    path = setup(tmp_path)
    key = read_key(LocalStore(str(path)), SECRETS)
    assert "aws_secret_access_key" not in key
    assert detail in key["error"]
    assert KEY["aws_secret_access_key"] not in key["error"]


def test_verify_reads_a_private_vault_file(tmp_path):
    key = read_key(LocalStore(str(written(tmp_path))), SECRETS)
    assert key["aws_access_key_id"] == KEY["aws_access_key_id"] and "error" not in key


def test_writes_keep_every_key_and_plain_types(tmp_path):
    path = written(tmp_path)
    data = dict(KEY, team={"nested": [1, 2]}, note=type("Tagged", (str,), {})("plain after all"))
    write_vault_file(path, data, SECRETS, "spapi")
    assert yaml.safe_load(VaultLib(SECRETS).decrypt(open(path, "rb").read())) == dict(
        KEY, team={"nested": [1, 2]}, note="plain after all")
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert [n for n in os.listdir(str(tmp_path / "d")) if n.endswith(".tmp")] == []
