"""ansible-builder can make an execution environment (AWX / AAP) with this collection."""

import subprocess
import sys
from pathlib import Path

import yaml

from tests.support.paths import COLLECTIONS_ROOT, REPO

BIN = Path(sys.executable).parent


def requirement_lines(path):
    lines = [line.split("#", 1)[0].strip() for line in path.read_text().splitlines()]
    return [line for line in lines if line]


def builder(*args):
    result = subprocess.run([str(BIN / "ansible-builder")] + list(args), cwd=str(REPO), capture_output=True,
                            text=True, timeout=300, stdin=subprocess.DEVNULL, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_collection_metadata_points_at_existing_requirements():
    meta = yaml.safe_load((REPO / "meta" / "execution-environment.yml").read_text())
    deps = meta["dependencies"]
    assert deps["python"] == "requirements.txt"
    for kind in ("python", "system"):
        if kind in deps:
            assert (REPO / deps[kind]).is_file(), deps[kind]
    assert {"boto3>=1.28.0", "botocore>=1.31.0"} <= set(requirement_lines(REPO / "requirements.txt"))


def test_builder_introspection_finds_the_python_requirements():
    """What ansible-builder reads from the collection when an EE lists it."""
    data = yaml.safe_load(builder("introspect", str(COLLECTIONS_ROOT)).split("\n", 1)[1])
    found = [entry.split("#", 1)[0].strip() for entry in data["python"]]
    assert found == requirement_lines(REPO / "requirements.txt")
    assert all("from collection spapi.onboarding" in entry for entry in data["python"])


def test_builder_create_renders_a_context_with_our_requirements(tmp_path):
    context = tmp_path / "context"
    builder("create", "-f", "ee/execution-environment.yml", "-c", str(context))
    rendered = context / "_build" / "requirements.txt"
    assert requirement_lines(rendered) == requirement_lines(REPO / "requirements.txt")
    containerfile = (context / "Dockerfile").read_text()
    assert "COPY _build/requirements.txt requirements.txt" in containerfile
    assert "ansible-galaxy collection install" in containerfile
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert any("spapi.onboarding" in entry["name"] for entry in galaxy["collections"])
