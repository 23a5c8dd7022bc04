"""Off a local connection the IAM modules run as ordinary modules on the target, with the same results.

The remote and local runs are steps of one ansible-playbook process at -vvv (tests/support/steps.py).
"""

import sys

import pytest

from tests.support.ansible import play, run_playbook
from tests.support.moto import writes
from tests.support.paths import REPO
from tests.support.steps import Step, run_steps

CONNECTIONS = REPO / "tests" / "support" / "connection_plugins"


@pytest.fixture(scope="module")
def runs(module_moto, module_aws, tmp_path_factory):
    remote = [
        {"name": "user", "spapi.onboarding.iam_user": {"name": "RemoteUser", "tags": {"via": "module"}},
         "register": "out"},
        {"name": "bad", "spapi.onboarding.iam_user": {"name": "Remote User"}, "ignore_errors": True},
    ]
    on_remote = {"ansible_connection": "remote_local", "ansible_python_interpreter": sys.executable}
    steps = [
        Step("remote first", remote, vars=on_remote, record=True,
             after=lambda: module_aws.iam.list_user_tags(UserName="RemoteUser")["Tags"]),
        Step("remote again", remote, vars=on_remote),
        Step("local", [{"name": "user", "spapi.onboarding.iam_user": {"name": "LocalUser"}}]),
    ]
    return run_steps(tmp_path_factory.mktemp("fallback"), module_moto, steps, ["-vvv"],
                     env={"ANSIBLE_CONNECTION_PLUGINS": str(CONNECTIONS)})


def test_iam_user_runs_as_a_module_on_a_remote_connection(runs):
    first = runs["remote first"]
    calls = first.calls
    first.assert_ok()
    # -vvv names the AnsiballZ payload only when a module process really ran.
    assert "AnsiballZ_iam_user.py" in first.output
    assert first.result("user")["changed"] is True
    assert "option 'name': 'Remote User' is not a valid IAM user name" in first.result("bad")["msg"]
    assert writes(calls) == ["CreateUser"]
    assert first.seen == [{"Key": "via", "Value": "module"}]

    again = runs["remote again"]
    again.assert_ok()
    assert again.result("user")["changed"] is False


def test_iam_user_runs_in_process_on_a_local_connection(runs):
    run = runs["local"]
    run.assert_ok()
    assert run.result("user")["changed"] is True
    assert "AnsiballZ" not in run.output


def test_a_controller_without_boto3_is_told_which_python_and_the_pip_command(moto, tmp_path):
    hide = tmp_path / "no-boto3"
    (hide / "boto3").mkdir(parents=True)
    (hide / "boto3" / "__init__.py").write_text("raise ImportError('No module named boto3')\n")
    book = play([{"name": "key", "spapi.onboarding.access_key": {"vault_file": str(tmp_path / "k.vault.yml")}}])
    run = run_playbook(book, tmp_path, moto.url, env={"PYTHONPATH": str(hide)})
    assert run.returncode != 0
    message = run.result("key")["msg"]
    assert "needs boto3 and botocore in the Python that runs ansible-playbook, %s" % sys.executable in message
    assert "%s -m pip install boto3 botocore" % sys.executable in message
