"""Run a playbook of the collection the way AWX / Automation Controller runs a job template.

What AWX does for every job, reproduced with ansible-runner (the engine AWX uses):
- a fresh private data dir, mode 0700, deleted when the job ends;
- project/ holds a copy of the synced project (here: the repository's playbooks/ and collections/), and
  the playbook runs with project/ as its working directory;
- the collections of the project's collections/requirements.yml, installed at project sync, are copied
  into the job (requirements_collections/, on ANSIBLE_COLLECTIONS_PATH); here the sync installs the
  collection from this repository's working tree, in place of the git URL a real project names;
- env/extravars holds the survey answers and AWX's own awx_* variables; no vars_prompt is answered;
- a Vault credential adds `--vault-id <id>@prompt` and ansible-runner answers that prompt from its
  passwords (env/passwords), as AWX does;
- an AWS credential sets AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the job's environment;
- ansible-runner sets AWX_ISOLATED_DATA_DIR to the job's artifacts dir and the awx_display callback.

run_job() returns an AwxJob with rc, status, stdout, the events and the text of every artifact, read
before the private data dir is deleted, so that tests can look for secrets in all of them.
"""

import atexit
import contextlib
import functools
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import ansible_runner

from tests.support.moto import writes
from tests.support.paths import REPO

BIN = Path(sys.executable).parent
VAULT_ID = "spapi"
_JOB_IDS = itertools.count(101)


@functools.lru_cache(maxsize=None)
def synced_collections():
    """What a project sync installs from collections/requirements.yml, once per test process."""
    cache = tempfile.mkdtemp(prefix="awx-project-sync-")
    atexit.register(shutil.rmtree, cache, True)
    # --force: a collection already on the tester's ANSIBLE_COLLECTIONS_PATH (make test's) would be "already
    # installed" and never land in the job's own path.
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--force", str(REPO), "-p", cache],
                   check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    return cache


class AwxJob:
    def __init__(self, playbook, rc, status, stdout, artifacts, events, files, private_data_dir):
        self.playbook = playbook
        self.rc = rc
        self.status = status
        self.stdout = stdout
        self.artifacts = artifacts  # relative path -> text, every file below artifacts/
        self.events = events  # the job events, as AWX stores them
        self.files = files  # what the job created in its private data dir, artifacts/ aside (relative paths)
        self.private_data_dir = private_data_dir  # deleted: only to show in messages

    @property
    def text(self):
        """Everything the job left that a person or AWX could read: stdout and every artifact."""
        return "\n".join([self.stdout] + list(self.artifacts.values()))

    def assert_ok(self):
        assert self.status == "successful" and self.rc == 0, "%s: %s rc=%s\n%s" % (
            self.playbook, self.status, self.rc, self.stdout)

    def assert_failed(self):
        # "failed", not "timeout": a job waiting on a prompt nobody answers is a bug of its own.
        assert self.status == "failed" and self.rc != 0, "%s: %s rc=%s\n%s" % (
            self.playbook, self.status, self.rc, self.stdout)

    def results(self, task_name):
        """The results (event_data.res) of the task with this name, in order; a role's task matches too."""
        found = []
        for event in self.events:
            data = event.get("event_data") or {}
            task = data.get("task") or ""
            if event.get("event", "").startswith("runner_on_") and (
                    task == task_name or task.endswith(" : " + task_name)):
                found.append(dict(data.get("res") or {}, _event=event["event"]))
        return found

    def result(self, task_name):
        found = self.results(task_name)
        assert found, "%s: no result for task %r\n%s" % (self.playbook, task_name, self.stdout)
        return found[-1]


def _write(path, content, mode=0o600):
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(content)
    path.chmod(mode)


@contextlib.contextmanager
def _clean_environment():
    # ansible-runner seeds the job's environment with this process's: keep the tester's own AWS and
    # Ansible settings out of it, as AWX's job environment has none of them.
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(("AWS_", "ANSIBLE_")):
            del os.environ[name]
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _paths(root):
    return set(str(p.relative_to(root)) for p in Path(root).rglob("*"))


