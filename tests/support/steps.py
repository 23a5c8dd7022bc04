"""Several playbook runs of a scenario in one ansible-playbook process.

Starting ansible-playbook costs about 0.8 s of CPU (ansible-core's own start: config, plugin
documentation, routing), most of a short run of our modules. A scenario that used to run a
playbook several times (check mode, apply, re-run, drift, removal) runs each of those runs as
one play ("step N: ...") of a single process instead. Between two steps the process waits
(tests/support/callback_plugins/capture_results.py) while the test does what it did between two
runs: change AWS behind the module's back, start or stop moto's recording, look at AWS.

    run = run_steps(workdir, moto, [
        Step("check", tasks, check=True, diff=True, record=True),
        Step("apply", tasks, after=lambda: aws.iam.list_users()["Users"]),
        Step("again", tasks, record=True, before=lambda: aws.iam.tag_user(...)),
    ])
    run["check"].result("user"), run["check"].calls, run["apply"].seen, run["again"].assert_ok()

Each step keeps what its own run gave: its task results, the calls moto recorded during it, its
part of the output, and the return code its run would have had on its own (2 when one of its
tasks failed, `ignore_errors` aside). A failed task ends the process: a task expected to fail is
wrapped by rescued() (its failure still fails its step, and the next steps run), or comes last.
"""

import json
import subprocess
import time
from pathlib import Path

import yaml

from tests.support.ansible import BIN, ansible_env, play

FAILED = 2  # ansible-playbook's exit status when a host failed
NO_AWS = "http://127.0.0.1:9"  # nothing listens there


class Step:
    """One run of the scenario: a play of these tasks, or (playbook=) a playbook of the collection.

    playbook: imported after an empty play that names the step, its plays then the step's; vars are
      given to the import (play variables, where a separate run had -e), and check mode is not
      available (it would need --check).
    check, diff: the play's check_mode and diff, which every task gets as from --check, --diff (but the
      magic variable ansible_check_mode follows the command line only: a role that reads it needs --check).
    vars, environment: the play's.
    record: moto's recording of the AWS calls made during this step (.calls).
    reset: moto emptied before this step (a new scenario in the same process).
    before(): run just before the step starts; after(): just after it ended, its value kept as .seen.
    """

    def __init__(self, name, tasks=None, check=False, diff=False, vars=None, environment=None, record=False,
                 reset=False, before=None, after=None, playbook=None):
        assert (tasks is None) != (playbook is None), "a step runs either tasks or a playbook"
        assert not (playbook and (check or diff or environment)), "an imported playbook takes only vars"
        self.name, self.tasks, self.check, self.diff, self.playbook = name, tasks, check, diff, playbook
        self.vars, self.environment = vars or {}, environment
        self.record, self.reset, self.before, self.after = record, reset, before, after


class StepRun:
    """What one step's run gave, with the interface of tests.support.ansible.PlaybookRun."""

    def __init__(self, name, records, stdout, stderr, returncode, ran):
        self.name = name
        self.records = records
        self.stdout = stdout
        self.stderr = stderr
        self.returncode = returncode
        self.ran = ran
        self.calls = None
        self.seen = None

    @property
    def output(self):
        return self.stdout + self.stderr

    def _named(self, task_name):
        found = [r for r in self.records if r["task"] == task_name or r["task"].endswith(" : " + task_name)]
        assert found, "no result for task %r in step %r; tasks seen: %s\n%s" % (
            task_name, self.name, [r["task"] for r in self.records], self.output)
        return found[-1]

    def result(self, task_name):
        return self._named(task_name)["result"]

    def status(self, task_name):
        return self._named(task_name)["status"]

    def assert_ok(self):
        assert self.ran, "step %r did not run (ansible-playbook stopped before it)\n%s" % (
            self.name, self.process_output[-6000:])
        assert self.returncode == 0, self.output


class StepsRun(dict):
    """The steps' runs by name, and the whole process's exit status and output."""

    returncode = None
    stdout = stderr = ""


def rescued(task):
    """The task in a block whose rescue does nothing: its failure is reported (and fails its step, as it
    would fail a run of its own) and the process goes on with the next task and step."""
    return {"block": [task], "rescue": [{"name": "go on", "ansible.builtin.meta": "noop"}]}


def _play_name(number, step):
    return "step %d: %s" % (number, step.name)


def _plays(steps):
    plays = []
    for number, step in enumerate(steps):
        if step.playbook:
            plays.append(play([], name=_play_name(number, step))[0])
            plays.append(dict({"import_playbook": str(step.playbook)}, **({"vars": step.vars} if step.vars else {})))
            continue
        one = play(step.tasks, name=_play_name(number, step), vars=step.vars)[0]
        if step.check:
            one["check_mode"] = True
        if step.diff:
            one["diff"] = True
        if step.environment:
            one["environment"] = step.environment
        plays.append(one)
    return plays


