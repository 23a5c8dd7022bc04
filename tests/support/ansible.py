"""Run real ansible-playbook processes against the test moto server and read their results."""

import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support.paths import CALLBACKS, REPO
from tools.standins.ansible_env import BIN, DEFAULT_CREDENTIALS
from tools.standins.ansible_env import ansible_env as _ansible_env


def _named(record, task_name):
    """A task's name, as written, or as Ansible shows a role's task ("role : name")."""
    return record["task"] == task_name or record["task"].endswith(" : " + task_name)


class PlaybookRun:
    def __init__(self, process, records):
        self.returncode = process.returncode
        self.stdout = process.stdout
        self.stderr = process.stderr
        self.records = records

    @property
    def output(self):
        return self.stdout + self.stderr

    def result(self, task_name):
        """The (last) result of the task with this name."""
        found = [r for r in self.records if _named(r, task_name)]
        assert found, "no result for task %r; tasks seen: %s\n%s" % (
            task_name, [r["task"] for r in self.records], self.output)
        return found[-1]["result"]

    def status(self, task_name):
        return [r for r in self.records if _named(r, task_name)][-1]["status"]

    def assert_ok(self):
        assert self.returncode == 0, self.output


def ansible_env(moto_url, workdir, credentials=None, extra=None):
    """The environment of a test's ansible-playbook run: the stand-ins' one with the results callback."""
    return _ansible_env(moto_url, workdir, credentials, extra, callbacks=CALLBACKS)


def play(tasks, name="test", vars=None):
    """A one-play playbook on localhost, running modules with this Python."""
    return [{
        "name": name,
        "hosts": "localhost",
        "gather_facts": False,
        "vars": dict({"ansible_python_interpreter": sys.executable}, **(vars or {})),
        "tasks": tasks,
    }]


def run_playbook(playbook, workdir, moto_url, args=(), credentials=None, env=None, timeout=300):
    """Run ansible-playbook on a playbook (a path or a list of plays) and collect task results."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if not isinstance(playbook, (str, Path)):
        path = workdir / "playbook.yml"
        path.write_text(yaml.safe_dump(playbook, sort_keys=False))
        playbook = path
    results_file = workdir / "results.jsonl"
    if results_file.exists():
        results_file.unlink()
    run_env = ansible_env(moto_url, workdir, credentials, env)
    run_env["SPAPI_TEST_RESULTS"] = str(results_file)
    command = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)] + list(args)
    process = subprocess.run(command, cwd=str(workdir), env=run_env, capture_output=True, text=True,
                             timeout=timeout, stdin=subprocess.DEVNULL, check=False)
    records = []
    if results_file.exists():
        records = [json.loads(line) for line in results_file.read_text().splitlines() if line.strip()]
    return PlaybookRun(process, records)


__all__ = ["BIN", "DEFAULT_CREDENTIALS", "PlaybookRun", "play", "run_playbook", "ansible_env", "REPO"]
