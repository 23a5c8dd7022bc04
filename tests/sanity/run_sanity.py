#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run `ansible-test sanity` on a copy of the collection, online or offline.

ansible-test insists on running from .../ansible_collections/<namespace>/<name>/ and resolves
symlinks, so the checkout is copied (git-tracked files plus untracked files that are not
ignored) into such a tree in a temporary directory, and ansible-test runs there with --venv:
it builds one virtualenv per sanity test from its own pinned requirements, installed from the
configured package index.

To create those virtualenvs ansible-test downloads a pip bootstrap script from a host that
air-gapped machines cannot reach. When that script is not in ansible-test's cache yet, a small
stand-in is placed there: it bootstraps pip with CPython's own ensurepip, then installs the
requested packages from the configured index. An existing cached script is left alone.

ansible-test keeps that cache and its virtualenvs under ~/.ansible/test. The run gets a HOME of
its own inside the repository (tests/output/sanity-home, git-ignored), so nothing is written into
the user's home; the user's pip configuration and pip cache are still used, so the configured
package index (an offline mirror, say) still serves the virtualenvs.

Usage: python tests/sanity/run_sanity.py [extra ansible-test sanity arguments]
Exit status: that of ansible-test (0 when every sanity test passed).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAMESPACE = "spapi"
NAME = "onboarding"
CONTROLLER_PYTHON = "3.11"
# Versions that compile/import are also run on, when an interpreter is on this machine.
# ansible-core 2.17 supports module targets from Python 3.7; 3.8+ covers 2.17 to 2.19.
TARGET_PYTHONS = ("3.8", "3.9", "3.10", "3.12", "3.13")

# Sanity tests that cannot run here or do not apply; everything else runs.
SKIPPED = (
    # PowerShell only: needs pwsh and PSScriptAnalyzer, and the collection has no PowerShell.
    "pslint",
    # Shell scripts only: needs the shellcheck binary, and the collection ships no shell script.
    "shellcheck",
)

GET_PIP = '''"""Stand-in for get-pip.py: pip from CPython's ensurepip, then the requested packages."""
import os
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
env = dict(os.environ)
env.pop("GET_PIP", None)
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"], env=env)
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args, env=env)
'''


def log(message):
    sys.stderr.write("run_sanity: %s\n" % message)
    sys.stderr.flush()


def ansible_test_pip_version():
    """The pip version ansible-test bootstraps into its virtualenvs (e.g. '24.2')."""
    import ansible_test  # pylint: disable=import-outside-toplevel

    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source) as handle:
        match = re.search(r"\bpip='([0-9][0-9.]*)'", handle.read())
    if not match:
        raise SystemExit("run_sanity: cannot find the pip version ansible-test bootstraps in %s" % source)
    return match.group(1)


def ensure_get_pip(home):
    """Place the ensurepip-based bootstrap script in ansible-test's cache under home, only when missing."""
    version = ansible_test_pip_version()
    cache = os.path.join(home, ".ansible", "test", "cache")
    path = os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_"))
    if os.path.exists(path):
        return path
    if not os.path.isdir(cache):
        os.makedirs(cache)
    temp = path + ".tmp%d" % os.getpid()
    with open(temp, "w") as handle:
        handle.write(GET_PIP)
    os.rename(temp, path)
    log("placed the pip %s bootstrap script in %s" % (version, cache))
    return path


def collection_files():
    """Git-tracked files that still exist, plus untracked files that are not ignored."""
    output = subprocess.check_output(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO)
    names = sorted(set(name for name in output.decode("utf-8").split("\0") if name))
    return [name for name in names if os.path.isfile(os.path.join(REPO, name))]


def copy_collection(root):
    dest = os.path.join(root, "ansible_collections", NAMESPACE, NAME)
    for name in collection_files():
        target = os.path.join(dest, name)
        parent = os.path.dirname(target)
        if not os.path.isdir(parent):
            os.makedirs(parent)
        shutil.copy2(os.path.join(REPO, name), target)
    return dest


def working_python(command):
    try:
        return subprocess.call([command, "-c", "pass"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL) == 0
    except OSError:
        return False


def find_python(version):
    """A working pythonX.Y: on PATH, else a pyenv-installed one (pyenv shims may refuse)."""
    command = shutil.which("python" + version)
    if command and working_python(command):
        return command
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    versions = os.path.join(pyenv_root, "versions")
    if os.path.isdir(versions):
        for name in sorted(os.listdir(versions), reverse=True):
            if name == version or name.startswith(version + "."):
                candidate = os.path.join(versions, name, "bin", "python" + version)
                if working_python(candidate):
                    return candidate
    return None


def python_bin_dir(root):
    """A directory of working interpreters to put first on PATH, and the versions found."""
    bin_dir = os.path.join(root, "bin")
    os.makedirs(bin_dir)
    found = []
    for version in (CONTROLLER_PYTHON,) + TARGET_PYTHONS:
        if version == CONTROLLER_PYTHON:
            command = sys.executable
        else:
            command = find_python(version)
        if command:
            os.symlink(command, os.path.join(bin_dir, "python" + version))
            found.append(version)
    return bin_dir, found


def ansible_test_command():
    here = os.path.dirname(sys.executable)
    candidate = os.path.join(here, "ansible-test")
    if os.path.exists(candidate):
        return [candidate]
    return [shutil.which("ansible-test") or "ansible-test"]


def sanity_environment(home):
    """This process's environment with HOME moved to home, keeping the user's pip settings."""
    env = dict(os.environ)
    if "PIP_CONFIG_FILE" not in env:
        for config in ("~/.config/pip/pip.conf", "~/.pip/pip.conf"):
            if os.path.isfile(os.path.expanduser(config)):
                env["PIP_CONFIG_FILE"] = os.path.expanduser(config)
                break
    env.setdefault("PIP_CACHE_DIR", os.path.expanduser("~/.cache/pip"))
    env["HOME"] = home
    return env


def main(argv):
    home = os.path.join(REPO, "tests", "output", "sanity-home")
    ensure_get_pip(home)
    root = tempfile.mkdtemp(prefix="spapi-sanity-")
    try:
        dest = copy_collection(root)
        bin_dir, versions = python_bin_dir(root)
        env = sanity_environment(home)
        env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
        # Only the copy may be tested: never a checkout reachable through a collections path.
        for name in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS"):
            env.pop(name, None)
        # Keep the copy free of stray bytecode and colour codes in captured output.
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        base = ansible_test_command() + ["sanity", "--venv", "--color", "no"]
        for name in SKIPPED:
            base += ["--skip-test", name]
        status = 0
        # Every sanity test on the controller Python.
        log("Python versions found: %s" % ", ".join(versions))
        status |= subprocess.call(base + ["--python", CONTROLLER_PYTHON] + list(argv), cwd=dest, env=env)
        # The per-version tests on every other Python found here.
        if not argv:
            for version in versions:
                if version == CONTROLLER_PYTHON:
                    continue
                status |= subprocess.call(
                    base + ["--python", version, "--test", "compile", "--test", "import"], cwd=dest, env=env)
        return status
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
