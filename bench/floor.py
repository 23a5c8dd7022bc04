"""Floor ratios for `make bench`: a converged run against the least that any tool doing the same work must spend.

The floor of a converged playbook is an ansible-playbook run of one trivial task plus one Python process that
imports boto3 and makes the same AWS calls (bench/floor_calls.py): what a run costs before the collection does
anything of its own. Each scenario converges first, then runs `pairs` times side by side with its floor, the
order alternating (ours first, then the floor first), on one moto server and LWA stand-in; the ratio is ours
over the floor, pair by pair, and the median is what counts (target: TARGET).

- onboard: playbooks/onboard.yml with nothing to change (8 AWS calls, the live AssumeRole included).
- lwa_rotate: playbooks/lwa_rotate.yml, the daily run, with a vaulted secret 100 days from expiry (its SQS
  reads and one token exchange).
"""

import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from tools.standins.ansible_env import ansible_env
from tools.standins.lwa import LwaStandIn
from tools.standins.moto import MotoServer, writes

REPO = Path(__file__).resolve().parents[1]
FLOOR_CALLS = REPO / "bench" / "floor_calls.py"
TARGET = 1.3
VAULT_ID = "spapi"
PASSWORD = "benchmark-only-vault-password"
TRIVIAL = [{"name": "Floor", "hosts": "localhost", "gather_facts": False,
            "tasks": [{"name": "One trivial task", "ansible.builtin.debug": {"msg": "floor"}}]}]
# The names and LWA credentials of the scenarios (dummies: the stand-ins know nothing else).
CHAIN = {"FLOOR_USER": "SellingPartnerAPIUser", "FLOOR_ROLE": "SellingPartnerAPIRole",
         "FLOOR_POLICY": "SellingPartnerAPI", "FLOOR_STS_POLICY": "SellingPartnerAPIAssumeRole"}
CLIENT = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef"
SECRET = "amzn1.oa2-cs.v1.f1008f1008f1008f1008f1008f1008f1008f1008f1008f1008f1008f1008f100"
REFRESH = "Atzr|IwEBI-benchmark-floor-refresh-token"
QUEUES = ("sp-api-application-client-new-secret", "sp-api-application-client-secret-expiry")


class Scenario:
    """One converged playbook and its floor, in a working directory of their own."""

    def __init__(self, name, playbook, workdir, env, floor_env):
        self.name, self.playbook, self.workdir, self.env, self.floor_env = name, playbook, workdir, env, floor_env

    def ours(self):
        return _run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                     str(self.playbook), "--vault-id", "%s@%s" % (VAULT_ID, self.workdir / "vault-password")],
                    self.workdir, self.env)

    def floor(self):
        trivial = _run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                        str(self.workdir / "trivial.yml")], self.workdir, self.env)
        return trivial + _run([sys.executable, str(FLOOR_CALLS), self.name], self.workdir, self.floor_env)


def _run(command, cwd, env):
    started = time.time()
    process = subprocess.run(command, cwd=str(cwd), env=env, capture_output=True, text=True,
                             stdin=subprocess.DEVNULL, timeout=600, check=False)
    if process.returncode != 0:
        raise SystemExit("%s failed:\n%s" % (" ".join(command[:5]), (process.stdout + process.stderr)[-4000:]))
    return time.time() - started


def _workdir(root, name):
    workdir = Path(tempfile.mkdtemp(prefix="floor-%s-" % name, dir=str(root)))
    workdir.chmod(0o700)
    (workdir / "vault-password").write_text(PASSWORD + "\n")
    (workdir / "trivial.yml").write_text(yaml.safe_dump(TRIVIAL, sort_keys=False))
    return workdir


def onboard_scenario(root, moto, lwa):
    del lwa
    workdir = _workdir(root, "onboard")
    env = ansible_env(moto.url, workdir)
    scenario = Scenario("onboard", REPO / "playbooks" / "onboard.yml", workdir, env, dict(env, **CHAIN))
    moto.reset()
    scenario.ours()  # the first run: every later one is converged
    return scenario