def _read_tree(root):
    texts = {}
    for path in sorted(Path(root).rglob("*")):
        if path.is_file() and not path.is_symlink():
            texts[str(path.relative_to(root))] = path.read_bytes().decode("utf-8", "replace")
    return texts


def run_job(playbook, moto_url, credentials, survey=None, extra_vars=None, env=None,
            vault_password="awx-vault-credential-password", timeout=300):
    """Run playbooks/<playbook> as one AWX job; return an AwxJob once its private data dir is gone.

    survey: the survey's answers (password-type ones included), passed as extra vars like AWX does;
    extra_vars: the job template's extra variables; credentials: the AWS credential (environment form);
    env: more environment (e.g. the LWA stand-in's SPAPI_LWA_ENDPOINT); vault_password: the Vault
    credential's password (vault id "spapi"), or None for a job template without one.
    """
    job_id = next(_JOB_IDS)
    private = Path(tempfile.mkdtemp(prefix="awx_%d_" % job_id))
    try:
        project = private / "project"
        shutil.copytree(REPO / "playbooks", project / "playbooks")
        if (REPO / "collections" / "requirements.yml").exists():
            shutil.copytree(REPO / "collections", project / "collections")
        shutil.copytree(synced_collections(), private / "requirements_collections")
        _write(private / "inventory" / "hosts", "localhost ansible_connection=local\n")

        variables = {"awx_job_id": job_id, "tower_job_id": job_id, "awx_job_template_name": playbook,
                     "awx_user_name": "admin"}
        variables.update(extra_vars or {})
        variables.update(survey or {})
        _write(private / "env" / "extravars", json.dumps(variables))
        environment = dict(credentials)
        environment.update({
            "AWS_ENDPOINT_URL": moto_url, "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "ANSIBLE_COLLECTIONS_PATH": str(private / "requirements_collections"),
            "ANSIBLE_HOME": str(private / ".ansible"), "ANSIBLE_LOCAL_TEMP": str(private / "tmp"),
            "ANSIBLE_LOCALHOST_WARNING": "False", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
            "ANSIBLE_NOCOLOR": "1", "JOB_ID": str(job_id),
            "PATH": "%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")),
        })
        environment.update(env or {})
        _write(private / "env" / "envvars", json.dumps(environment))
        _write(private / "env" / "settings", json.dumps({"job_timeout": timeout, "pexpect_timeout": 5}))
        if vault_password is not None:
            # The Vault credential: AWX adds the option and answers the prompt it causes.
            _write(private / "env" / "cmdline", "--vault-id %s@prompt" % VAULT_ID)
            _write(private / "env" / "passwords", json.dumps(
                {r"Vault password \(%s\):\s*?$" % re.escape(VAULT_ID): vault_password}))

        before = _paths(private)
        with _clean_environment():
            runner = ansible_runner.run(
                private_data_dir=str(private), playbook="playbooks/%s" % playbook, ident=str(job_id),
                quiet=True, cancel_callback=lambda: False)  # no signal handlers in the test process
        stdout = runner.stdout.read()
        artifacts_dir = private / "artifacts" / str(job_id)
        events = list(runner.events)
        artifacts = _read_tree(artifacts_dir)
        files = sorted(p for p in _paths(private) - before if not p.startswith("artifacts"))
        return AwxJob(playbook, runner.rc, runner.status, stdout, artifacts, events, files, str(private))
    finally:
        shutil.rmtree(private, ignore_errors=True)


@contextlib.contextmanager
def aws_writes(moto):
    """Record the AWS calls made inside the block; the list it yields is then filled with the writes
    (moto's recorder names S3's REST calls too: PutObject, DeleteObject, ...)."""
    found = []
    moto.start_recording()
    try:
        yield found
    finally:
        found.extend(writes(moto.stop_recording()))
