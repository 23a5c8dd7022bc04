"""TLS to LWA is verified: an endpoint whose certificate no trusted CA signed is refused, naming the
option that fixes it, and lwa_ca_bundle makes the same endpoint trusted."""

import subprocess

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa import common as _lwa
from tests.support.lwa_standin import LwaStandIn

CLIENT = "amzn1.application-oa2-client.0123456789abcdef"
SECRET = "amzn1.oa2-cs.v1.0123456789abcdef"


@pytest.fixture(scope="module")
def tls_standin(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    server = LwaStandIn(certfile=str(cert), keyfile=str(key)).start()
    server.register(CLIENT, SECRET)
    yield server, str(cert)
    server.stop()


def test_unknown_certificate_is_refused_and_the_ca_bundle_trusts_it(tls_standin):
    server, cert = tls_standin
    assert server.token_url.startswith("https://127.0.0.1:")
    with pytest.raises(_lwa.LwaError) as caught:
        _lwa.prove(_lwa.http_client({}), server.token_url, CLIENT, SECRET)
    assert "TLS verification" in str(caught.value) and "lwa_ca_bundle" in str(caught.value)
    assert server.calls["POST /auth/o2/token"] == 0  # nothing was sent
    assert _lwa.prove(_lwa.http_client({"lwa_ca_bundle": cert}), server.token_url, CLIENT, SECRET) \
        == "client_credentials"
    assert server.calls["POST /auth/o2/token 200"] == 1
