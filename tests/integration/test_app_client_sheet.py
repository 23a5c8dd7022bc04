"""spapi.onboarding.app_client_sheet through one real ansible-playbook run: check mode, diff mode, no write when
the files already hold the text, a symbolic link refused, bad settings and options of other modules refused."""

import json
import os
import stat

from tests.integration.test_app_client_role import NO_AWS, ROLE_ARN
from tests.support.ansible import play, run_playbook


def sheet_task(title, out, check=False, diff=False, **options):
    task = {"name": title, "spapi.onboarding.app_client_sheet": dict({"role_arn": ROLE_ARN, "output_dir": out},
                                                                     **options),
            "check_mode": check, "diff": diff, "register": title.replace(" ", "_")}
    if title.startswith("refused"):
        task["ignore_errors"] = True
    return task


def test_check_diff_no_rewrite_and_refusals_in_one_run(tmp_path):
    out, linked = str(tmp_path / "out"), str(tmp_path / "linked")
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    tasks = [
        sheet_task("predict", out, check=True, diff=True, name="Acme"),
        sheet_task("write", out, name="Acme"),
        sheet_task("again", out, diff=True, name="Acme"),
        sheet_task("rename predicted", out, check=True, diff=True, name="Acme Books"),
        {"name": "plant a directory", "ansible.builtin.file": {"path": linked, "state": "directory", "mode": "0755"}},
        {"name": "plant a link", "ansible.builtin.file": {"src": str(precious), "dest": linked + "/app-client.md",
                                                          "state": "link"}},
        sheet_task("refused through a link", linked, variable_prefix="app_client_"),
        sheet_task("refused settings", out, name="AMZ Sync", roles="Pricing, Time Travel",
                   variable_prefix="app_client_"),
        sheet_task("refused aws option", out, region="us-east-1"),
    ]
    run = run_playbook(play(tasks), tmp_path, NO_AWS)
    run.assert_ok()

    predicted = run.result("predict")
    assert predicted["changed"] and [f["created"] for f in predicted["files"]] == [True, True]
    assert predicted["settings"]["app_name"] == "Acme" and predicted["settings"]["iam_arn"] == ROLE_ARN
    assert predicted["diff"][0]["before"] == ""
    assert predicted["diff"][0]["after"].startswith("# SP-API app client: Acme\n")
    assert json.loads(predicted["diff"][1]["after"])["app_client"]["app_name"] == "Acme"

    assert run.result("write")["changed"]
    sheet = tmp_path / "out" / "app-client.md"
    assert sheet.read_text() == predicted["diff"][0]["after"] and stat.S_IMODE(sheet.stat().st_mode) == 0o644
    again = run.result("again")
    assert again["changed"] is False and again["diff"] == []

    renamed = run.result("rename predicted")
    assert renamed["changed"] and [d["after_header"] for d in renamed["diff"]] == [str(sheet), str(sheet)[:-2] + "json"]
    assert renamed["diff"][0]["before"] == sheet.read_text() and "Acme Books" in renamed["diff"][0]["after"]
    assert "Acme Books" not in sheet.read_text(), "check mode wrote the file"

    assert run.status("refused through a link") == "failed"
    assert run.result("refused through a link")["msg"].startswith(
        "app_client_output_dir: %s/app-client.md is a symbolic link" % linked)
    assert precious.read_text() == "keep me\n" and os.listdir(linked) == ["app-client.md"]

    assert run.status("refused settings") == "failed"
    assert run.result("refused settings")["msg"].startswith(
        'app_client_name: must not use an Amazon trademark (Amazon, AMZ, Alexa, Kindle), got "AMZ Sync"; '
        "app_client_roles: unknown role(s) Time Travel;")
    assert run.status("refused aws option") == "failed" and "region" in run.result("refused aws option")["msg"]
    assert sorted(os.listdir(out)) == ["app-client.json", "app-client.md"]