def _wait_for(marker, process, deadline):
    while not marker.exists():
        if process.poll() is not None:
            return False
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("ansible-playbook did not reach %s in time" % marker.name)
        time.sleep(0.005)
    return True


def run_steps(workdir, moto, steps, args=(), credentials=None, env=None, timeout=600, playbook_dir=None):
    """Run the steps as the plays of one ansible-playbook process in workdir; return a StepsRun.

    moto: the moto server the steps use (None: they never call AWS; AWS_ENDPOINT_URL then points
    at a closed port). playbook_dir: where the generated playbook goes (default workdir, as
    run_playbook() writes a list of plays); ansible-playbook loads group_vars/ beside it."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    names = [step.name for step in steps]
    assert len(set(names)) == len(names), "step names must be unique: %s" % names
    control = workdir / ".steps"
    control.mkdir(exist_ok=True)
    for stale in control.iterdir():
        stale.unlink()
    playbook = Path(playbook_dir or workdir) / "steps.yml"
    playbook.parent.mkdir(parents=True, exist_ok=True)
    playbook.write_text(yaml.safe_dump(_plays(steps), sort_keys=False))
    results_file, out_file, err_file = workdir / "results.jsonl", workdir / "stdout.txt", workdir / "stderr.txt"
    if results_file.exists():
        results_file.unlink()
    assert moto or not any(step.record or step.reset for step in steps), "recording and reset need moto"
    run_env = ansible_env(moto.url if moto else NO_AWS, workdir, credentials, env)
    run_env.update(SPAPI_TEST_RESULTS=str(results_file), SPAPI_TEST_STEPS=str(control))
    command = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)] + list(args)
    deadline = time.monotonic() + timeout
    reached, ended = [], {}
    with open(out_file, "w") as out, open(err_file, "w") as err:
        process = subprocess.Popen(command, cwd=str(workdir), env=run_env, stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL, text=True)
        try:
            for number, step in enumerate(steps):
                at = _wait_for(control / ("at-%d" % number), process, deadline)
                # Between two runs: what ended the previous step, then what prepares this one.
                _after(steps, number - 1, reached, ended, moto, err_file)
                if not at:
                    break
                reached.append(err_file.stat().st_size)
                if step.reset:
                    moto.reset()
                if step.before:
                    step.before()
                if step.record:
                    moto.start_recording()
                (control / ("go-%d" % number)).touch()
            process.wait(max(1, deadline - time.monotonic()))
            if len(reached) == len(steps):
                _after(steps, len(steps) - 1, reached, ended, moto, err_file)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    return _collect(steps, reached, ended, process.returncode, results_file, out_file, err_file)


def _after(steps, number, reached, ended, moto, err_file):
    """At the end of step `number` (if it started): its recording stopped, its after() called."""
    if number < 0 or number >= len(reached):
        return
    step = steps[number]
    calls = moto.stop_recording() if step.record else None
    ended[number] = (calls, step.after() if step.after else None, err_file.stat().st_size)


def _collect(steps, reached, ended, returncode, results_file, out_file, err_file):
    records = []
    if results_file.exists():
        records = [json.loads(line) for line in results_file.read_text().splitlines() if line.strip()]
    stdout, stderr = out_file.read_text(), err_file.read_text()
    run = StepsRun()
    run.returncode, run.stdout, run.stderr = returncode, stdout, stderr
    starts = [stdout.find("PLAY [%s]" % _play_name(number, step)) for number, step in enumerate(steps)]
    for number, step in enumerate(steps):
        ran = number < len(reached)
        mine = [r for r in records if r.get("step") == _play_name(number, step)]
        later = [s for s in starts[number + 1:] if s >= 0]
        out = stdout[starts[number]:later[0] if later else len(stdout)] if ran and starts[number] >= 0 else ""
        last = number == len(reached) - 1
        calls, seen, err_end = ended.get(number, (None, None, len(stderr)))
        if last:
            err_end = len(stderr)  # the last step that ran: to the end (the failure that stopped the run too)
        err = stderr[reached[number]:err_end] if ran else ""
        if not ran:
            code = None
        elif last and returncode:
            code = returncode
        else:
            code = FAILED if any(r["status"] == "failed" and not r.get("ignored") for r in mine) else 0
        step_run = StepRun(step.name, mine, out, err, code, ran)
        step_run.calls, step_run.seen, step_run.process_output = calls, seen, stdout + stderr
        run[step.name] = step_run
    return run
