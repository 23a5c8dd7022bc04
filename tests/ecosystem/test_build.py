"""`ansible-galaxy collection build` makes a small, clean artifact that installs and works offline."""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from tests.support.paths import REPO

BIN = Path(sys.executable).parent
# The collection with its docs is about 270 KiB compressed; a stray virtualenv or test tree would add megabytes.
MAX_ARTIFACT_BYTES = 384 * 1024
# Never shipped: local environments, caches, test output, VCS data, earlier builds.
FORBIDDEN_PARTS = {".venv", ".git", ".pytest_cache", "__pycache__", ".demo", ".ansible", ".tox", ".cache",
                   ".mypy_cache", ".ruff_cache", ".ci"}


def run(command, env=None, cwd=None):
    result = subprocess.run([str(c) for c in command], cwd=str(cwd or REPO), env=env, capture_output=True,
                            text=True, timeout=300, stdin=subprocess.DEVNULL, check=False)
    assert result.returncode == 0, " ".join(map(str, command)) + "\n" + result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    assert (REPO / ".venv").is_dir(), "the build must be checked with the local .venv present"
    out = tmp_path_factory.mktemp("build")
    run([BIN / "ansible-galaxy", "collection", "build", "--output-path", out, str(REPO)])
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    tarball = out / "{namespace}-{name}-{version}.tar.gz".format(**galaxy)
    assert tarball.is_file()
    return tarball


@pytest.fixture(scope="module")
def installed(artifact, tmp_path_factory):
    """The artifact installed (offline: no dependencies to fetch) into an empty collections path."""
    root = tmp_path_factory.mktemp("collections")
    # Only the temporary path: the checkout's own link must neither satisfy nor shadow the install.
    env = dict(os.environ)
    env.pop("ANSIBLE_COLLECTIONS_PATHS", None)
    env["ANSIBLE_COLLECTIONS_PATH"] = str(root)
    env["ANSIBLE_COLLECTIONS_SCAN_SYS_PATH"] = "false"
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    run([BIN / "ansible-galaxy", "collection", "install", "--offline", "--force", artifact, "-p", root],
        env=env, cwd=root)
    path = root / "ansible_collections" / "spapi" / "onboarding"
    assert (path / "MANIFEST.json").is_file() and not path.is_symlink()
    return path, env


def test_artifact_is_small_and_clean(artifact):
    with tarfile.open(artifact) as tar:
        names = tar.getnames()
    assert artifact.stat().st_size < MAX_ARTIFACT_BYTES, artifact.stat().st_size
    shipped = [n for n in names if FORBIDDEN_PARTS & set(Path(n).parts)]
    assert shipped == []
    assert [n for n in names if n.startswith("tests/output")] == []
    assert [n for n in names if n.endswith((".pyc", ".tar.gz", ".retry"))] == []
    assert {"MANIFEST.json", "FILES.json", "README.md", "meta/runtime.yml", "plugins/modules/iam_user.py",
            "meta/execution-environment.yml", "requirements.txt", "CHANGELOG.md"} <= set(names)


def test_installed_copy_documents_every_module(installed):
    path, env = installed
    modules = sorted(p.stem for p in (path / "plugins" / "modules").glob("*.py") if not p.stem.startswith("_"))
    assert "iam_user" in modules
    names = ["spapi.onboarding." + m for m in modules]
    docs = json.loads(run([BIN / "ansible-doc", "--json", "-t", "module"] + names, env=env, cwd=path.parents[2]))
    assert sorted(docs) == names
    for name in names:
        assert Path(docs[name]["doc"]["filename"]).resolve().is_relative_to(path.resolve())
    text = run([BIN / "ansible-doc", "spapi.onboarding.iam_user"], env=env, cwd=path.parents[2])
    assert "SellingPartnerAPIUser" in text


def test_installed_playbooks_pass_syntax_check(installed):
    """Every shipped playbook runs by FQCN from the installed copy alone (the loop is empty while playbooks/ is)."""
    path, env = installed
    for playbook in sorted((path / "playbooks").glob("*.yml")) if (path / "playbooks").is_dir() else []:
        run([BIN / "ansible-playbook", "spapi.onboarding." + playbook.stem, "--syntax-check"],
            env=env, cwd=path.parents[2])