def lwa_rotate_scenario(root, moto, lwa):
    import boto3  # pylint: disable=import-outside-toplevel
    workdir = _workdir(root, "lwa_rotate")
    moto.reset()
    sqs = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                region_name="us-east-1").client("sqs", endpoint_url=moto.url)
    urls = [sqs.create_queue(QueueName=name)["QueueUrl"] for name in QUEUES]
    lwa.reset()
    lwa.register(CLIENT, SECRET, [REFRESH], new_secret_queue=urls[0], secret_expiry_queue=urls[1])
    now = datetime.datetime.now(datetime.timezone.utc)
    vault = workdir / "spapi-onboarding" / "lwa.vault.yml"
    vault.parent.mkdir(mode=0o700)
    expires = now + datetime.timedelta(days=100)
    text = yaml.safe_dump({"lwa_client_id": CLIENT, "lwa_client_secret": SECRET, "lwa_refresh_token": REFRESH,
                           "lwa_client_secret_expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "updated": now.strftime("%Y-%m-%dT%H:%M:%SZ")})
    secret = VaultSecret(PASSWORD.encode())
    vault.write_bytes(VaultLib([(VAULT_ID, secret)]).encrypt(text, secret, VAULT_ID))
    vault.chmod(0o600)
    env = ansible_env(moto.url, workdir, extra={"SPAPI_LWA_ENDPOINT": lwa.token_url, "SPAPI_ENDPOINT": lwa.url})
    floor_env = dict(env, FLOOR_QUEUE=QUEUES[0], FLOOR_EXPIRY_QUEUE=QUEUES[1], FLOOR_TOKEN_URL=lwa.token_url,
                     FLOOR_CLIENT_ID=CLIENT, FLOOR_CLIENT_SECRET=SECRET, FLOOR_REFRESH_TOKEN=REFRESH)
    scenario = Scenario("lwa_rotate", REPO / "playbooks" / "lwa_rotate.yml", workdir, env, floor_env)
    scenario.ours()
    return scenario


SCENARIOS = (("onboard", onboard_scenario), ("lwa_rotate", lwa_rotate_scenario))


def _files(workdir):
    """Every file a run could write, with its content and when it was written. Lock files are left out: a run
    takes the local vault lock (and notes its process id in it) without writing anything else."""
    found = {}
    for path in workdir.rglob("*"):
        if path.is_file() and ".ansible" not in path.parts and path.suffix != ".lock":
            found[str(path.relative_to(workdir))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


def _calls(moto, lwa, run):
    """The AWS actions (moto's recorder) and the number of LWA / SP-API requests of one run."""
    moto.start_recording()
    before = Counter(lwa.calls)
    run()
    # The stand-in counts each request twice: "POST /path" and "POST /path 200".
    made = Counter(lwa.calls) - before
    return moto.stop_recording(), sum(n for key, n in made.items() if len(key.split(" ")) == 2)


def measure(moto, root, pairs, log):
    """{scenario: {ratios, ours, floor, calls, floor_calls, writes, token_calls, files_unchanged}}."""
    results = {}
    lwa = LwaStandIn(sqs_endpoint=moto.url).start()
    try:
        for name, setup in SCENARIOS:
            scenario = setup(Path(root), moto, lwa)
            files = _files(scenario.workdir)
            calls, tokens = _calls(moto, lwa, scenario.ours)
            floor_calls, floor_tokens = _calls(moto, lwa, scenario.floor)
            record = {"ours": [], "floor": [], "ratios": [], "calls": calls, "floor_calls": floor_calls,
                      "writes": writes(calls), "lwa_calls": tokens, "floor_lwa_calls": floor_tokens}
            for rep in range(pairs):
                if rep % 2 == 0:
                    ours, floor = scenario.ours(), scenario.floor()
                else:
                    floor, ours = scenario.floor(), scenario.ours()
                record["ours"].append(ours)
                record["floor"].append(floor)
                record["ratios"].append(ours / floor)
                log("floor  %-10s rep=%d  ours %5.2fs  floor %5.2fs  ratio %.2fx" % (
                    name, rep, ours, floor, ours / floor))
            record["files_unchanged"] = _files(scenario.workdir) == files
            record["ratio"] = statistics.median(record["ratios"])
            results[name] = record
    finally:
        lwa.stop()
    return results


def run(pairs, log):
    """Both scenarios on a moto server and an LWA stand-in of their own, in a temporary directory."""
    root = tempfile.mkdtemp(prefix="spapi-floor-")
    moto = MotoServer().start()
    try:
        return measure(moto, root, pairs, log)
    finally:
        moto.stop()
        shutil.rmtree(root, ignore_errors=True)


def render(results):
    """The generated section's table of floor ratios."""
    lines = ["### Converged runs against their floor", "",
             "Floor: one ansible-playbook run of a single trivial task plus one Python process that imports boto3 "
             "and makes the same calls (bench/floor.py, bench/floor_calls.py). Pairs alternate which goes first; "
             "ratio = ours/floor, pair by pair, median (min–max). Target: ≤ %.1fx." % TARGET, "",
             "| converged run | ours | floor | ratio | target met | AWS calls ours / floor | LWA calls ours / floor "
             "| writes |", "|---|---:|---:|---:|---|---|---|---|"]
    for name, record in results.items():
        wrote = "none" if not record["writes"] and record["files_unchanged"] else "**%s**" % (
            ", ".join(record["writes"]) or "files changed")
        lines.append("| %s.yml | %.2f s | %.2f s | %.2fx (%.2f–%.2f) | %s | %d / %d | %d / %d | %s |" % (
            name, statistics.median(record["ours"]), statistics.median(record["floor"]), record["ratio"],
            min(record["ratios"]), max(record["ratios"]), "yes" if record["ratio"] <= TARGET else "**no**",
            len(record["calls"]), len(record["floor_calls"]), record["lwa_calls"], record["floor_lwa_calls"], wrote))
    return lines


def summary(results):
    """One line per scenario, for the terminal."""
    return ["floor ratio  %-10s %.2fx (target %.1fx: %s)"
            % (name, r["ratio"], TARGET, "met" if r["ratio"] <= TARGET else "NOT met")
            for name, r in results.items()]


def machine_lines(started_load):
    """Which machine, and how loaded, for a report of floor ratios alone."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?") if Path("/proc/cpuinfo").exists() else "?"
    return ["Machine: %s, %d cores, Python %s; load average (1/5/15 min) %s at start, %s at end." % (
        cpu, os.cpu_count(), sys.version.split()[0], started_load, "%.2f / %.2f / %.2f" % os.getloadavg())]


def main(pairs, out):
    """`bench/run.py --floors-only`: the floor ratios alone, printed; <out>/floors.json."""
    load = "%.2f / %.2f / %.2f" % os.getloadavg()
    results = run(pairs, lambda message: print(message, flush=True))
    print("\n".join([""] + machine_lines(load) + [""] + render(results) + [""] + summary(results)))
    (Path(out) / "floors.json").write_text(json.dumps(results, indent=1, default=str))
    return 0
