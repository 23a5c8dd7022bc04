"""Off a local connection the IAM modules run as ordinary modules on the target, with the same results."""

import sys

from tests.support.ansible import play, run_playbook
from tests.support.moto import writes
from tests.support.paths import REPO

CONNECTIONS = REPO / "tests" / "support" / "connection_plugins"


def test_iam_user_runs_as_a_module_on_a_remote_connection(moto, aws, tmp_path):
    book = play([
        {"name": "user", "spapi.onboarding.iam_user": {"name": "RemoteUser", "tags": {"via": "module"}},
         "register": "out"},
        {"name": "bad", "spapi.onboarding.iam_user": {"name": "Remote User"}, "ignore_errors": True},
    ], vars={"ansible_connection": "remote_local", "ansible_python_interpreter": sys.executable})
    env = {"ANSIBLE_CONNECTION_PLUGINS": str(CONNECTIONS)}

    moto.start_recording()
    first = run_playbook(book, tmp_path, moto.url, ["-vvv"], env=env)
    calls = moto.stop_recording()
    first.assert_ok()
    # -vvv names the AnsiballZ payload only when a module process really ran.
    assert "AnsiballZ_iam_user.py" in first.output
    assert first.result("user")["changed"] is True
    assert "option 'name': 'Remote User' is not a valid IAM user name" in first.result("bad")["msg"]
    assert writes(calls) == ["CreateUser"]
    assert aws.iam.list_user_tags(UserName="RemoteUser")["Tags"] == [{"Key": "via", "Value": "module"}]

    again = run_playbook(book, tmp_path, moto.url, env=env)
    again.assert_ok()
    assert again.result("user")["changed"] is False


def test_iam_user_runs_in_process_on_a_local_connection(moto, tmp_path):
    run = run_playbook(play([{"name": "user", "spapi.onboarding.iam_user": {"name": "LocalUser"}}]),
                       tmp_path, moto.url, ["-vvv"])
    run.assert_ok()
    assert run.result("user")["changed"] is True
    assert "AnsiballZ" not in run.output
