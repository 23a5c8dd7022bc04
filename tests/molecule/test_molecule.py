"""Each molecule scenario of the collection (extensions/molecule/<name>) passes `molecule test`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import COLLECTIONS_ROOT, REPO

BIN = Path(sys.executable).parent


def molecule_test(scenario, tmp_path):
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith(("AWS_", "ANSIBLE_", "MOLECULE_")))
    env.update({
        "PATH": "%s%s%s" % (BIN, os.pathsep, env.get("PATH", "")),
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_ROOT),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "MOLECULE_EPHEMERAL_DIRECTORY": str(tmp_path / "ephemeral"),
        "ANSIBLE_NOCOLOR": "1",
        "NO_COLOR": "1",
    })
    process = subprocess.run([str(BIN / "molecule"), "test", "-s", scenario], cwd=str(REPO), env=env,
                             capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL, check=False)
    output = process.stdout + process.stderr
    assert process.returncode == 0, output[-6000:]
    return output


@pytest.mark.slow
def test_app_client_scenario(tmp_path):
    output = molecule_test("app_client", tmp_path)
    for step in ("syntax", "converge", "idempotence", "verify", "cleanup"):
        assert "%s: Executed: Successful" % step in output, output[-3000:]
    assert not (tmp_path / "ephemeral" / "app-client").exists()


@pytest.mark.slow
def test_iam_scenario(tmp_path):
    output = molecule_test("iam", tmp_path)
    for step in ("prepare", "converge", "idempotence", "verify", "cleanup"):
        assert "%s: Executed: Successful" % step in output, output[-3000:]
    # cleanup stopped the scenario's moto server.
    assert not (tmp_path / "ephemeral" / "moto" / "moto.pid").exists()


@pytest.mark.slow
def test_lwa_scenario(tmp_path):
    output = molecule_test("lwa", tmp_path)
    for step in ("prepare", "converge", "idempotence", "verify", "cleanup"):
        assert "%s: Executed: Successful" % step in output, output[-3000:]
    # cleanup stopped both stand-ins and removed the demo secrets.
    assert not (tmp_path / "ephemeral" / "moto" / "moto.pid").exists()
    assert not (tmp_path / "ephemeral" / "lwa" / "lwa.pid").exists()
    assert not (tmp_path / "ephemeral" / "lwa-secrets.yml").exists()
