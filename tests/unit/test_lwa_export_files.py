"""lwa_export's credentials.yml on the controller, with real files and no AWS: where it may be written,
how it is written (atomic, 0600, directories 0700), and what it refuses without quoting the file."""

import os
import stat

import pytest
import yaml

from ansible_collections.spapi.onboarding.plugins.plugin_utils._lwa_export.credentials_file import (
    check_credentials_path,
    read_credentials_file,
    write_credentials_file,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.export import ExportError
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError


def mode(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


@pytest.fixture
def home(tmp_path):
    base = tmp_path / "home"
    base.mkdir(mode=0o700)
    return base


def test_missing_directories_are_created_0700_and_the_file_0600(home):
    path = home / "a" / "b" / "credentials.yml"
    check_credentials_path(str(path))
    write_credentials_file(str(path), {"default": {"lwa_app_id": "x"}})
    assert (mode(home / "a"), mode(home / "a" / "b"), mode(path)) == (0o700, 0o700, 0o600)
    assert yaml.safe_load(path.read_text()) == {"default": {"lwa_app_id": "x"}}
    assert [p.name for p in (home / "a" / "b").iterdir()] == ["credentials.yml"]  # no temp file left


def test_rewrite_replaces_the_file_not_its_content(home):
    path = home / "credentials.yml"
    path.write_text("default: {}\n")
    os.chmod(str(path), 0o644)
    before = os.stat(str(path)).st_ino
    write_credentials_file(str(path), {"default": {"lwa_app_id": "y"}})
    assert os.stat(str(path)).st_ino != before and mode(path) == 0o600


@pytest.mark.parametrize("kind, words", [
    ("symlink", "is a symbolic link"),
    ("group-writable dir", "writable by its group or by others"),
    ("directory", "is a directory, not a file"),
    ("fifo", "is not a regular file"),
    ("parent is a file", "is not a writable directory"),
])
def test_unsafe_paths_refused(home, kind, words):
    path = home / "credentials.yml"
    if kind == "symlink":
        (home / "target").write_text("keep")
        path.symlink_to(home / "target")
    elif kind == "group-writable dir":
        os.chmod(str(home), 0o775)
    elif kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(str(path))
    elif kind == "parent is a file":
        (home / "file").write_text("")
        path = home / "file" / "sub" / "credentials.yml"
    with pytest.raises(ValidationError) as refused:
        check_credentials_path(str(path))
    assert str(refused.value).startswith("option 'credentials_file': ") and words in str(refused.value)


def test_write_refuses_a_link_that_appeared(home):
    (home / "target").write_text("keep")
    (home / "credentials.yml").symlink_to(home / "target")
    with pytest.raises(ValidationError):
        write_credentials_file(str(home / "credentials.yml"), {"default": {}})
    assert (home / "target").read_text() == "keep"


@pytest.mark.parametrize("text, expected", [
    ("", {}), ("default:\n  lwa_app_id: x\n", {"default": {"lwa_app_id": "x"}}),
])
def test_read(home, text, expected):
    path = home / "credentials.yml"
    path.write_text(text)
    os.chmod(str(path), 0o640)
    assert read_credentials_file(str(path)) == (expected, 0o640)
    assert read_credentials_file(str(home / "none.yml")) == (None, None)


@pytest.mark.parametrize("text, words", [
    ("secret-value: [unclosed", "does not contain valid YAML"),
    ("- secret-value\n", "does not contain a YAML mapping"),
])
def test_read_refuses_without_quoting(home, text, words):
    path = home / "credentials.yml"
    path.write_text(text)
    with pytest.raises(ExportError) as refused:
        read_credentials_file(str(path))
    assert words in str(refused.value) and "secret-value" not in str(refused.value)


def test_read_never_follows_a_link(home):
    (home / "target").write_text("default: {}\n")
    (home / "credentials.yml").symlink_to(home / "target")
    with pytest.raises(ExportError) as refused:
        read_credentials_file(str(home / "credentials.yml"))
    assert "symbolic link" in str(refused.value)
