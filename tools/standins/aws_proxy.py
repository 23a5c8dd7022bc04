"""An HTTP proxy between boto3 and moto server that adds latency and injects AWS faults.

Clients point AWS_ENDPOINT_URL (or endpoint_url) at the proxy. The Host header is passed
through unchanged, so SigV4 signatures still verify when moto enforces IAM authorization.

Faults are chosen per AWS action, a number of times or at a rate, and strike either
before the request reaches the server or after it (the server acted, the response is lost).
A hold stops the next call of an action at a known moment (before the server, or after it
with the response not yet returned) until the test releases it: a kill then lands there.
"""

import http.client
import random
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERROR_STATUS = {
    "Throttling": 400,
    "ThrottlingException": 400,
    "RequestLimitExceeded": 400,
    "ServiceUnavailable": 503,
    "InternalFailure": 500,
    "InternalError": 500,
}
_ERROR_BODY = (
    '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>{kind}</Type>'
    "<Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
)
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authorization", "proxy-authenticate"}


def action_of(path, body):
    fields = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    try:
        fields.update(urllib.parse.parse_qs(body.decode("utf-8")))
    except UnicodeDecodeError:
        pass
    values = fields.get("Action")
    return values[0] if values else None


class Fault:
    """Answer matching actions with an AWS error, `times` times or at `rate` (0..1).

    garble=True instead lets the server act and cuts its real reply short (a reply botocore
    cannot parse); the whole reply is kept in `replies`, for tests to look for what it held.
    """

    def __init__(self, actions, code, message="injected by the test proxy", status=None,
                 times=None, rate=None, after=False, garble=False):
        self.actions = set(actions) if actions not in ("*", None) else None
        self.code = code
        self.message = message
        self.status = status or ERROR_STATUS.get(code, 400)
        self.remaining = times
        self.rate = rate
        self.after = after or garble
        self.garble = garble
        self.replies = []
        self.fired = 0

    def matches(self, action, rng):
        if self.actions is not None and action not in self.actions:
            return False
        if self.remaining is not None:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True
        return self.rate is not None and rng.random() < self.rate

    def body(self):
        kind = "Receiver" if self.status >= 500 else "Sender"
        return _ERROR_BODY.format(kind=kind, code=self.code, message=self.message,
                                  request_id=uuid.uuid4()).encode()


class Hold:
    """The next call of `action` waits at the proxy: .reached is set when it arrives, and it
    goes on (to the server, or back to the client when after=True) once .release is set;
    with drop=True it is cut off there instead (a call held before the server never reaches
    it). .done is set once the proxy has finished with the call."""

    def __init__(self, action, after=False, drop=False, timeout=120):
        self.action = action
        self.after = after
        self.drop = drop
        self.timeout = timeout
        self.reached = threading.Event()
        self.release = threading.Event()
        self.done = threading.Event()
        self.used = False

    def wait(self):
        self.reached.set()
        self.release.wait(self.timeout)


class AwsProxy:
    def __init__(self, upstream_url, latency=0.0, seed=1):
        split = urllib.parse.urlsplit(upstream_url)
        self.upstream = (split.hostname, split.port or 80)
        self.latency = latency
        self.faults = []
        self.holds = []
        self.calls = Counter()
        self.injected = Counter()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = None

    def add_fault(self, *args, **kwargs):
        fault = Fault(*args, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def hold(self, action, after=False, drop=False):
        """Stop the next `action` call at the proxy (see Hold); returns the Hold."""
        hold = Hold(action, after, drop)
        with self._lock:
            self.holds.append(hold)
        return hold

    def _take_hold(self, action, after):
        with self._lock:
            for hold in self.holds:
                if not hold.used and hold.action == action and hold.after == after:
                    hold.used = True
                    return hold
        return None

    def clear(self):
        with self._lock:
            self.faults = []
            self.calls.clear()
            self.injected.clear()

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        for hold in self.holds:
            hold.release.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _pick_fault(self, action):
        with self._lock:
            self.calls[action] += 1
            for fault in self.faults:
                if fault.matches(action, self._rng):
                    fault.fired += 1
                    self.injected[(action, fault.code, "after" if fault.after else "before")] += 1
                    return fault
        return None

    def _forward(self, method, path, headers, body):
        connection = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _handler_class(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                # Query-protocol services (IAM, STS) name the action in the body; JSON ones (SQS,
                # Secrets Manager) in X-Amz-Target ("AmazonSQS.ReceiveMessage").
                target = self.headers.get("X-Amz-Target") or ""
                action = (action_of(self.path, body) or target.rsplit(".", 1)[-1]
                          or "%s %s" % (self.command, urllib.parse.urlsplit(self.path).path))
                if proxy.latency:
                    time.sleep(proxy.latency)
                fault = proxy._pick_fault(action)
                headers = dict((k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP)
                held = []
                status, response_headers, payload = 502, [], b""  # replaced below, unless the call is dropped
                hold = proxy._take_hold(action, after=False)
                if hold is not None:
                    held.append(hold)
                    hold.wait()
                if not (held and held[-1].drop) and (fault is None or fault.after):
                    status, response_headers, payload = proxy._forward(self.command, self.path, headers, body)
                    hold = proxy._take_hold(action, after=True)
                    if hold is not None:
                        held.append(hold)
                        hold.wait()
                try:
                    if held and held[-1].drop:
                        self.close_connection = True  # cut off: no reply at all
                        return
                    if fault is not None and fault.garble:
                        fault.replies.append(payload)
                        payload = payload[:len(payload) * 3 // 4]
                    elif fault is not None:
                        status, response_headers, payload = fault.status, [("Content-Type", "text/xml")], fault.body()
                    self._respond(status, response_headers, payload)
                finally:
                    for hold in held:
                        hold.done.set()

            def _respond(self, status, response_headers, payload):
                self.send_response(status)
                for name, value in response_headers:
                    # send_response() already wrote Date and Server: one of each, as from AWS.
                    if name.lower() not in _HOP_BY_HOP | {"content-length", "date", "server"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.close_connection = True
                try:
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client is gone (killed while its call was held)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        return Handler
