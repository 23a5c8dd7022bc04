"""The changelog follows antsibull-changelog's conventions and CHANGELOG.md is generated from it."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

BIN = Path(sys.executable).parent


def antsibull_changelog(*args, cwd=REPO):
    return subprocess.run([str(BIN / "antsibull-changelog")] + list(args), cwd=str(cwd),
                          capture_output=True, text=True, timeout=300, check=False)


def test_fragments_lint_clean():
    fragments = [p for p in (REPO / "changelogs" / "fragments").iterdir() if p.suffix in (".yml", ".yaml")]
    assert fragments, "changelogs/fragments/ holds no fragment"
    result = antsibull_changelog("lint")
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_changelog_yaml_lint_clean():
    result = antsibull_changelog("lint-changelog-yaml", "changelogs/changelog.yaml")
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_changelog_md_is_generated_from_changelog_yaml(tmp_path):
    """CHANGELOG.md is what `antsibull-changelog generate` makes of changelogs/changelog.yaml."""
    shutil.copy(REPO / "galaxy.yml", tmp_path / "galaxy.yml")
    shutil.copytree(REPO / "changelogs", tmp_path / "changelogs",
                    ignore=shutil.ignore_patterns(".plugin-cache.yaml"))
    result = antsibull_changelog("generate", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    expected = (tmp_path / "CHANGELOG.md").read_text()
    assert (REPO / "CHANGELOG.md").read_text() == expected, "CHANGELOG.md is stale: run `make changelog`"
    assert "spapi.onboarding.iam_user" in expected.replace("\\", "")
