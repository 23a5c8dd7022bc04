"""Run real ansible-playbook processes against the test moto server and read their results."""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support.paths import CALLBACKS, COLLECTIONS_ROOT, REPO

BIN = Path(sys.executable).parent
# Keys the test account uses when authorization enforcement is off.
DEFAULT_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


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
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_")))
    env.update(credentials or DEFAULT_CREDENTIALS)
    env.update({
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_ROOT),
        "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
        "ANSIBLE_HOME": str(Path(workdir) / ".ansible"),
        "ANSIBLE_LOCAL_TEMP": str(Path(workdir) / ".ansible" / "tmp"),
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "PATH": "%s%s%s" % (BIN, os.pathsep, env.get("PATH", "")),
    })
    env.update(extra or {})
    # A None value removes the variable (e.g. a test where only the play says where AWS is).
    return dict((k, v) for k, v in env.items() if v is not None)


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


__all__ = ["PlaybookRun", "play", "run_playbook", "ansible_env", "REPO"]
