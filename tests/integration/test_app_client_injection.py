"""The app client sheet cannot be turned against the person who reads it (real ansible-playbook runs).

Values that would add lines or markup to app-client.md are refused naming the role variable;
ordinary punctuation is escaped; the sheets are never written through a link or into a
directory someone else can change.
"""

import json
import os

import pytest

from tests.integration.test_app_client_role import NO_AWS, role_play
from tests.support.ansible import run_playbook

INJECTED = "# Injected heading"


def sheet_lines(tmp_path):
    return (tmp_path / "spapi-onboarding" / "app-client.md").read_text().splitlines()


@pytest.fixture(scope="module")
def reference_lines(tmp_path_factory):
    """The sheet of the default settings: an escaped name must not add a line to it."""
    workdir = tmp_path_factory.mktemp("reference")
    run_playbook(role_play(), workdir, NO_AWS).assert_ok()
    return sheet_lines(workdir)


@pytest.mark.parametrize("role_vars, variable", [
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
])
def test_values_that_would_break_the_sheet_are_refused(tmp_path, role_vars, variable):
    run = run_playbook(role_play(**role_vars), tmp_path, NO_AWS)
    assert run.returncode != 0
    assert "%s: must" % variable in run.output or "%s: role names must" % variable in run.output, run.output
    assert not (tmp_path / "spapi-onboarding").exists()


def test_markdown_in_names_is_escaped_and_adds_no_line(tmp_path, reference_lines):
    name = "Acme *Books* [Sync](https://evil.example) & Co #1 | _x_ ~y~ \\"
    role = "Foo_[click](https://evil.example)"
    run = run_playbook(role_play(app_client_name=name, app_client_roles=["Pricing", role],
                                 app_client_allow_unknown_roles=True), tmp_path, NO_AWS)
    run.assert_ok()
    lines = sheet_lines(tmp_path)
    roles_delta = 2 - 10  # two roles listed instead of the ten default ones
    assert len(lines) == len(reference_lines) + roles_delta
    assert lines[0] == ("# SP-API app client: Acme \\*Books\\* \\[Sync\\](https://evil.example) \\& Co \\#1 \\| "
                        "\\_x\\_ \\~y\\~ \\\\")
    assert "   - [ ] Foo\\_\\[click\\](https://evil.example)" in lines
    # The code span of the App name holds the name as typed: nothing in it can end the span.
    assert "1. **App name**: `%s`" % name in lines
    data = json.loads((tmp_path / "spapi-onboarding" / "app-client.json").read_text())
    assert data["app_client"]["app_name"] == name and data["app_client"]["roles"] == ["Pricing", role]


@pytest.mark.parametrize("which", ["app-client.md", "app-client.json"])
def test_a_symlinked_sheet_is_refused_and_its_target_unchanged(tmp_path, which):
    out = tmp_path / "spapi-onboarding"
    out.mkdir(mode=0o755)
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    (out / which).symlink_to(target)
    run = run_playbook(role_play(), tmp_path, NO_AWS)
    assert run.returncode != 0
    assert "app_client_output_dir: %s is a symbolic link" % (out / which) in run.output
    assert target.read_text() == "keep me\n"
    assert sorted(os.listdir(str(out))) == [which] and os.path.islink(str(out / which))


@pytest.mark.parametrize("mode", [0o775, 0o757])
def test_an_unsafe_output_directory_is_refused(tmp_path, mode):
    out = tmp_path / "spapi-onboarding"
    out.mkdir()
    out.chmod(mode)
    run = run_playbook(role_play(), tmp_path, NO_AWS)
    assert run.returncode != 0
    assert "app_client_output_dir: the directory %s is writable by its group or by others (mode %04o)" % (
        out, mode) in run.output
    assert os.listdir(str(out)) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a directory to another user needs root")
def test_another_users_output_directory_is_refused(tmp_path):
    out = tmp_path / "spapi-onboarding"
    out.mkdir(mode=0o755)
    os.chown(str(out), 65534, 65534)
    run = run_playbook(role_play(), tmp_path, NO_AWS)
    assert run.returncode != 0
    assert "belongs to uid 65534, not to the user running the play (uid 0)" in run.output
    assert os.listdir(str(out)) == []
