"""`make bench`: this collection against amazon.aws doing the same IAM chain, on one moto server.

Both sides run as real ansible-playbook processes, alternating, on the same machine and the same
local moto server: a first run on an empty account (moto reset before it) and a converged re-run,
at loopback speed and with a fixed latency added to every AWS call by the test proxy
(tools/standins/aws_proxy.AwsProxy), then the same chain for 1, 5 and 20 identities in one play.

"ours" is playbooks/onboard.yml once it exists; until then a stand-in chain made of the
spapi.onboarding modules that exist (the longest prefix of user, policy, role, STS policy,
access key, verify), and the baseline is then also run restricted to the same steps
("baseline-matched"). Every report names what was measured.

Results: <out>/results.json (every run) and the tables in docs/performance.md, between the
generated-section markers (the hand-written analysis around them is kept).

    .venv/bin/python bench/run.py                       # the full benchmark (make bench)
    .venv/bin/python bench/run.py --tiny --sides ours   # seconds: 1 rep, loopback, 1 identity
    .venv/bin/python bench/run.py --floors-only         # a minute: the converged runs against their floor

Every run ends with the floor ratios (bench/floor.py): the converged onboard.yml and lwa_rotate.yml against an
ansible-playbook run of one trivial task plus one Python process making the same calls.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, OrderedDict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from tools.standins.ansible_env import ansible_env  # noqa: E402
from tools.standins.aws_proxy import AwsProxy  # noqa: E402
from tools.standins.chain import STEPS, chain_tasks  # noqa: E402
from tools.standins.moto import MotoServer, writes  # noqa: E402
from tools.standins.paths import COLLECTIONS_ROOT, ensure_collection_link  # noqa: E402

BENCH = REPO / "bench"
BASELINE_PLAYBOOK = BENCH / "baseline.yml"
ONBOARD_PLAYBOOK = REPO / "playbooks" / "onboard.yml"
DEFAULT_BASELINE_VENV = REPO / ".venv-bench"
DEFAULT_OUT = BENCH / "output"
DEFAULT_DOC = REPO / "docs" / "performance.md"
BEGIN, END = "<!-- bench:generated:begin -->", "<!-- bench:generated:end -->"
VAULT_ID = "spapi"

# The chain's steps (tools/standins/chain.py) with their spapi module and the baseline's tag (None: no such step).
MODULES = {"user": "iam_user", "policy": "iam_policy", "role": "iam_role", "sts_policy": "sts_policy",
           "access_key": "access_key", "verify": "verify"}
BASELINE_TAGS = {"user": "user", "policy": "policy", "role": "role", "sts_policy": "sts_policy",
                 "access_key": "access_key", "verify": None}
CHAIN = [(step, MODULES[step], BASELINE_TAGS[step]) for step in STEPS]
# A first run may spend reads on the plan that refuses, before any write, a run that cannot finish (6 reads
# on an empty account); a converged run may not.
TARGETS = {"converged_calls": 8, "first_calls": 22, "ratio_loopback": 1.0, "ratio_latency": 0.7}


# --------------------------------------------------------------------------- the playbooks

def identities(count):
    if count == 1:
        names = [("SellingPartnerAPIUser", "SellingPartnerAPI", "SellingPartnerAPIRole", "SellingPartnerAPIAssumeRole")]
    else:
        names = [("SellingPartnerAPIUser%02d" % i, "SellingPartnerAPI%02d" % i, "SellingPartnerAPIRole%02d" % i,
                  "SellingPartnerAPIAssumeRole%02d" % i) for i in range(1, count + 1)]
    return [{"user": u, "policy": p, "role": r, "sts_policy": s, "vault_file": "%s.vault.yml" % u}
            for u, p, r, s in names]


def available_steps():
    """The longest prefix of the chain whose spapi.onboarding modules exist in this checkout."""
    steps = []
    for step, module, _tag in CHAIN:
        if not (REPO / "plugins" / "modules" / ("%s.py" % module)).exists():
            break
        steps.append(step)
    return steps


def chain_playbook(steps):
    """The chain's modules (tools/standins/chain.py) in a loop over `identities`, the shape of bench/baseline.yml.

    As the iam role does: the user's ARN locates the policy (no sts:GetCallerIdentity), and after the
    tasks that just ensured each link, verify makes only the live AssumeRole."""
    names = dict((key, "{{ item.%s }}" % key) for key in ("user", "policy", "role", "sts_policy", "vault_file"))
    tasks = chain_tasks(names, result=lambda register: "%s.results[index]" % register,
                        key_options={"vault_id": VAULT_ID}, verify_live=True, steps=steps)
    for task in tasks:
        task["loop"] = "{{ identities }}"
        task["loop_control"] = {"label": "{{ item.user }}", "index_var": "index"}
    return [{
        "name": "SP-API IAM chain with spapi.onboarding (%s)" % ", ".join(steps),
        "hosts": "localhost",
        "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}", "identities": identities(1)},
        "tasks": tasks,
    }]


class Side:
    """One contender: which ansible-playbook runs which playbook, and how it is described."""

    def __init__(self, name, label, python, playbook, args=(), scale_playbook=None, collections=None):
        self.name = name
        self.label = label
        self.python = Path(python)
        self.playbook = Path(playbook)
        self.args = list(args)
        self.scale_playbook = Path(scale_playbook) if scale_playbook else None
        self.collections = collections


def make_sides(opts, out):
    generated = out / "playbooks"
    generated.mkdir(parents=True, exist_ok=True)
    steps = available_steps()
    if not steps:
        raise SystemExit("no spapi.onboarding module of the chain exists: nothing to measure")
    chain = generated / "ours_chain.yml"
    chain.write_text(yaml.safe_dump(chain_playbook(steps), sort_keys=False))
    ours_playbook = Path(opts.ours) if opts.ours else (ONBOARD_PLAYBOOK if ONBOARD_PLAYBOOK.exists() else chain)
    if ours_playbook == chain:
        ours_label = "stand-in chain of the spapi.onboarding modules on this branch: %s" % ", ".join(steps)
        ours_steps = steps
    else:
        ours_label = "%s" % os.path.relpath(ours_playbook, REPO)
        ours_steps = [s for s, _m, _t in CHAIN]
    vault_password = out / "vault-password"
    vault_password.write_text("benchmark-only-vault-password\n")
    ours_args = ["--vault-id", "%s@%s" % (VAULT_ID, vault_password)] + list(opts.ours_arg or [])
    sides = OrderedDict()
    baseline_python = Path(opts.baseline_venv) / "bin" / "python"
    baseline_steps = [t for _s, _m, t in CHAIN if t]
    if "baseline" in opts.sides:
        sides["baseline"] = Side("baseline", "amazon.aws: %s" % ", ".join(baseline_steps), baseline_python,
                                 BASELINE_PLAYBOOK)
    matched = [t for s, _m, t in CHAIN if t and s in ours_steps]
    if "baseline" in opts.sides and matched != baseline_steps:
        sides["baseline-matched"] = Side(
            "baseline-matched", "amazon.aws restricted to the steps ours covers: %s" % ", ".join(matched),
            baseline_python, BASELINE_PLAYBOOK, ["--tags", ",".join(matched)])
    if "ours" in opts.sides:
        sides["ours"] = Side("ours", ours_label, sys.executable, ours_playbook, ours_args, scale_playbook=chain,
                             collections=str(COLLECTIONS_ROOT))
        sides["ours"].steps = ours_steps
        sides["ours"].chain_label = "spapi.onboarding modules in a loop: %s" % ", ".join(steps)
    if "ours-on-baseline-core" in opts.sides:
        # A control: our playbook run by the baseline's ansible-core, to tell the cost of the core
        # version apart from the cost of our modules.
        sides["ours-on-baseline-core"] = Side(
            "ours-on-baseline-core", "the same as ours, run by the baseline virtualenv's ansible-core",
            baseline_python, ours_playbook, ours_args, scale_playbook=chain, collections=str(COLLECTIONS_ROOT))
        sides["ours-on-baseline-core"].chain_label = "spapi.onboarding modules in a loop: %s" % ", ".join(steps)
    return sides, steps


# --------------------------------------------------------------------------- running

class TimedProxy(AwsProxy):
    """The test proxy, also noting when each AWS call arrived (to charge calls to tasks)."""

    def __init__(self, *args, **kwargs):
        super(TimedProxy, self).__init__(*args, **kwargs)
        self.log = []
        self._log_lock = threading.Lock()

    def _pick_fault(self, action):
        with self._log_lock:
            self.log.append((time.time(), action))
        return super(TimedProxy, self)._pick_fault(action)

    def take_log(self):
        with self._log_lock:
            log, self.log = self.log, []
        return log


def run_side(side, workdir, aws_url, count, scale=False):
    workdir.mkdir(parents=True, exist_ok=True)
    playbook = side.scale_playbook if (scale and side.scale_playbook) else side.playbook
    vars_file = workdir / "identities.json"
    vars_file.write_text(json.dumps({"identities": identities(count)}))
    timings = workdir / "timings.json"
    if timings.exists():
        timings.unlink()
    extra = {
        "ANSIBLE_CALLBACK_PLUGINS": str(BENCH / "callback_plugins"),
        "BENCH_TIMINGS": str(timings),
        "PATH": "%s%s%s" % (side.python.parent, os.pathsep, os.environ.get("PATH", "")),
    }
    # The baseline finds amazon.aws in its own site-packages; it must not see this collection.
    extra["ANSIBLE_COLLECTIONS_PATH"] = side.collections or str(workdir / "no-collections")
    env = ansible_env(aws_url, workdir, extra=extra)
    args = side.args
    command = [str(side.python.parent / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook),
               "-e", "@%s" % vars_file] + list(args)
    started = time.time()
    process = subprocess.run(command, cwd=str(workdir), env=env, capture_output=True, text=True,
                             stdin=subprocess.DEVNULL, timeout=1800, check=False)
    ended = time.time()
    record = {"wall": ended - started, "start": started, "returncode": process.returncode, "tasks": []}
    if timings.exists():
        data = json.loads(timings.read_text())
        record["startup"] = (data["tasks"][0]["start"] if data["tasks"] else data["end"]) - started
        record["tasks"] = data["tasks"]
    if process.returncode != 0:
        record["output"] = (process.stdout + process.stderr)[-4000:]
    return record


def charge_calls(record, log):
    """Attribute each proxied AWS call to the task running when it arrived."""
    for task in record["tasks"]:
        task["calls"] = [a for t, a in log if task["start"] <= t <= (task["end"] or t)]


def pair_run(sides, order, moto, aws_url, proxy, workroot, count, latency, rep, phase, log):
    records = []
    for name in order:
        side = sides[name]
        workdir = Path(tempfile.mkdtemp(prefix="%s-" % name, dir=str(workroot)))
        moto.reset()
        for kind in ("first", "converged"):
            if proxy:
                proxy.take_log()
            moto.start_recording()
            record = run_side(side, workdir, aws_url, count, scale=(phase == "scale"))
            actions = moto.stop_recording()
            if proxy:
                charge_calls(record, proxy.take_log())
            record.update(side=name, run=kind, latency=latency, identities=count, rep=rep, phase=phase,
                          actions=actions, writes=writes(actions))
            records.append(record)
            log("%-6s %-17s %-9s lat=%3dms n=%-2d rep=%d  %6.2fs  %3d calls %2d writes%s" % (
                phase, name, kind, latency * 1000, count, rep, record["wall"], len(actions),
                len(record["writes"]), "" if record["returncode"] == 0 else "  FAILED"))
            if record["returncode"] != 0:
                raise SystemExit("%s (%s run) failed:\n%s" % (name, kind, record.get("output", "")))
        shutil.rmtree(workdir, ignore_errors=True)
    return records


def benchmark(opts, sides, log):
    records = []
    workroot = Path(tempfile.mkdtemp(prefix="spapi-bench-"))
    moto = MotoServer().start()
    names = list(sides)
    try:
        plan = [("main", 1, latency, rep) for latency in opts.latencies for rep in range(opts.reps)]
        plan += [("scale", count, opts.scale_latency, rep) for count in opts.scale for rep in range(opts.scale_reps)]
        for phase, count, latency, rep in plan:
            # The control side runs at loopback only (where the core's own cost shows most), and not
            # in the scaling part, to keep `make bench` within minutes.
            chosen = [n for n in names if n != "ours-on-baseline-core" or (phase == "main" and not latency)]
            order = chosen if rep % 2 == 0 else list(reversed(chosen))  # alternate who goes first
            proxy = TimedProxy(moto.url, latency=latency).start() if latency else None
            try:
                records += pair_run(sides, order, moto, proxy.url if proxy else moto.url, proxy, workroot,
                                    count, latency, rep, phase, log)
            finally:
                if proxy:
                    proxy.stop()
    finally:
        moto.stop()
        shutil.rmtree(workroot, ignore_errors=True)
    return records


# --------------------------------------------------------------------------- machine

def _version_of(python, code):
    try:
        return subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60,
                              check=False).stdout.strip() or "?"
    except OSError:
        return "absent"


def machine(sides, baseline_venv):
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "?"
    info = OrderedDict([
        ("CPU", cpu),
        ("cores", str(os.cpu_count())),
        ("OS", "%s %s" % (platform.system(), platform.release())),
        ("Python", platform.python_version()),
        ("load average at start (1/5/15 min)", "%.2f / %.2f / %.2f" % os.getloadavg()),
        ("moto", _version_of(sys.executable, "import moto; print(moto.__version__)")),
    ])
    core = "from ansible.release import __version__; print(__version__)"
    boto = "import boto3, botocore; print(boto3.__version__, '/', botocore.__version__)"
    info["ours: ansible-core"] = _version_of(sys.executable, core)
    info["ours: boto3 / botocore"] = _version_of(sys.executable, boto)
    if "baseline" in sides:
        python = Path(baseline_venv) / "bin" / "python"
        info["baseline: ansible"] = _version_of(python, "from importlib.metadata import version; print(version('ansible'))")
        info["baseline: ansible-core"] = _version_of(python, core)
        info["baseline: amazon.aws"] = _version_of(python, (
            "import json, os, ansible_collections.amazon.aws as a; "
            "print(json.load(open(os.path.join(list(a.__path__)[0], 'MANIFEST.json')))['collection_info']['version'])"))
        info["baseline: boto3 / botocore"] = _version_of(python, boto)
    return info


# --------------------------------------------------------------------------- report

def _runs(records, **match):
    return [r for r in records if all(r.get(k) == v for k, v in match.items())]


def _fmt_s(values):
    if not values:
        return "–"
    return "%.2f s (%.2f–%.2f)" % (statistics.median(values), min(values), max(values))


def _fmt_ratio(values):
    if not values:
        return "–"
    return "%.2fx (%.2f–%.2f)" % (statistics.median(values), min(values), max(values))


def _by_action(actions):
    counts = Counter(actions)
    return ", ".join("%s %d" % (a, counts[a]) for a in sorted(counts, key=lambda a: (-counts[a], a)))


def ratios(records, side, against, latency, kind, phase="main", identities=1):
    """ours/baseline wall time, pair by pair (same repetition, same latency)."""
    values = []
    for mine in _runs(records, side=side, latency=latency, run=kind, phase=phase, identities=identities):
        other = _runs(records, side=against, latency=latency, run=kind, phase=phase, identities=identities,
                      rep=mine["rep"])
        if other:
            values.append(mine["wall"] / other[0]["wall"])
    return values


def task_profile(records, side, kind, latency, phase="main"):
    """Per task: median time and the AWS calls of the first run that had them charged."""
    runs = _runs(records, side=side, run=kind, latency=latency, phase=phase, identities=1)
    rows = OrderedDict()
    for run in runs:
        for task in run["tasks"]:
            row = rows.setdefault(task["task"], {"action": task["action"], "times": [], "calls": None})
            row["times"].append((task["end"] or task["start"]) - task["start"])
            if row["calls"] is None and "calls" in task:
                row["calls"] = task["calls"]
    startup = [r["startup"] for r in runs if "startup" in r]
    return rows, startup


def _shown(path):
    path = Path(path)
    return os.path.relpath(path, REPO) if path.is_relative_to(REPO) and "output" not in path.parts else path.name


def _shown_args(args):
    """The arguments worth showing (never the vault password file's path)."""
    shown, skip = [], False
    for arg in args:
        if skip:
            shown.append("%s@…" % VAULT_ID)
            skip = False
        elif arg == "--vault-id":
            shown.append(arg)
            skip = True
        else:
            shown.append(arg)
    return shown


def render(opts, sides, steps, records, info, total_time):
    lines = []
    add = lines.append
    names = list(sides)
    add("_Generated by `make bench` (bench/run.py) on %s in %.0f s; %d repetitions per pair, "
        "latencies %s, identities %s (%d repetition(s) each, at %d ms per call)._" % (
            time.strftime("%Y-%m-%d"), total_time, opts.reps,
            ", ".join("%d ms" % (l * 1000) for l in opts.latencies),
            ", ".join(str(n) for n in opts.scale) or "none", opts.scale_reps, opts.scale_latency * 1000))
    add("")
    add("### What was measured")
    add("")
    add("| side | what ran |")
    add("|---|---|")
    for name, side in sides.items():
        add("| %s | %s (`%s`) |" % (name, side.label, " ".join([_shown(side.playbook)] + _shown_args(side.args))))
    if "ours" in sides and sides["ours"].playbook.name == "ours_chain.yml":
        add("")
        add("**ours is a stand-in**: playbooks/onboard.yml does not exist on this branch yet, so \"ours\" is the "
            "chain of the spapi.onboarding modules that do exist (%s). Compare it with **baseline-matched** "
            "(amazon.aws doing the same steps); the full baseline row shows what the whole chain costs with "
            "amazon.aws. The targets below apply to onboard.yml only." % ", ".join(steps))
    add("")
    add("### Machine")
    add("")
    add("| | |")
    add("|---|---|")
    for key, value in info.items():
        add("| %s | %s |" % (key, value))
    add("")
    add("### AWS calls (1 identity, counted by moto's recorder)")
    add("")
    add("| side | run | calls | writes | by action |")
    add("|---|---|---:|---:|---|")
    for name in names:
        for kind in ("first", "converged"):
            runs = _runs(records, side=name, run=kind, phase="main", identities=1)
            if runs:
                run = runs[0]
                row = (name, kind, len(run["actions"]), len(run["writes"]), _by_action(run["actions"]))
                add("| %s | %s | %d | %d | %s |" % row)
    add("")
    add("### Wall time of the whole ansible-playbook run (1 identity)")
    add("")
    add("Median (min–max) over the repetitions; ratio = ours/baseline wall time, pair by pair, median (min–max).")
    add("")
    others = [n for n in names if n != "ours"]
    header = "| AWS latency | run | " + " | ".join(names) + "".join(" | ours/%s" % n for n in others if "ours" in names) + " |"
    add(header)
    add("|---|---|" + "---:|" * (len(names) + (len(others) if "ours" in names else 0)))
    for latency in opts.latencies:
        for kind in ("first", "converged"):
            cells = [_fmt_s([r["wall"] for r in _runs(records, side=n, run=kind, latency=latency, phase="main")])
                     for n in names]
            if "ours" in names:
                cells += [_fmt_ratio(ratios(records, "ours", n, latency, kind)) for n in others]
            add("| %s | %s | %s |" % ("loopback" if not latency else "%d ms/call" % (latency * 1000), kind,
                                      " | ".join(cells)))
    add("")
    if "ours" in names and "baseline" in names:
        add("### Targets (for playbooks/onboard.yml against the full baseline)")
        add("")
        add("| target | measured | met |")
        add("|---|---|---|")
        standin = sides["ours"].playbook.name == "ours_chain.yml"
        first = _runs(records, side="ours", run="first", phase="main", identities=1)
        conv = _runs(records, side="ours", run="converged", phase="main", identities=1)

        def verdict(ok):
            return ("yes" if ok else "**no**") + (" (stand-in: not the real chain)" if standin else "")
        rows = [("converged run ≤ %d AWS calls (incl. the live AssumeRole)" % TARGETS["converged_calls"],
                 len(conv[0]["actions"]) if conv else None, lambda v: v <= TARGETS["converged_calls"]),
                ("first run ≤ %d AWS calls" % TARGETS["first_calls"], len(first[0]["actions"]) if first else None,
                 lambda v: v <= TARGETS["first_calls"])]
        for label, value, ok in rows:
            if value is not None:
                add("| %s | %d | %s |" % (label, value, verdict(ok(value))))
        for latency, key in ((0.0, "ratio_loopback"), (0.05, "ratio_latency")):
            if latency in opts.latencies:
                values = ratios(records, "ours", "baseline", latency, "converged")
                if values:
                    med = statistics.median(values)
                    add("| converged wall time ≤ %.1fx baseline at %s | %.2fx | %s |" % (
                        TARGETS[key], "loopback" if not latency else "%d ms/call" % (latency * 1000), med,
                        verdict(med <= TARGETS[key])))
        add("")
    if opts.scale:
        add("### Several identities in one play (%d ms per AWS call)" % (opts.scale_latency * 1000))
        add("")
        if "ours" in sides and sides["ours"].scale_playbook:
            add("ours here: %s (`%s`, distinct user/policy/role/vault file per identity); the baseline loops "
                "bench/baseline.yml over the same names." % (sides["ours"].chain_label, "ours_chain.yml"))
            add("")
        add("| identities | side | first run | converged run | converged per identity | calls first / converged |")
        add("|---:|---|---:|---:|---:|---|")
        for count in opts.scale:
            for name in names:
                first = _runs(records, side=name, run="first", phase="scale", identities=count)
                conv = _runs(records, side=name, run="converged", phase="scale", identities=count)
                if first and conv:
                    walls = [r["wall"] for r in conv]
                    add("| %d | %s | %s | %s | %.2f s | %d / %d |" % (
                        count, name, _fmt_s([r["wall"] for r in first]), _fmt_s(walls),
                        statistics.median(walls) / count, len(first[0]["actions"]), len(conv[0]["actions"])))
        add("")
    profile_latency = max(opts.latencies)
    where = "loopback" if not profile_latency else "%d ms per AWS call" % (profile_latency * 1000)
    add("### Where the time goes (1 identity, %s)" % where)
    add("")
    add("Per task: median time from task start to its last result (bench/callback_plugins/bench_timing.py), "
        "and the AWS calls that arrived at the proxy during the task%s. \"start-up\" is the time from "
        "launching ansible-playbook to the first task." % ("" if profile_latency else " (not charged at loopback)"))
    add("")
    for kind in ("first", "converged"):
        add("| side | %s run: task | module | time | AWS calls |" % kind)
        add("|---|---|---|---:|---|")
        for name in names:
            rows, startup = task_profile(records, name, kind, profile_latency)
            if startup:
                add("| %s | start-up | – | %.2f s | – |" % (name, statistics.median(startup)))
            for task, row in rows.items():
                calls = row["calls"]
                add("| %s | %s | %s | %.2f s | %s |" % (
                    name, task, row["action"].replace("amazon.aws.", "").replace("spapi.onboarding.", ""),
                    statistics.median(row["times"]),
                    "–" if calls is None else ("%d: %s" % (len(calls), _by_action(calls)) if calls else "0")))
        add("")
    return "\n".join(lines)


DOC_TEMPLATE = """# Performance: spapi.onboarding against amazon.aws

{begin}
{end}
"""


def write_doc(path, generated):
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text() if path.exists() else DOC_TEMPLATE.format(begin=BEGIN, end=END)
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + "\n\n" + BEGIN + "\n" + END + "\n"
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    path.write_text(head + BEGIN + "\n" + generated.rstrip("\n") + "\n" + END + tail)


# --------------------------------------------------------------------------- main

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions of each first+converged pair (5)")
    parser.add_argument("--latencies", default="0,0.05", help="seconds added per AWS call, comma-separated")
    parser.add_argument("--scale", default="1,5,20", help="identity counts for the scaling part ('' for none)")
    parser.add_argument("--scale-reps", type=int, default=1, help="repetitions of the scaling part (1)")
    parser.add_argument("--scale-latency", type=float, default=0.05, help="latency of the scaling part (0.05)")
    parser.add_argument("--ours", help="the playbook measured as ours (default: playbooks/onboard.yml if it "
                                       "exists, else the stand-in chain of the modules that exist)")
    parser.add_argument("--ours-arg", action="append", help="extra ansible-playbook argument for ours")
    parser.add_argument("--sides", default="baseline,ours,ours-on-baseline-core",
                        help="which of baseline, ours, ours-on-baseline-core (a control: ours run by the "
                             "baseline's ansible-core) to run; all three by default")
    parser.add_argument("--baseline-venv", default=str(DEFAULT_BASELINE_VENV))
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="folder of results.json (bench/output)")
    parser.add_argument("--doc", default=str(DEFAULT_DOC), help="the Markdown report to update")
    parser.add_argument("--no-doc", action="store_true", help="print the tables instead of updating --doc")
    parser.add_argument("--tiny", action="store_true", help="1 repetition, loopback only, 1 identity, no scaling")
    parser.add_argument("--floor-pairs", type=int, default=5,
                        help="pairs of each converged run and its floor (bench/floor.py; 0: none)")
    parser.add_argument("--floors-only", action="store_true", help="only the floor ratios: print them, write "
                                                                   "<out>/floors.json, leave --doc alone")
    opts = parser.parse_args(argv)
    opts.latencies = [float(v) for v in str(opts.latencies).split(",") if v.strip()]
    opts.scale = [int(v) for v in str(opts.scale).split(",") if v.strip()]
    opts.sides = [s.strip() for s in opts.sides.split(",") if s.strip()]
    if opts.tiny:
        opts.reps, opts.latencies, opts.scale, opts.floor_pairs = 1, [0.0], [], min(opts.floor_pairs, 1)
    return opts


