"""`ansible-test sanity --test pylint` passes on the collection (the rest of sanity: test_sanity.py)."""

from tests.ecosystem.test_sanity import run_sanity


def test_ansible_test_pylint_passes():
    """pylint, with ansible-test's own configuration and plugins, on every Python file of a copy of the tree."""
    returncode, output, problems = run_sanity("--test", "pylint")
    assert returncode == 0, "\n".join(problems) or output[-6000:]
    assert 'Running sanity test "pylint"' in output
    assert 'Running sanity test "validate-modules"' not in output
