"""The app client sheet cannot be turned against the person who reads it (real ansible-playbook runs).

Values that would add lines or markup to app-client.md are refused naming the role variable;
ordinary punctuation is escaped; the sheets are never written through a link or into a
directory someone else can change.

Every run is a step of one ansible-playbook process (tests/support/steps.py), each writing into a
directory of its own (app_client_output_dir); a refused run's failure is rescued so the next steps run.
"""

import json
import os

import pytest

from tests.integration.test_app_client_role import ROLE_ARN
from tests.support.steps import Step, run_steps

INJECTED = "# Injected heading"
BROKEN = [
    ({"app_client_name": "Acme Sync\n" + INJECTED}, "app_client_name"),
    ({"app_client_name": "Acme Sync\r" + INJECTED}, "app_client_name"),
    ({"app_client_name": "Acme Sync\u2028" + INJECTED}, "app_client_name"),
    ({"app_client_name": "Acme Sync\x1b[2J"}, "app_client_name"),
    ({"app_client_name": "Acme `Sync`"}, "app_client_name"),
    ({"app_client_name": "Acme <script>alert(1)</script>"}, "app_client_name"),
    ({"app_client_roles": ["Pricing\n- [x] " + INJECTED], "app_client_allow_unknown_roles": True}, "app_client_roles"),
    ({"app_client_oauth_redirect_uri": "https://codat.io/cb`\n" + INJECTED}, "app_client_oauth_redirect_uri"),
    ({"app_client_oauth_redirect_uri": "https://codat.io/cb`<img src=x onerror=alert(1)>"},
     "app_client_oauth_redirect_uri"),
    ({"app_client_oauth_login_uri": "https://codat.io/\n" + INJECTED}, "app_client_oauth_login_uri"),
    ({"app_client_oauth_login_uri": "https://codat.io\n"}, "app_client_oauth_login_uri"),
    ({"app_client_oauth_login_uri": "https://attacker.example@codat.io/"}, "app_client_oauth_login_uri"),
    ({"app_client_oauth_login_uri": "https:///no-host"}, "app_client_oauth_login_uri"),
    ({"app_client_oauth_login_uri": "https://[::1/"}, "app_client_oauth_login_uri"),
    ({"app_client_role_arn": "arn:aws:iam::123456789012:role/SellingPartnerAPIRole\n"}, "app_client_role_arn"),
    ({"app_client_role_arn": "arn:aws:iam::123456789012:role/p`x/SellingPartnerAPIRole"}, "app_client_role_arn"),
    ({"app_client_role_arn": "arn:aws:iam::123456789012:role/*"}, "app_client_role_arn"),
]
MARKDOWN_NAME = "Acme *Books* [Sync](https://evil.example) & Co #1 | _x_ ~y~ \\"
MARKDOWN_ROLE = "Foo_[click](https://evil.example)"
SYMLINKED = ["app-client.md", "app-client.json"]
UNSAFE_MODES = [0o775, 0o757]
AS_ROOT = os.geteuid() == 0


def role_tasks(directory, **role_vars):
    """The app_client role writing into directory/spapi-onboarding; a refusal is rescued (the next steps run)."""
    if "iam_role_arn" not in role_vars:
        role_vars.setdefault("app_client_role_arn", ROLE_ARN)
    role_vars.setdefault("app_client_output_dir", str(directory / "spapi-onboarding"))
    return [{"block": [{"name": "app client", "ansible.builtin.include_role": {"name": "spapi.onboarding.app_client"},
                        "vars": role_vars}],
             "rescue": [{"name": "refused", "ansible.builtin.meta": "noop"}]}]


