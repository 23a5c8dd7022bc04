"""One execution path, two transports: a task run in-process (local connection) and as a module
process (any other connection) gives the same result and the same error, word for word."""

import pytest

from tests.support.ansible import play, run_playbook
from tests.support.paths import REPO

CONNECTIONS = {"ANSIBLE_CONNECTION_PLUGINS": str(REPO / "tests" / "support" / "connection_plugins")}
USER = "arn:aws:iam::123456789012:user/BothWaysUser"
ROLE = "arn:aws:iam::123456789012:role/BothWaysRole"
POLICY = "arn:aws:iam::123456789012:policy/BothWaysPolicy"

# (name, module, options): a first run, then a re-run of the same tasks, on an empty account.
MATRIX = [
    ("user", "iam_user", {"name": "BothWaysUser", "tags": {"team": "ops"}}),
    ("policy", "iam_policy", {"name": "BothWaysPolicy", "account_id": "123456789012"}),
    ("role", "iam_role", {"name": "BothWaysRole", "trusted_user_arn": USER, "managed_policy_arns": [POLICY]}),
    ("sts", "sts_policy", {"user_name": "BothWaysUser", "role_arn": ROLE}),
    ("bad name", "iam_user", {"name": "Both Ways"}),
    ("bad path", "iam_policy", {"name": "BothWaysPolicy", "path": "no-slashes"}),
    ("exclusive", "iam_role", {"name": "BothWaysRole", "trusted_user_arn": USER, "trusted_principals": [USER]}),
    ("required", "sts_policy", {"user_name": "BothWaysUser"}),
    ("unknown option", "iam_user", {"name": "BothWaysUser", "colour": "blue"}),
    ("wrong type", "iam_role", {"name": "BothWaysRole", "trusted_user_arn": USER, "max_session_duration": "long"}),
    ("takeover", "iam_role", {"name": "BothWaysRole", "trusted_user_arn": "arn:aws:iam::123456789012:user/Other"}),
    ("secret", "iam_user", {"name": "BothWaysUser", "secret_key": "s3cr3t-value-never-shown", "access_key": "AKIAIOSFODNN7EXAMPLE"}),
]
# What only one transport adds, and says nothing about the task.
TRANSPORT_KEYS = ("invocation", "ansible_facts", "_ansible_no_log", "warnings", "deprecations", "module_stderr",
                  "module_stdout", "exception", "rc", "_ansible_verbose_always")


def matrix_play(connection):
    tasks = [{"name": name, "spapi.onboarding.%s" % module: options, "ignore_errors": True}
             for name, module, options in MATRIX]
    return play(tasks + tasks, vars={"ansible_connection": connection})


# Unique ids AWS gives each new entity differ between the two accounts, by design.
UNIQUE_IDS = ("user_id", "role_id", "policy_id")


def without_ids(value):
    if isinstance(value, dict):
        return dict((k, "<id>" if k in UNIQUE_IDS and v else without_ids(v)) for k, v in value.items())
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def outcomes(run):
    """Each task's result without what the transport adds, in task order."""
    return [without_ids(dict((k, v) for k, v in record["result"].items() if k not in TRANSPORT_KEYS))
            for record in run.records]


@pytest.fixture(scope="module")
def both(moto_server, tmp_path_factory):
    runs = {}
    for connection in ("local", "remote_local"):
        moto_server.reset()
        run = run_playbook(matrix_play(connection), tmp_path_factory.mktemp(connection), moto_server.url,
                           env=CONNECTIONS)
        runs[connection] = run
    moto_server.reset()
    return runs


def test_the_module_process_really_ran_off_the_local_connection(both):
    assert len(both["local"].records) == len(both["remote_local"].records) == 2 * len(MATRIX)


@pytest.mark.parametrize("index", range(2 * len(MATRIX)))
def test_same_result_and_same_error_both_ways(both, index):
    local, remote = outcomes(both["local"])[index], outcomes(both["remote_local"])[index]
    name = MATRIX[index % len(MATRIX)][0]
    assert local == remote, name
    assert "s3cr3t-value-never-shown" not in str(local) + str(remote)


def test_the_matrix_covers_success_refusal_and_convergence(both):
    results = dict(zip([record["task"] for record in both["local"].records[:len(MATRIX)]],
                       outcomes(both["local"])[:len(MATRIX)]))
    again = outcomes(both["local"])[len(MATRIX):]
    assert results["user"]["changed"] is True and again[0]["changed"] is False
    assert results["exclusive"]["msg"] == "parameters are mutually exclusive: trusted_user_arn|trusted_principals"
    assert results["required"]["msg"] == "state is present but any of the following are missing: role_arn, role_arns"
    assert "Unsupported parameters" in results["unknown option"]["msg"]
    assert "option 'name': 'Both Ways' is not a valid IAM user name" in results["bad name"]["msg"]
    assert "the existing IAM role BothWaysRole trusts %s" % USER in results["takeover"]["msg"]
