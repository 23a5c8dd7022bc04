"""`ansible-test sanity` passes on the collection, with no ignore entries.

pylint, the longest sanity test, runs apart (test_sanity_pylint.py), so that make test's workers run
it beside the others; `make sanity` runs them all at once.
"""

import subprocess
import sys

from tests.support.paths import REPO


def run_sanity(*args):
    """tests/sanity/run_sanity.py with these ansible-test arguments; returns (exit status, output, problems)."""
    process = subprocess.run([sys.executable, str(REPO / "tests" / "sanity" / "run_sanity.py")] + list(args),
                             cwd=str(REPO), capture_output=True, text=True, timeout=1500,
                             stdin=subprocess.DEVNULL, check=False)
    output = process.stdout + process.stderr
    problems = [line for line in output.splitlines() if line.startswith(("ERROR", "FATAL"))]
    return process.returncode, output, problems


def test_no_sanity_ignores():
    """Problems are fixed, not ignored: every tests/sanity/ignore-*.txt is empty or absent."""
    entries = []
    for path in sorted((REPO / "tests" / "sanity").glob("ignore-*.txt")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("#"):
                entries.append("%s:%d: %s" % (path.name, number, line))
    assert entries == []


def test_ansible_test_sanity_passes():
    """Every sanity test that can run here but pylint (validate-modules, pep8, compile and import on each
    Python found, yamllint, ansible-doc, changelog, ...) passes on a copy of the tree."""
    returncode, output, problems = run_sanity("--skip-test", "pylint")
    assert returncode == 0, "\n".join(problems) or output[-6000:]
    assert 'Running sanity test "validate-modules"' in output
    assert 'Running sanity test "compile" on Python 3.11' in output
    assert 'Running sanity test "pylint"' not in output
