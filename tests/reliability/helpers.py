"""Shared set-up of the reliability scenarios: moto server with IAM authorization enforcement
on, the fault-injecting proxy in front of it, and whole onboarding runs through it.

ONBOARD is the playbook every scenario runs: playbooks/onboard.yml. chain_playbook() is the
same chain of the six modules (tests/support/chain.py, which the benchmark runs too) with the
variable names of the spapi.onboarding.iam role
(iam_user_name, iam_vault_file, iam_vault_id, iam_rotate_key, iam_on_unknown_keys, iam_aws);
setting ONBOARD = None runs it instead, to tell the modules' behaviour from the roles'.
"""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.files import VAULT_KEYS
from tests.support.ansible import BIN, REPO, ansible_env, play, run_playbook
from tests.support.chain import chain_tasks
from tests.support.moto import admin_with_enforcement as shared_admin_with_enforcement
from tests.support.moto import client_as

USER, ROLE, POLICY, STS_POLICY = "SellingPartnerAPIUser", "SellingPartnerAPIRole", "SellingPartnerAPI", "SellingPartnerAPIAssumeRole"
PASSWORD = "reliability test vault password"

ONBOARD = REPO / "playbooks" / "onboard.yml"  # None: the chain playbook below


def chain_playbook():
    """The six modules in the order of the iam role (tests/support/chain.py), driven by the role's variables."""
    names = {"user": "{{ iam_user_name }}", "policy": POLICY, "role": ROLE, "sts_policy": STS_POLICY,
             "vault_file": "{{ iam_vault_file }}"}
    key_options = {"vault_id": "{{ iam_vault_id | default(omit) }}",
                   "rotate": "{{ iam_rotate_key | default(false) }}",
                   "on_unknown_keys": "{{ iam_on_unknown_keys | default('fail') }}"}
    book = play(chain_tasks(names, key_options=key_options))
    book[0]["module_defaults"] = {"group/spapi.onboarding.aws": "{{ iam_aws | default({}) }}"}
    return book


def onboarding_command(workdir, extra_vars):
    """Write the playbook and password file into workdir; return (playbook, ansible-playbook args)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "password.txt").write_text(PASSWORD + "\n")
    playbook = ONBOARD
    if playbook is None:
        playbook = workdir / "onboard.yml"
        playbook.write_text(yaml.safe_dump(chain_playbook(), sort_keys=False))
    variables = {"iam_user_name": USER, "iam_vault_file": str(workdir / "sp.vault.yml")}
    variables.update(extra_vars or {})
    return playbook, ["--vault-password-file", "password.txt", "-e", json.dumps(variables)]


def onboard(workdir, url, credentials, **extra_vars):
    """One whole onboarding run through `url` (the proxy); returns the PlaybookRun."""
    playbook, args = onboarding_command(workdir, extra_vars)
    return run_playbook(playbook, workdir, url, args, credentials=credentials)


class Killable:
    """An onboarding run in its own process group, to be killed at a chosen moment."""

    def __init__(self, workdir, url, credentials, **extra_vars):
        playbook, args = onboarding_command(workdir, extra_vars)
        env = ansible_env(url, workdir, credentials)
        env["SPAPI_TEST_RESULTS"] = str(Path(workdir) / "results.jsonl")
        command = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)] + args
        self.process = subprocess.Popen(command, cwd=str(workdir), env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)

    def tree(self):
        """The pids of ansible-playbook and all its descendants (workers run setsid on 2.19)."""
        children = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open("/proc/%s/stat" % entry) as handle:
                        ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry))
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def kill(self, sig=signal.SIGKILL):
        """Signal the process group of ansible-playbook and of each of its descendants."""
        groups = set()
        for pid in self.tree():
            try:
                groups.add(os.getpgid(pid))
            except OSError:
                pass
        for group in groups:
            try:
                os.killpg(group, sig)
            except OSError:
                pass
        return self.wait()

    def wait(self, timeout=120):
        output, dummy = self.process.communicate(timeout=timeout)
        return output.decode("utf-8", "replace")


def admin_with_enforcement(aws):
    """An administrator and its key, then IAM authorization enforcement on (tests/support/moto.py);
    returns the administrator's credentials (environment form)."""
    return shared_admin_with_enforcement(aws.iam, aws.server)


def admin_iam(moto_url, credentials):
    """The administrator's IAM client straight to moto (not through the proxy)."""
    return client_as(credentials, moto_url)


def read_vault(path):
    """The vault file decrypted, or None when absent. Fails the test if it is not complete."""
    path = Path(path)
    if not path.exists():
        return None
    data = yaml.safe_load(VaultLib([("default", VaultSecret(PASSWORD.encode()))]).decrypt(path.read_bytes()))
    assert isinstance(data, dict) and set(data) == set(VAULT_KEYS), "incomplete vault file %s" % path
    return data


def temp_files(workdir):
    return sorted(p.name for p in Path(workdir).glob(".sp.vault.yml.*.tmp"))


def assert_one_working_key(moto_url, credentials, vault_path):
    """Exactly one access key, active, the vaulted one, and it can assume the role.
    Also exactly one user, policy and role of their names (no duplicates)."""
    iam = admin_iam(moto_url, credentials)
    vault = read_vault(vault_path)
    assert vault is not None, "no vault file at %s" % vault_path
    keys = iam.list_access_keys(UserName=USER)["AccessKeyMetadata"]
    found = [(k["AccessKeyId"], k["Status"]) for k in keys]
    assert found == [(vault["aws_access_key_id"], "Active")], (found, vault["aws_access_key_id"])
    users = sorted(u["UserName"] for u in iam.list_users()["Users"])
    assert users == sorted(["admin", USER]), users
    policies = [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert policies == [POLICY], policies
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert roles == [ROLE], roles
    role_arn = iam.get_role(RoleName=ROLE)["Role"]["Arn"]
    sts = client_as({"AWS_ACCESS_KEY_ID": vault["aws_access_key_id"],
                     "AWS_SECRET_ACCESS_KEY": vault["aws_secret_access_key"]}, moto_url, "sts")
    deadline = time.monotonic() + 10
    while True:
        try:
            assumed = sts.assume_role(RoleArn=role_arn, RoleSessionName="reliability")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    assert assumed["AssumedRoleUser"]["Arn"].split("/")[1] == ROLE, assumed["AssumedRoleUser"]
    return vault


def key_ids(moto_url, credentials):
    iam = admin_iam(moto_url, credentials)
    return sorted(k["AccessKeyId"] for k in iam.list_access_keys(UserName=USER)["AccessKeyMetadata"])