def main(argv=None):
    import floor  # pylint: disable=import-outside-toplevel  # bench/floor.py, beside this script
    opts = parse_args(argv)
    ensure_collection_link()
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    if opts.floors_only:
        return floor.main(opts.floor_pairs or 5, out)
    if ("baseline" in opts.sides or "ours-on-baseline-core" in opts.sides) and not (Path(opts.baseline_venv) / "bin" / "ansible-playbook").exists():
        raise SystemExit("the baseline virtualenv %s is missing: run `make bench`" % opts.baseline_venv)
    sides, steps = make_sides(opts, out)

    def log(message):
        print(message, flush=True)

    log("sides: " + "; ".join("%s = %s" % (n, s.label) for n, s in sides.items()))
    info = machine(sides, opts.baseline_venv)
    started = time.time()
    records = benchmark(opts, sides, log)
    floors = floor.run(opts.floor_pairs, log) if opts.floor_pairs and "ours" in sides else {}
    total = time.time() - started
    info["load average at end (1/5/15 min)"] = "%.2f / %.2f / %.2f" % os.getloadavg()
    generated = render(opts, sides, steps, records, info, total)
    if floors:
        generated += "\n" + "\n".join(floor.render(floors)) + "\n"
    (out / "results.json").write_text(json.dumps({
        "machine": info,
        "sides": {n: {"label": s.label, "playbook": str(s.playbook), "args": s.args} for n, s in sides.items()},
        "options": dict(vars(opts)),
        "seconds": total,
        "runs": records,
        "floors": floors,
    }, indent=1, default=str))
    (out / "report.md").write_text(generated + "\n")
    if opts.no_doc:
        print(generated)
    else:
        write_doc(Path(opts.doc), generated)
        log("wrote %s and %s" % (os.path.relpath(opts.doc, REPO) if Path(opts.doc).is_relative_to(REPO)
                                 else opts.doc, out / "results.json"))
    for line in floor.summary(floors):
        log(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
