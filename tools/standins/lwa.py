"""A local stand-in of Login with Amazon (LWA) and the SP-API calls the collection makes.

It follows Amazon's published models (application_2023-11-30.json, notifications.json, the
notification schemas) and refuses what Amazon refuses: a wrong or expired client secret, a bad
refresh token, a wrong grant or scope, a token without the operation's scope, rotation twice
within a minute, rotation with no "Application Client New Secret" queue. A rotation sends the
APPLICATION_OAUTH_CLIENT_NEW_SECRET notification to that queue in moto server (boto3 SQS against
--sqs-endpoint) and keeps the old secret valid for 7 days.

Service endpoints (as Amazon's):
  POST /auth/o2/token                               LWA, form-encoded
  POST /applications/2023-11-30/clientSecret        grantless, scope sellingpartnerapi::client_credential:rotation
  GET|POST /notifications/v1/destinations           grantless, scope sellingpartnerapi::notifications
  GET|DELETE /notifications/v1/destinations/{id}    idem

Admin interface for tests and the demo (JSON, under /_standin/, never part of Amazon's API):
  POST   /_standin/reset                                    forget everything, clock back to now
  POST   /_standin/applications                             register: client_id, client_secret, refresh_tokens,
                                                            application_id, client_secret_expires (ISO 8601),
                                                            new_secret_queue, secret_expiry_queue (URL or ARN)
  GET    /_standin/applications/{client_id}                 the application, with its valid secrets
  PUT    /_standin/applications/{client_id}/notification-preferences
                                                            {new_secret, secret_expiry}: queue URL/ARN or null
  PUT    /_standin/applications/{client_id}/delivery        {delay_seconds, drop}: how new-secret notifications travel
  POST   /_standin/applications/{client_id}/secret-expiry-notification  {expiry_time?}: send SECRET_EXPIRY
  GET    /_standin/clock, POST /_standin/clock              {advance_seconds} or {now}: move the stand-in's clock
  GET    /_standin/calls, DELETE /_standin/calls            call counts ("POST /auth/o2/token", "... 401")
  POST   /_standin/faults                                   {method, path, status, times, retry_after, after}: answer
                                                            the next `times` matching calls with that status (after:
                                                            once the call has acted, as a lost reply)
  GET    /_standin/notifications                            the notifications sent, in order

Run as a script (make demo): python -m tools.standins.lwa --port 8910 --sqs-endpoint http://127.0.0.1:5000
"""

import argparse
import json
import os
import ssl
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tools.standins.lwa_admin import StandInState
from tools.standins.lwa_api import AmazonApi
from tools.standins.lwa_model import DESTINATIONS_PATH, ROTATE_PATH, TOKEN_PATH, Refusal, api_error, lwa_error


class LwaStandIn(StandInState, AmazonApi):
    def __init__(self, host="127.0.0.1", port=0, sqs_endpoint=None, region="us-east-1", certfile=None, keyfile=None):
        self.sqs_endpoint = sqs_endpoint
        self.region = region
        self.lock = threading.RLock()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        scheme = "http"
        if certfile:  # HTTPS, for tests of certificate verification
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile, keyfile)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            scheme = "https"
        self.url = "%s://%s:%d" % (scheme, host, self._server.server_address[1])
        self.token_url = self.url + TOKEN_PATH
        self._thread = None
        self.reset()

    # --- lifecycle --------------------------------------------------------------------------------
    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _route(self, handler, method, path, body):
        if path.startswith("/_standin/"):
            return self._admin(method, path, body)
        if path == TOKEN_PATH and method == "POST":
            return self._token(handler, body)
        if path == ROTATE_PATH and method == "POST":
            return self._rotate(handler, body)
        if path == DESTINATIONS_PATH and method in ("GET", "POST"):
            return self._destinations(handler, method, body)
        if path.startswith(DESTINATIONS_PATH + "/") and method in ("GET", "DELETE"):
            return self._destinations(handler, method, body, path[len(DESTINATIONS_PATH) + 1:])
        if path == TOKEN_PATH:
            raise lwa_error(405, "invalid_request", "The HTTP method must be POST")
        raise api_error(404, "NotFound", "The resource specified does not exist.")

    def _fault(self, method, path, after=False):
        with self.lock:
            for fault in self.faults:
                if fault["times"] > 0 and fault["method"] == method and fault["path"] == path \
                        and fault.get("after", False) == after:
                    fault["times"] -= 1
                    headers = {"Retry-After": str(fault["retry_after"])} if fault["retry_after"] is not None else {}
                    if path == TOKEN_PATH:
                        code = "temporarily_unavailable" if fault["status"] >= 500 else "invalid_request"
                        return Refusal(fault["status"], {"error": code, "error_description": "injected"}, headers)
                    return Refusal(fault["status"], {"errors": [{"code": "QuotaExceeded" if fault["status"] == 429
                                                                 else "InternalFailure", "message": "injected"}]},
                                   headers)
        return None

    def _handler_class(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass  # requests carry secrets: never log them

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urllib.parse.urlsplit(self.path).path
                headers = {}
                try:
                    refusal = None if path.startswith("/_standin/") else standin._fault(self.command, path)
                    if refusal is not None:
                        raise refusal
                    status, reply = standin._route(self, self.command, path, body)
                    refusal = None if path.startswith("/_standin/") else standin._fault(self.command, path, after=True)
                    if refusal is not None:
                        raise refusal
                except Refusal as exc:
                    status, reply, headers = exc.status, exc.body, exc.headers
                except Exception as exc:  # a malformed admin request: say what, never hang the client
                    status, reply = 500, {"error": "%s: %s" % (type(exc).__name__, exc)}
                if not path.startswith("/_standin/"):
                    with standin.lock:
                        standin.calls["%s %s" % (self.command, path)] += 1
                        standin.calls["%s %s %d" % (self.command, path, status)] += 1
                payload = json.dumps(reply).encode("utf-8") if reply is not None else b""
                self.send_response(status)
                if payload:
                    self.send_header("Content-Type", "application/json")
                if path == ROTATE_PATH:
                    self.send_header("x-amzn-RateLimit-Limit", "0.0167")
                for name, value in headers.items():
                    self.send_header(name, value)
                hold = standin._take_hold(self.command, path, body)
                if hold is not None:
                    hold.reached.set()
                    hold.release.wait(120)
                self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        return Handler


def main(argv=None):
    parser = argparse.ArgumentParser(description="Local stand-in of LWA and SP-API for tests and the demo")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--sqs-endpoint", default=os.environ.get("AWS_ENDPOINT_URL"),
                        help="moto server URL where notifications are sent (default: AWS_ENDPOINT_URL)")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)
    standin = LwaStandIn(args.host, args.port, args.sqs_endpoint, args.region)
    print("lwa stand-in listening on %s" % standin.url, flush=True)
    try:
        standin._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        standin._server.server_close()


if __name__ == "__main__":
    main()
