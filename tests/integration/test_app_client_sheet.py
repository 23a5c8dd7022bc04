"""spapi.onboarding.app_client_sheet through one real ansible-playbook run: check mode, diff mode, no write when
the files already hold the text, a symbolic link refused, options of other modules refused."""

import os
import stat

from tests.integration.test_app_client_role import NO_AWS
from tests.support.ansible import play, run_playbook

SHEET = "# Sheet\n\n1. **App name**: `Acme`\n"


def sheet_task(name, out, check=False, diff=False, register=None, content=SHEET, **extra):
    task = {"name": name, "spapi.onboarding.app_client_sheet": dict({
        "output_dir": out, "files": [{"name": "app-client.md", "content": content},
                                     {"name": "app-client.json", "data": {"app_client": {"app_name": "Acme"}}}],
    }, **extra), "check_mode": check, "diff": diff, "register": register or name.replace(" ", "_")}
    if extra or "link" in name:
        task["ignore_errors"] = True
    return task


def test_check_diff_no_rewrite_and_refusals_in_one_run(tmp_path):
    out, linked = str(tmp_path / "out"), str(tmp_path / "linked")
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    tasks = [
        sheet_task("predict", out, check=True, diff=True),
        sheet_task("write", out),
        sheet_task("again", out, diff=True),
        sheet_task("edit predicted", out, check=True, diff=True, content="# Other\n"),
        {"name": "plant a link", "ansible.builtin.file": {"path": linked, "state": "directory", "mode": "0755"}},
        {"name": "plant the link", "ansible.builtin.file": {"src": str(precious), "dest": linked + "/app-client.md",
                                                            "state": "link"}},
        sheet_task("through a link", linked, variable_prefix="app_client_"),
        sheet_task("with an aws option", out, region="us-east-1"),
        sheet_task("with a path as name", out, files=[{"name": "../escape.md", "content": "x"}]),
    ]
    run = run_playbook(play(tasks), tmp_path, NO_AWS)
    run.assert_ok()

    predicted = run.result("predict")
    assert predicted["changed"] and [f["created"] for f in predicted["files"]] == [True, True]
    assert predicted["diff"][0]["after"] == SHEET and predicted["diff"][0]["before"] == ""
    assert predicted["diff"][1]["after"] == '{\n  "app_client": {\n    "app_name": "Acme"\n  }\n}\n'

    assert run.result("write")["changed"]
    written = tmp_path / "out" / "app-client.md"
    assert written.read_text() == SHEET and stat.S_IMODE(written.stat().st_mode) == 0o644
    again = run.result("again")
    assert again["changed"] is False and again["diff"] == []

    edited = run.result("edit predicted")
    assert edited["changed"] and edited["diff"] == [{"before_header": str(written), "after_header": str(written),
                                                     "before": SHEET, "after": "# Other\n"}]
    assert written.read_text() == SHEET, "check mode wrote the file"

    refused = run.result("through a link")
    assert run.status("through a link") == "failed"
    assert refused["msg"].startswith("app_client_output_dir: %s/app-client.md is a symbolic link" % linked)
    assert precious.read_text() == "keep me\n" and os.path.islink(linked + "/app-client.md")
    assert os.listdir(linked) == ["app-client.md"]

    assert run.status("with an aws option") == run.status("with a path as name") == "failed"
    assert "region" in run.result("with an aws option")["msg"]
    assert "must be a file name without a directory" in run.result("with a path as name")["msg"]
    assert not (tmp_path / "escape.md").exists()
    assert sorted(os.listdir(out)) == ["app-client.json", "app-client.md"]