def sheet_lines(directory):
    return (directory / "spapi-onboarding" / "app-client.md").read_text().splitlines()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("injection")
    case = dict((name, workdir / name) for name in (
        ["reference", "markdown", "root"] + ["broken%d" % i for i in range(len(BROKEN))]
        + ["symlink%d" % i for i in range(len(SYMLINKED))] + ["unsafe%d" % i for i in range(len(UNSAFE_MODES))]))
    for directory in case.values():
        directory.mkdir()
    for index, which in enumerate(SYMLINKED):
        out = case["symlink%d" % index] / "spapi-onboarding"
        out.mkdir(mode=0o755)
        (case["symlink%d" % index] / "precious.txt").write_text("keep me\n")
        (out / which).symlink_to(case["symlink%d" % index] / "precious.txt")
    for index, mode in enumerate(UNSAFE_MODES):
        out = case["unsafe%d" % index] / "spapi-onboarding"
        out.mkdir()
        out.chmod(mode)
    if AS_ROOT:
        out = case["root"] / "spapi-onboarding"
        out.mkdir(mode=0o755)
        os.chown(str(out), 65534, 65534)
    steps = [
        # The sheet of the default settings: an escaped name must not add a line to it.
        Step("reference", role_tasks(case["reference"])),
        Step("markdown", role_tasks(case["markdown"], app_client_name=MARKDOWN_NAME,
                                    app_client_roles=["Pricing", MARKDOWN_ROLE], app_client_allow_unknown_roles=True)),
    ]
    steps += [Step("broken %d" % index, role_tasks(case["broken%d" % index], **role_vars))
              for index, (role_vars, dummy) in enumerate(BROKEN)]
    steps += [Step("symlink %d" % index, role_tasks(case["symlink%d" % index])) for index in range(len(SYMLINKED))]
    steps += [Step("unsafe %d" % index, role_tasks(case["unsafe%d" % index])) for index in range(len(UNSAFE_MODES))]
    if AS_ROOT:
        steps.append(Step("root", role_tasks(case["root"])))
    run = run_steps(workdir, None, steps)
    run.case = case
    return run


@pytest.mark.parametrize("role_vars, variable", BROKEN)
def test_values_that_would_break_the_sheet_are_refused(runs, role_vars, variable):
    index = BROKEN.index((role_vars, variable))
    run = runs["broken %d" % index]
    assert run.returncode != 0
    assert "%s: must" % variable in run.output or "%s: role names must" % variable in run.output, run.output
    assert not (runs.case["broken%d" % index] / "spapi-onboarding").exists()


def test_markdown_in_names_is_escaped_and_adds_no_line(runs):
    runs["reference"].assert_ok()
    reference_lines = sheet_lines(runs.case["reference"])
    name, role = MARKDOWN_NAME, MARKDOWN_ROLE
    run = runs["markdown"]
    run.assert_ok()
    lines = sheet_lines(runs.case["markdown"])
    roles_delta = 2 - 10  # two roles listed instead of the ten default ones
    assert len(lines) == len(reference_lines) + roles_delta
    assert lines[0] == ("# SP-API app client: Acme \\*Books\\* \\[Sync\\](https://evil.example) \\& Co \\#1 \\| "
                        "\\_x\\_ \\~y\\~ \\\\")
    assert "   - [ ] Foo\\_\\[click\\](https://evil.example)" in lines
    # The code span of the App name holds the name as typed: nothing in it can end the span.
    assert "1. **App name**: `%s`" % name in lines
    data = json.loads((runs.case["markdown"] / "spapi-onboarding" / "app-client.json").read_text())
    assert data["app_client"]["app_name"] == name and data["app_client"]["roles"] == ["Pricing", role]


@pytest.mark.parametrize("which", SYMLINKED)
def test_a_symlinked_sheet_is_refused_and_its_target_unchanged(runs, which):
    index = SYMLINKED.index(which)
    directory = runs.case["symlink%d" % index]
    out = directory / "spapi-onboarding"
    run = runs["symlink %d" % index]
    assert run.returncode != 0
    assert "app_client_output_dir: %s is a symbolic link" % (out / which) in run.output
    assert (directory / "precious.txt").read_text() == "keep me\n"
    assert sorted(os.listdir(str(out))) == [which] and os.path.islink(str(out / which))


@pytest.mark.parametrize("mode", UNSAFE_MODES)
def test_an_unsafe_output_directory_is_refused(runs, mode):
    index = UNSAFE_MODES.index(mode)
    out = runs.case["unsafe%d" % index] / "spapi-onboarding"
    run = runs["unsafe %d" % index]
    assert run.returncode != 0
    assert "app_client_output_dir: the directory %s is writable by its group or by others (mode %04o)" % (
        out, mode) in run.output
    assert os.listdir(str(out)) == []


@pytest.mark.skipif(not AS_ROOT, reason="giving a directory to another user needs root")
def test_another_users_output_directory_is_refused(runs):
    out = runs.case["root"] / "spapi-onboarding"
    run = runs["root"]
    assert run.returncode != 0
    assert "belongs to uid 65534, not to the user running the play (uid 0)" in run.output
    assert os.listdir(str(out)) == []
