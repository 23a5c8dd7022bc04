"""pytest fixtures for the LWA / SP-API stand-in; import them into a test module:

    from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  (pytest fixtures)
"""

import pytest

from tests.support.lwa_standin import LwaStandIn


@pytest.fixture(scope="session")
def lwa_server(moto_server):
    """One stand-in for the session, on 127.0.0.1, sending notifications to the session's moto server."""
    server = LwaStandIn(sqs_endpoint=moto_server.url).start()
    yield server
    server.stop()


@pytest.fixture
def lwa(lwa_server):
    """The session's stand-in, emptied (no applications, real time) for one test."""
    lwa_server.reset()
    yield lwa_server
    lwa_server.reset()
