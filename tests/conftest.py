"""Fixtures shared by every test: the collection on sys.path and a real moto server."""

import sys

import boto3
import pytest

from tests.support.moto import MotoServer
from tests.support.paths import COLLECTIONS_ROOT, ensure_collection_link

ensure_collection_link()
if str(COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_ROOT))

# The longest files, longest first. `make test` hands whole files to its two workers in collection order
# (pytest-xdist --dist loadfile --no-loadscope-reorder): started first, they run beside everything else
# instead of one worker waiting alone on a long file that started last.
LONGEST_FIRST = (
    "tests/ecosystem/test_sanity.py",
    "tests/ecosystem/test_sanity_pylint.py",
    "tests/molecule/",
    "tests/integration/test_demo.py",
    "tests/ecosystem/test_lint.py",
    "tests/integration/test_awx_jobs.py",
)


def _file_rank(path, slow):
    for index, prefix in enumerate(LONGEST_FIRST):
        if path.startswith(prefix):
            return (0, index)
    # Then files that run playbooks or scenarios, then the rest; the many short unit tests fill the end.
    return (1, 0) if slow else (3, 0) if path.startswith("tests/unit/") else (2, 0)


def pytest_collection_modifyitems(config, items):
    """Whole files in the order above; the order of the tests inside a file is kept (a stable sort)."""
    del config
    slow = set(item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow"))
    ranks = dict((path, _file_rank(path, path in slow)) for path in set(i.nodeid.split("::")[0] for i in items))
    items.sort(key=lambda item: ranks[item.nodeid.split("::")[0]])


@pytest.fixture(scope="session")
def moto_server():
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def moto(moto_server):
    """The session's moto server, emptied and with authorization off, for one test."""
    moto_server.reset()
    yield moto_server
    moto_server.reset()


_SESSIONS = []


def _session():
    """One boto3 session per worker: it loads each service's model once (a new session takes 0.14 s of
    CPU to make the IAM and STS clients again); every test still gets clients of its own."""
    if not _SESSIONS:
        _SESSIONS.append(boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                               region_name="us-east-1"))
    return _SESSIONS[0]


def clients(server):
    """boto3 clients of the test account (the administrator's view) on this moto server."""
    session = _session()

    class Clients:
        iam = session.client("iam", endpoint_url=server.url)
        sts = session.client("sts", endpoint_url=server.url)

    Clients.server = server
    return Clients


@pytest.fixture
def aws(moto):
    """boto3 clients of the test account (the administrator's view)."""
    return clients(moto)


@pytest.fixture(scope="module")
def module_moto(moto_server):
    """The session's moto server, emptied, for a scenario that runs once for the whole test module
    (a module-scoped fixture running tests.support.steps.run_steps; the tests assert on what it kept)."""
    moto_server.reset()
    yield moto_server
    moto_server.reset()


@pytest.fixture(scope="module")
def module_aws(module_moto):
    """boto3 clients of the test account, for a module-scoped scenario."""
    return clients(module_moto)


def pytest_terminal_summary(terminalreporter):
    """Where the time went, per layer (tests/<layer>/): the README's Tests section quotes these."""
    totals = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            nodeid, duration = getattr(report, "nodeid", ""), getattr(report, "duration", None)
            if duration is None or not nodeid.startswith("tests/"):
                continue
            layer = nodeid.split("/")[1]
            totals[layer] = totals.get(layer, 0.0) + duration
    if totals:
        terminalreporter.write_sep("-", "time per layer (seconds, summed over the workers)")
        for layer, seconds in sorted(totals.items(), key=lambda item: -item[1]):
            terminalreporter.write_line("%-12s %7.1f" % (layer, seconds))
