"""Fixtures shared by every test: the collection on sys.path and a real moto server."""

import sys

import boto3
import pytest

from tests.support.moto import MotoServer
from tests.support.paths import COLLECTIONS_ROOT, ensure_collection_link

ensure_collection_link()
if str(COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_ROOT))


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


@pytest.fixture
def aws(moto):
    """boto3 clients of the test account (the administrator's view)."""
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")

    class Clients:
        iam = session.client("iam", endpoint_url=moto.url)
        sts = session.client("sts", endpoint_url=moto.url)
        server = moto

    return Clients
