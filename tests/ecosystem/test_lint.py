"""ansible-lint's production profile passes on the whole tree (.ansible-lint)."""

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import COLLECTIONS_ROOT, REPO

BIN = Path(sys.executable).parent


def test_ansible_lint_production_profile():
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env["ANSIBLE_COLLECTIONS_PATH"] = str(COLLECTIONS_ROOT)
    env["NO_COLOR"] = "1"
    result = subprocess.run([str(BIN / "ansible-lint"), "--nocolor"], cwd=str(REPO), env=env,
                            capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
                            check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "Profile 'production' was required, and it passed" in output, output[-3000:]
