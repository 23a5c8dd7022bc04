"""LWA secrets go only to Amazon (invariant 11), and nothing is created before LWA proves the credentials.

Against the LWA stand-in, a self-signed TLS stand-in, moto server and ansible-playbook:
- a self-signed LWA endpoint receives nothing, even with the AWS option validate_certs: false;
  only lwa_validate_certs switches LWA's verification off;
- a host that is not Amazon's (option or environment variable) is refused before any connection:
  a proxy named by https_proxy, which every non-loopback request would reach, sees none;
- loopback stand-ins are reached directly, never through the environment's proxy;
- the lwa role run with a wrong secret creates no folder, no vault file, no queue, and makes no AWS write;
  with the right one, both notification queues get the dead-letter queue.
"""

import json
import socket
import subprocess
import threading

import boto3
import pytest
import yaml

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa import common as _lwa
from tests.support.ansible import play, run_playbook
from tests.support.lwa_fixtures import lwa, lwa_server  # noqa: F401  pylint: disable=unused-import
from tests.support.lwa_standin import LwaStandIn
from tests.support.moto import writes

CLIENT = "amzn1.application-oa2-client.7e575ec0de0000000000000000000000"
SECRET = "amzn1.oa2-cs.v1.7ru575ec0de7ru575ec0de7ru575ec0de7ru575ec0de"
WRONG = "amzn1.oa2-cs.v1.wr0n9wr0n9wr0n9wr0n9wr0n9wr0n9wr0n9wr0n9wr0n9"
REFRESH = "Atzr|IwEBI-endpoint-trust-refresh-token"
PASSWORD = "endpoint trust password"
QUEUES = ("sp-api-application-client-new-secret", "sp-api-application-client-secret-expiry")
DLQ = "sp-api-application-client-notifications-dlq"
PROXY_VARIABLES = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY")


class CountingProxy:
    """A proxy that accepts connections, counts them and answers nothing: whoever reaches it sent nothing on."""

    def __init__(self):
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self._socket.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, dummy = self._socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self):
        self._socket.close()


@pytest.fixture
def proxy():
    found = CountingProxy()
    yield found
    found.close()


