#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run `ansible-test sanity` on a copy of the collection, online or offline.

ansible-test insists on running from .../ansible_collections/<namespace>/<name>/ and resolves
symlinks, so the checkout is copied (git-tracked files plus untracked files that are not
ignored) into such a tree in a temporary directory, and ansible-test runs there with --venv:
it builds one virtualenv per sanity test from its own pinned requirements, installed from the
configured package index. One ansible-test run does it all: every test on this Python, and the
per-version tests (compile, import) on every other Python found here, without the per-version
controller virtualenvs a `--python X.Y` run would build afresh each time.

To create those virtualenvs ansible-test downloads a pip bootstrap script from a host that
air-gapped machines cannot reach. When that script is not in ansible-test's cache yet, a small
stand-in is placed there (and kept up to date; a real get-pip.py found there is left alone): it
runs the requested pip straight from its wheel, downloaded once into the cache, to install the
requested packages from the configured index, or falls back to CPython's own ensurepip.

ansible-test keeps that cache and its virtualenvs under ~/.ansible/test. The run gets a HOME of
its own in the project's virtualenv directory (.venv/sanity-home, git-ignored), so nothing is
written into the user's home, and the sanity virtualenvs are built once per checkout and reused
by every later run until `make clean`; the user's pip configuration and pip cache are still used,
so the configured package index (an offline mirror, say) still serves the virtualenvs.

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
# The Python running this script (and ansible-test): every sanity test runs on it.
CONTROLLER_PYTHON = "%d.%d" % sys.version_info[:2]
# Versions that compile/import are also run on, when an interpreter is on this machine.
# ansible-core 2.17 supports module targets from Python 3.7; 3.8+ covers 2.17 to 2.19.
TARGET_PYTHONS = tuple(v for v in ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13") if v != CONTROLLER_PYTHON)

# Sanity tests that cannot run here or do not apply; everything else runs.
SKIPPED = (
    # PowerShell only: needs pwsh and PSScriptAnalyzer, and the collection has no PowerShell.
    "pslint",
    # Shell scripts only: needs the shellcheck binary, and the collection ships no shell script.
    "shellcheck",
)

GET_PIP_MARK = "Stand-in for get-pip.py"
GET_PIP = '''"""%s: the requested pip run from its wheel, else CPython's ensurepip."""
import glob
import os
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
env = dict(os.environ)
here = os.path.dirname(os.path.abspath(env.pop("GET_PIP", None) or sys.argv[0]))
wheels = os.path.join(here, "wheels")
wanted = [a.split("==", 1)[1] for a in args if a.startswith("pip==")]
found = [w for w in glob.glob(os.path.join(wheels, "pip-*-py3-none-any.whl"))
         if not wanted or os.path.basename(w).split("-")[1] == wanted[0]]
if found:
    # pip runs from its own wheel (as get-pip.py does) and installs that wheel: no ensurepip round,
    # no second pip install, no download of pip.
    args = [found[0] if a.startswith("pip==") else a for a in args]
    subprocess.check_call([sys.executable, os.path.join(found[0], "pip"), "install"] + args, env=env)
else:
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"], env=env)
    if args:
        subprocess.check_call([sys.executable, "-m", "pip", "install"] + args, env=env)
''' % GET_PIP_MARK


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
    """Place the bootstrap stand-in in ansible-test's cache under home (a real get-pip.py is left alone),
    and the wheel of the pip version ansible-test wants beside it."""
    version = ansible_test_pip_version()
    cache = os.path.join(home, ".ansible", "test", "cache")
    path = os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_"))
    if not os.path.isdir(cache):
        os.makedirs(cache, exist_ok=True)
    current = None
    if os.path.exists(path):
        with open(path) as handle:
            current = handle.read()
    if current is None or (GET_PIP_MARK in current and current != GET_PIP):
        temp = path + ".tmp%d" % os.getpid()
        with open(temp, "w") as handle:
            handle.write(GET_PIP)
        os.rename(temp, path)
        log("placed the pip %s bootstrap script in %s" % (version, cache))
    wheels = os.path.join(cache, "wheels")
    have = os.listdir(wheels) if os.path.isdir(wheels) else []
    if not [name for name in have if name.startswith("pip-%s-" % version)]:
        # Once per checkout; without it the stand-in falls back to ensurepip, which is slower but works.
        # Into a directory of its own first: two runs at once (make test runs pylint apart) never see half a wheel.
        download = tempfile.mkdtemp(prefix="pip-download-", dir=cache)
        try:
            if subprocess.call([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary",
                                ":all:", "--dest", download, "pip==%s" % version]) != 0:
                log("could not download pip %s: the sanity virtualenvs bootstrap pip with ensurepip" % version)
            if not os.path.isdir(wheels):
                os.makedirs(wheels, exist_ok=True)
            for name in os.listdir(download):
                os.replace(os.path.join(download, name), os.path.join(wheels, name))
        finally:
            shutil.rmtree(download, ignore_errors=True)
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
    home = os.path.join(REPO, ".venv", "sanity-home")
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
        # Without --python: every test on this Python (the controller), and the per-version tests on
        # each Python on PATH (the bin directory above); ansible-test skips the versions not found.
        log("Python versions found: %s" % ", ".join(versions))
        return subprocess.call(base + list(argv), cwd=dest, env=env)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
