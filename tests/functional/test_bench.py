"""bench/run.py, the script behind `make bench`, in its tiny mode: it must keep producing its report.

The full benchmark (make bench) also runs the amazon.aws baseline from its own virtualenv;
here only our side runs (1 repetition, loopback, 1 identity), and the baseline playbook is
checked for the shape the harness relies on.
"""

import json
import subprocess
import sys

import yaml

from tests.support.paths import REPO

RUN = REPO / "bench" / "run.py"


def test_tiny_benchmark_writes_a_well_formed_report(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nHand-written analysis kept.\n\n"
                   "<!-- bench:generated:begin -->\nold tables\n<!-- bench:generated:end -->\n\nMore notes.\n")
    process = subprocess.run([sys.executable, str(RUN), "--tiny", "--sides", "ours", "--out", str(tmp_path / "out"),
                              "--doc", str(doc)], cwd=str(REPO), capture_output=True, text=True, timeout=300,
                             check=False)
    assert process.returncode == 0, process.stdout + process.stderr

    results = json.loads((tmp_path / "out" / "results.json").read_text())
    runs = results["runs"]
    assert [(r["side"], r["run"]) for r in runs] == [("ours", "first"), ("ours", "converged")]
    first, converged = runs
    assert all(r["returncode"] == 0 and r["wall"] > 0 and r["tasks"] for r in runs)
    assert first["writes"], "the first run on an empty account must create something"
    assert "CreateUser" in first["actions"]
    assert converged["writes"] == [], "the converged run made write calls: %s" % converged["writes"]
    assert "GetUser" in converged["actions"]

    # The floor ratios (bench/floor.py): each converged run against a trivial playbook plus one Python process
    # making the same calls; both printed, and recorded with what the runs did.
    floors = results["floors"]
    assert list(floors) == ["onboard", "lwa_rotate"]
    for name, record in floors.items():
        assert sorted(record["calls"]) == sorted(record["floor_calls"]), name
        assert record["writes"] == [] and record["files_unchanged"], name
        assert len(record["ratios"]) == 1 and record["ratio"] == record["ours"][0] / record["floor"][0]
        assert "floor ratio  %-10s %.2fx" % (name, record["ratio"]) in process.stdout
    assert len(floors["onboard"]["calls"]) == 8 and "AssumeRole" in floors["onboard"]["calls"]
    assert floors["lwa_rotate"]["lwa_calls"] == floors["lwa_rotate"]["floor_lwa_calls"] == 1

    text = doc.read_text()
    assert text.startswith("# Performance\n\nHand-written analysis kept.\n")
    assert text.rstrip().endswith("More notes.")
    assert "old tables" not in text
    generated = text.split("<!-- bench:generated:begin -->")[1].split("<!-- bench:generated:end -->")[0]
    for heading in ("### What was measured", "### Machine", "### AWS calls", "### Wall time", "### Where the time goes",
                    "### Converged runs against their floor"):
        assert heading in generated
    assert str(tmp_path) not in generated and "benchmark-only-vault-password" not in generated

    # Every Markdown table is rectangular, and the call table counts what the runs recorded.
    tables, current = [], []
    for line in generated.splitlines() + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    assert len(tables) >= 4
    for table in tables:
        widths = {line.count("|") for line in table}
        assert len(widths) == 1, table
        assert set(table[1].replace("|", "").replace(":", "")) == {"-"}, table
    calls = next(t for t in tables if t[0].startswith("| side | run | calls"))
    row = next(line for line in calls if line.startswith("| ours | converged |"))
    assert row.split("|")[3].strip() == str(len(converged["actions"]))
    assert row.split("|")[4].strip() == "0"
    wall = next(t for t in tables if t[0].startswith("| AWS latency"))
    assert any(line.startswith("| loopback | converged |") for line in wall)
    floor_table = next(t for t in tables if t[0].startswith("| converged run |"))
    assert [line.split("|")[1].strip() for line in floor_table[2:]] == ["onboard.yml", "lwa_rotate.yml"]
    assert all(line.split("|")[6].strip() == "8 / 8" for line in floor_table[2:3])


def test_baseline_playbook_is_the_idempotent_amazon_aws_chain():
    play = yaml.safe_load((REPO / "bench" / "baseline.yml").read_text())[0]
    modules = [next(k for k in task if k.startswith("amazon.aws.")) for task in play["tasks"]]
    assert modules == ["amazon.aws.iam_user", "amazon.aws.iam_managed_policy", "amazon.aws.iam_role",
                       "amazon.aws.iam_policy", "amazon.aws.iam_access_key_info", "amazon.aws.iam_access_key"]
    role = play["tasks"][2]["amazon.aws.iam_role"]
    assert role["create_instance_profile"] is False and role["managed_policies"]
    key = play["tasks"][5]
    assert "length == 0" in key["when"] and key["no_log"] is True
    assert all(task["loop"] == "{{ identities }}" and task["tags"] for task in play["tasks"])
