"""The docs: the guide covers the whole onboarding, and what is derived from code is current."""

import subprocess
import sys

import pytest

from tests.support.paths import REPO

sys.path.insert(0, str(REPO / "tools"))
import docs  # noqa: E402  pylint: disable=wrong-import-position

GUIDE = (REPO / "docs" / "guide.md").read_text()


def test_generated_docs_are_current():
    """docs/modules/*.md and the guide's operator policy match the code (run tools/docs.py)."""
    result = subprocess.run([sys.executable, str(REPO / "tools" / "docs.py"), "--check"], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_page_per_module():
    modules = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if not p.stem.startswith("_"))
    pages = sorted(p.stem for p in (REPO / "docs" / "modules").glob("*.md"))
    assert pages == modules
    assert "# spapi.onboarding.iam_user" in (REPO / "docs" / "modules" / "iam_user.md").read_text()


def test_operator_policy_lists_exactly_the_actions_the_code_calls():
    documented = docs.documented_policy(GUIDE)
    assert documented is not None, "docs/guide.md has no operator policy block"
    listed = set()
    for statement in documented["Statement"]:
        assert statement["Effect"] == "Allow"
        listed.update(statement["Action"])
    called = set(docs.called_actions()) - docs.SIGNED_WITH_THE_USERS_KEY
    # Least privilege: AssumeRole is only ever signed with the SP-API user's key, never the operator's.
    assert "sts:AssumeRole" not in listed and "sts:AssumeRole" in docs.called_actions()
    assert called - listed == set(), "called by plugins/ but missing from the operator policy"
    assert listed - called == set(), "in the operator policy but called nowhere in plugins/"
    # What iam_user and the connection call today: guards the extraction itself.
    assert {"iam:GetUser", "iam:CreateUser", "iam:TagUser", "iam:DeleteUser", "iam:ListAccessKeys",
            "iam:DeleteAccessKey", "sts:GetCallerIdentity"} <= called


def test_action_extraction_recognises_every_call_style(tmp_path):
    (tmp_path / "code.py").write_text(
        "found = read('x', iam.get_role, RoleName=name)\n"
        "task.aws.iam.create_role(RoleName=name)\n"
        "self.sts.assume_role(RoleArn=arn)\n"
        "pages = client.get_paginator('list_policy_versions')\n"
        "iam.not_an_operation()\nassume_role_policy(arns)\n")
    assert docs.called_actions(str(tmp_path)) == [
        "iam:CreateRole", "iam:GetRole", "iam:ListPolicyVersions", "sts:AssumeRole"]


def test_generator_handles_missing_modules(monkeypatch, tmp_path):
    monkeypatch.setattr(docs, "MODULES_DIR", str(tmp_path / "none"))
    assert docs.module_pages() == {}


@pytest.mark.parametrize("text", [
    # what the collection automates
    "IAM user", "Ansible Vault", "`SellingPartnerAPI`", "trusts exactly that user", "STS policy", "sts:AssumeRole",
    # developer registration
    "publicly available", "Selling Partner APIs", "Security Controls", "incident response policy",
    "Your\ndeveloper registration is under review",
    # the app client form
    "Add new app client", "**SP API**", "**IAM ARN**", "**Sellers**", "select all the roles",
    "`https://codat.io`", "`https://amazonsellercentral.codat.io/oauth/callback`", "**Save and Exit**",
    # the app listing
    "**Partner Network**", "**Develop Apps**", "**Authorise**", "**View App listings**", "**Add App Listing**",
    "**App information**", "**Pricing**", "**Details**", "specific dimensions", "**Save and submit**",
    "up to two\nweeks", "about **2 weeks**",
    # running safely, rotation, offboarding, the 2023 change
    "--vault-id spapi@prompt", "--check --diff", "playbooks/rotate_key.yml", "playbooks/offboard.yml",
    "2 October 2023", "Signature Version 4", "unused long-lived access key is a liability",
])
def test_guide_covers_the_onboarding(text):
    assert text in GUIDE
