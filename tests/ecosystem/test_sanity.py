"""`ansible-test sanity` passes on the collection, with no ignore entries."""

import subprocess
import sys

from tests.support.paths import REPO


def test_no_sanity_ignores():
    """Problems are fixed, not ignored: every tests/sanity/ignore-*.txt is empty or absent."""
    entries = []
    for path in sorted((REPO / "tests" / "sanity").glob("ignore-*.txt")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("#"):
                entries.append("%s:%d: %s" % (path.name, number, line))
    assert entries == []


def test_ansible_test_sanity_passes():
    """Every sanity test that can run here (validate-modules, pylint, pep8, compile and import
    on each Python found, yamllint, ansible-doc, changelog, ...) passes on a copy of the tree."""
    process = subprocess.run([sys.executable, str(REPO / "tests" / "sanity" / "run_sanity.py")],
                             cwd=str(REPO), capture_output=True, text=True, timeout=1500,
                             stdin=subprocess.DEVNULL, check=False)
    output = process.stdout + process.stderr
    problems = [line for line in output.splitlines() if line.startswith(("ERROR", "FATAL"))]
    assert process.returncode == 0, "\n".join(problems) or output[-6000:]
    assert 'Running sanity test "validate-modules"' in output
    assert 'Running sanity test "pylint"' in output
    assert 'Running sanity test "compile" on Python 3.11' in output
