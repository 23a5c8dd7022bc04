"""The sheet writer (plugin_utils/_controller/sheet_files.py): compare in-process, write only what differs,
never through a link, only into a safe directory. Pure: a temporary directory, no process, no network."""

import os
import stat

import pytest

from ansible_collections.spapi.onboarding.plugins.action.app_client_sheet import data_text, file_mode
from ansible_collections.spapi.onboarding.plugins.plugin_utils._controller.sheet_files import (
    SheetFileError,
    ensure_files,
)

OPTION = "app_client_output_dir"
TEXTS = (("app-client.md", "# Sheet\n\n1. **App name**: `Acme`\n"), ("app-client.json", '{\n  "a": 1\n}\n'))


def ensure(directory, texts=TEXTS, mode=0o644, **kwargs):
    return ensure_files(str(directory), texts, mode, OPTION, **kwargs)


def snapshot(directory):
    return sorted((p.name, p.read_bytes(), stat.S_IMODE(p.lstat().st_mode), p.stat().st_mtime_ns)
                  for p in directory.iterdir())


def test_creates_the_directory_and_files_then_changes_nothing(tmp_path):
    out = tmp_path / "a" / "spapi-onboarding"
    first = ensure(out)
    assert first["changed"] and [f["created"] for f in first["files"]] == [True, True]
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert (out / "app-client.md").read_text() == TEXTS[0][1]
    assert all(stat.S_IMODE((out / name).stat().st_mode) == 0o644 for name, dummy in TEXTS)
    before = snapshot(out)

    second = ensure(out, diff_mode=True)
    assert second == {"changed": False, "diff": [],
                      "files": [{"path": str(out / n), "changed": False, "created": False} for n, dummy in TEXTS]}
    assert snapshot(out) == before  # not even rewritten with the same text
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("check_mode", [True, False])
def test_a_changed_file_is_reported_with_its_diff_and_written_only_outside_check_mode(tmp_path, check_mode):
    ensure(tmp_path)
    sheet = tmp_path / "app-client.md"
    sheet.write_text("# Hand-edited\n")
    result = ensure(tmp_path, check_mode=check_mode, diff_mode=True)
    assert result["changed"] and [f["changed"] for f in result["files"]] == [True, False]
    assert result["diff"] == [{"before_header": str(sheet), "after_header": str(sheet),
                               "before": "# Hand-edited\n", "after": TEXTS[0][1]}]
    assert sheet.read_text() == ("# Hand-edited\n" if check_mode else TEXTS[0][1])


def test_check_mode_in_a_missing_directory_predicts_every_file_and_creates_nothing(tmp_path):
    out = tmp_path / "missing"
    result = ensure(out, check_mode=True, diff_mode=True)
    assert result["changed"] and [f["created"] for f in result["files"]] == [True, True]
    assert [d["before"] for d in result["diff"]] == ["", ""]
    assert result["diff"][0]["before_header"].endswith("(absent)")
    assert not out.exists()


def test_a_loose_mode_alone_is_put_back(tmp_path):
    ensure(tmp_path)
    (tmp_path / "app-client.json").chmod(0o666)
    result = ensure(tmp_path, diff_mode=True)
    assert [f["changed"] for f in result["files"]] == [False, True] and result["diff"] == []
    assert stat.S_IMODE((tmp_path / "app-client.json").stat().st_mode) == 0o644


@pytest.mark.parametrize("which", ["app-client.md", "app-client.json"])
def test_a_symlinked_file_is_refused_before_anything_is_written(tmp_path, which):
    out = tmp_path / "out"
    out.mkdir(mode=0o755)
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    (out / which).symlink_to(target)
    with pytest.raises(SheetFileError) as refused:
        ensure(out)
    assert str(refused.value).startswith("%s: %s is a symbolic link: the sheets are never written through a link"
                                         % (OPTION, out / which))
    assert refused.value.option == OPTION
    assert target.read_text() == "keep me\n" and os.listdir(str(out)) == [which]


def test_a_symlinked_directory_and_a_special_file_are_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o755)
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(SheetFileError, match=r"link is a symbolic link: the sheets are never written through a link; "
                                             r"give the directory itself"):
        ensure(tmp_path / "link")
    os.mkfifo(str(real / "app-client.json"))
    with pytest.raises(SheetFileError, match=r"app-client.json is not a regular file: move it away"):
        ensure(real)
    assert not (real / "app-client.md").exists()


@pytest.mark.parametrize("mode", [0o775, 0o757])
def test_a_directory_others_can_write_to_is_refused_naming_the_fix(tmp_path, mode):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(mode)
    with pytest.raises(SheetFileError) as refused:
        ensure(out)
    assert str(refused.value) == (
        "%s: the directory %s is writable by its group or by others (mode %04o): they could replace files in it. "
        "Run 'chmod go-w %s' or use another directory" % (OPTION, out, mode, out))
    assert os.listdir(str(out)) == []


def test_a_file_where_the_directory_should_be_is_refused(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(SheetFileError, match="%s: .*out is not a directory" % OPTION):
        ensure(tmp_path / "out")


@pytest.mark.parametrize("form, text", [
    ("json", '{\n  "b": [\n    1\n  ],\n  "a": "\\u00e9"\n}\n'),
    ("yaml", "---\nb:\n- 1\na: é\n"),
])
def test_data_is_written_the_way_the_role_always_wrote_it(form, text):
    """to_nice_json(indent=2, sort_keys=False) plus a line break; a YAML document in the given key order."""
    assert data_text({"b": [1], "a": "é"}, form) == text


@pytest.mark.parametrize("given, mode", [("0644", 0o644), ("600", 0o600), (644, 0o644), ("u+rw", None), ("9", None),
                                         ("17777", None)])
def test_modes_are_octal_strings(given, mode):
    if mode is None:
        with pytest.raises(SheetFileError, match=r"mode: must be an octal file mode such as '0644'"):
            file_mode(given)
    else:
        assert file_mode(given) == mode