@pytest.fixture(scope="module")
def tls_standin(tmp_path_factory):
    """An LWA stand-in on 127.0.0.1 with a self-signed certificate; returns it and the certificate's path."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    server = LwaStandIn(certfile=str(cert), keyfile=str(key)).start()
    yield server, str(cert)
    server.stop()


def test_lwa_tls_ignores_the_aws_validate_certs_and_loopback_skips_the_proxy(tls_standin, lwa, proxy, monkeypatch):
    server, cert = tls_standin
    server.reset()
    server.register(CLIENT, SECRET)
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in PROXY_VARIABLES[:4]:
        monkeypatch.setenv(name, proxy.url)

    for params in ({}, {"validate_certs": False}):
        with pytest.raises(_lwa.LwaError) as caught:
            _lwa.prove(_lwa.http_client(params), server.token_url, CLIENT, SECRET)
        assert "TLS verification" in str(caught.value) and "lwa_ca_bundle" in str(caught.value)
        assert SECRET not in str(caught.value)
    assert server.calls["POST /auth/o2/token"] == 0  # nothing was sent
    # Only the LWA options trust it: lwa_validate_certs: false, or its certificate in lwa_ca_bundle.
    assert _lwa.prove(_lwa.http_client({"validate_certs": True, "lwa_validate_certs": False}), server.token_url,
                      CLIENT, SECRET) == "client_credentials"
    assert _lwa.prove(_lwa.http_client({"lwa_ca_bundle": cert}), server.token_url, CLIENT, SECRET) \
        == "client_credentials"
    # The plain-http stand-in too, though http_proxy names a proxy.
    lwa.register(CLIENT, SECRET, refresh_tokens=[REFRESH])
    assert _lwa.prove(_lwa.http_client({}), lwa.token_url, CLIENT, SECRET, REFRESH) == "refresh_token"
    assert server.calls["POST /auth/o2/token 200"] == 2 and proxy.connections == 0

    # The control: a request to Amazon's host takes the environment's proxy (which answers nothing).
    client = _lwa.http_client({})
    client.sleep = lambda seconds: None
    with pytest.raises(_lwa.LwaError):
        _lwa.prove(client, _lwa.DEFAULT_LWA_ENDPOINT, CLIENT, "not-a-real-secret")
    assert proxy.connections >= 1


def test_other_hosts_and_a_wrong_secret_reach_nothing_and_create_nothing(moto, lwa, tls_standin, proxy, tmp_path):
    server, dummy = tls_standin
    server.reset()
    server.register(CLIENT, SECRET)
    lwa.register(CLIENT, SECRET, refresh_tokens=[REFRESH])
    work = tmp_path / "run"
    work.mkdir(mode=0o700)
    (work / "password.txt").write_text(PASSWORD + "\n")
    vault_file = str(work / "spapi-onboarding" / "lwa.vault.yml")
    credentials = {"client_id": CLIENT, "client_secret": SECRET, "vault_file": vault_file}
    queue = {"name": "d", "queue_arn": "arn:aws:sqs:us-east-1:123456789012:d", "vault_file": vault_file}
    rotate = {"queue_name": QUEUES[0], "vault_file": vault_file}
    refused = [
        # (task name, module, options, task environment)
        ("self-signed, AWS validate_certs off", "lwa_credentials",
         dict(credentials, vault_file=str(work / "tls.vault.yml"), validate_certs=False, lwa_endpoint=server.token_url),
         {}),
        ("other LWA host", "lwa_credentials",
         dict(credentials, lwa_endpoint="https://lwa.example.com/auth/o2/token"), {}),
        ("other LWA host from the environment", "lwa_check", {"vault_file": vault_file},
         {"SPAPI_LWA_ENDPOINT": "https://api.amazon.com.evil.example/auth/o2/token"}),
        ("other SP-API host", "notification_destination", dict(queue, spapi_endpoint="https://sp.example.com"), {}),
        ("other SP-API host from the environment", "lwa_rotate", rotate, {"SPAPI_ENDPOINT": "https://sp.example.com"}),
    ]
    tasks = [{"name": name, "spapi.onboarding.%s" % module: options, "environment": environment,
              "ignore_errors": True} for name, module, options, environment in refused]
    tasks.append({"name": "The role with a wrong secret", "block": [{
        "name": "Run the role", "ansible.builtin.include_role": {"name": "spapi.onboarding.lwa"},
        "vars": {"lwa_client_id": CLIENT, "lwa_client_secret": WRONG, "lwa_vault_file": vault_file}}],
        "rescue": [{"name": "Wrong secret refused",
                    "ansible.builtin.debug": {"msg": "{{ ansible_failed_result.msg }}"}}]})
    moto.start_recording()
    run = run_playbook(play(tasks), work, moto.url, args=["--vault-id", "spapi@password.txt"],
                       env={"SPAPI_LWA_ENDPOINT": lwa.token_url, "https_proxy": proxy.url, "HTTPS_PROXY": proxy.url,
                            "no_proxy": None, "NO_PROXY": None})
    calls = moto.stop_recording()
    run.assert_ok()

    tls = run.result("self-signed, AWS validate_certs off")
    assert run.status("self-signed, AWS validate_certs off") == "failed"
    assert "TLS verification" in tls["msg"] and "lwa_validate_certs" in tls["msg"]
    assert not (work / "tls.vault.yml").exists()
    for name, option in (("other LWA host", "option 'lwa_endpoint'"),
                         ("other LWA host from the environment", "option 'lwa_endpoint (from SPAPI_LWA_ENDPOINT)'"),
                         ("other SP-API host", "option 'spapi_endpoint'"),
                         ("other SP-API host from the environment", "option 'spapi_endpoint (from SPAPI_ENDPOINT)'")):
        result = run.result(name)
        assert run.status(name) == "failed" and result["msg"].startswith(option), result
        assert "lwa_allow_other_hosts" in result["msg"] and "amazon.com" in result["msg"]
    assert server.calls["POST /auth/o2/token"] == 0 and proxy.connections == 0  # nothing reached, nothing sent

    # The role: LWA refused the secret, and nothing exists - no folder, no vault file, no queue, no AWS write.
    proof = "Prove the LWA credentials before the vault file's folder is created"
    assert run.status(proof) == "failed" and "invalid_client" in run.result(proof)["msg"]
    assert "invalid_client" in run.result("Wrong secret refused")["msg"]
    assert lwa.calls["POST /auth/o2/token 401"] == 1
    assert not (work / "spapi-onboarding").exists()
    assert writes(calls) == [], calls
    sqs = boto3.client("sqs", endpoint_url=moto.url, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    assert sqs.list_queues().get("QueueUrls", []) == []
    for secret in (SECRET, WRONG):
        assert secret not in run.output and secret not in json.dumps(run.records)

    # The right secret: the folder (0700), the vault, and both queues sending set-aside messages to the DLQ.
    vars_file = work / "secrets.yml"
    vars_file.write_text(yaml.safe_dump({"lwa_client_secret": SECRET, "lwa_dead_letter_max_receive_count": 2}))
    role = [{"name": "Run the role", "ansible.builtin.include_role": {"name": "spapi.onboarding.lwa"},
             "vars": {"lwa_client_id": CLIENT, "lwa_vault_file": vault_file}}]
    good = run_playbook(play(role), work, moto.url, args=["--vault-id", "spapi@password.txt", "-e", "@secrets.yml"],
                        env={"SPAPI_LWA_ENDPOINT": lwa.token_url})
    good.assert_ok()
    assert (work / "spapi-onboarding").stat().st_mode & 0o777 == 0o700
    assert (work / "spapi-onboarding" / "lwa.vault.yml").exists()
    dlq_url = sqs.get_queue_url(QueueName=DLQ)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for name in QUEUES:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]
        assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}
    # A message nobody deletes (a forged notification, set aside by every rotation run) leaves after 2 receives.
    new_secret_url = sqs.get_queue_url(QueueName=QUEUES[0])["QueueUrl"]
    sqs.send_message(QueueUrl=new_secret_url, MessageBody='{"notificationType": "not Amazon"}')
    for dummy in range(3):
        sqs.receive_message(QueueUrl=new_secret_url, VisibilityTimeout=0, MaxNumberOfMessages=10)
    moved = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in moved] == ['{"notificationType": "not Amazon"}']
