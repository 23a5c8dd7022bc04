"""tests/support/steps.py keeps each step's run apart: what the batched tests assert on is that step's own."""

import pytest

from tests.support.steps import Step, run_steps


def say(text):
    return {"name": "say", "ansible.builtin.debug": {"msg": text}}


def fail(text):
    return {"name": "fail", "ansible.builtin.fail": {"msg": text}}


@pytest.fixture(scope="module")
def runs(module_moto, module_aws, tmp_path_factory):
    order = []
    workdir = tmp_path_factory.mktemp("steps")
    (workdir / "inner.yml").write_text(
        "- name: An imported play\n  hosts: localhost\n  gather_facts: false\n"
        "  tasks:\n    - name: say\n      ansible.builtin.debug:\n        msg: \"{{ word }}\"\n")
    steps = [
        # A task the test itself lets fail (ignore_errors) does not fail its step, as it would not fail a run.
        Step("first", [say("only in the first step"), dict(fail("ignored failure"), ignore_errors=True)],
             before=lambda: order.append("before first"),
             after=lambda: order.append("after first") or "seen after first"),
        Step("user", [{"name": "user", "spapi.onboarding.iam_user": {"name": "StepsUser"}}], record=True,
             before=lambda: order.append("before user"), after=lambda: module_aws.iam.list_users()["Users"]),
        Step("rescued", [{"block": [fail("rescued failure text")], "rescue": [say("rescued")]}], reset=True,
             after=lambda: module_aws.iam.list_users()["Users"]),
        Step("check", [{"name": "copy", "ansible.builtin.copy": {"content": "x", "dest": "written-in-check-mode"}}],
             check=True, after=(workdir / "written-in-check-mode").exists),
        Step("imported", playbook=workdir / "inner.yml", vars={"word": "given to the import"}),
        Step("stops", [fail("the run stops here")]),
        Step("never", [say("never printed")], before=lambda: order.append("before never")),
    ]
    run = run_steps(workdir, module_moto, steps)
    run.order = order
    return run


def test_each_step_has_its_own_output_results_and_exit_status(runs):
    first, rescued, check = runs["first"], runs["rescued"], runs["check"]
    first.assert_ok()
    assert "only in the first step" in first.output and "rescued failure text" not in first.output
    assert first.result("say")["msg"] == "only in the first step" and first.status("fail") == "failed"
    assert "rescued failure text" in rescued.output and "only in the first step" not in rescued.output
    assert rescued.returncode == 2 and rescued.status("fail") == "failed"
    # check: the play's check mode, as --check gives each task (ansible_check_mode itself stays false).
    check.assert_ok()
    assert check.result("copy")["changed"] is True and check.seen is False


def test_calls_hooks_and_resets_belong_to_their_step(runs):
    user = runs["user"]
    user.assert_ok()
    assert "CreateUser" in user.calls and runs["first"].calls is None
    assert [u["UserName"] for u in user.seen] == ["StepsUser"]
    assert runs["rescued"].seen == []  # emptied before that step
    assert runs["first"].seen == "seen after first"
    assert runs.order == ["before first", "after first", "before user"]


def test_an_imported_playbook_belongs_to_its_step_with_its_variables(runs):
    imported = runs["imported"]
    imported.assert_ok()
    assert imported.result("say")["msg"] == "given to the import"
    assert [r["play"] for r in imported.records] == ["An imported play"]
    assert "PLAY [An imported play]" in imported.output and "PLAY [An imported play]" not in runs["check"].output


def test_a_failure_that_is_not_rescued_ends_the_process(runs):
    stops, never = runs["stops"], runs["never"]
    assert stops.returncode == 2 and "the run stops here" in stops.output
    assert not never.ran and never.returncode is None
    with pytest.raises(AssertionError, match="did not run"):
        never.assert_ok()
    assert runs.returncode == 2 and "never printed" not in runs.stdout
