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
  PUT    /_standin/applications/{client_id}/notification-preferences   {new_secret, secret_expiry}: queue URL/ARN or null
  PUT    /_standin/applications/{client_id}/delivery        {delay_seconds, drop}: how new-secret notifications travel
  POST   /_standin/applications/{client_id}/secret-expiry-notification  {expiry_time?}: send SECRET_EXPIRY
  GET    /_standin/clock, POST /_standin/clock              {advance_seconds} or {now}: move the stand-in's clock
  GET    /_standin/calls, DELETE /_standin/calls            call counts ("POST /auth/o2/token", "... 401")
  POST   /_standin/faults                                   {method, path, status, times, retry_after, after}: answer
                                                            the next `times` matching calls with that status (after:
                                                            once the call has acted, as a lost reply)
  GET    /_standin/notifications                            the notifications sent, in order

Run as a script (make demo): python -m tests.support.lwa_standin --port 8910 --sqs-endpoint http://127.0.0.1:5000
"""

import argparse
import datetime
import json
import os
import secrets as _random
import ssl
import threading
import urllib.parse
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_PATH = "/auth/o2/token"
ROTATE_PATH = "/applications/2023-11-30/clientSecret"
DESTINATIONS_PATH = "/notifications/v1/destinations"
SCOPE_ROTATION = "sellingpartnerapi::client_credential:rotation"
SCOPE_NOTIFICATIONS = "sellingpartnerapi::notifications"
KNOWN_SCOPES = (SCOPE_ROTATION, SCOPE_NOTIFICATIONS, "sellingpartnerapi::migration")
SECRET_LIFETIME = datetime.timedelta(days=180)
OLD_SECRET_GRACE = datetime.timedelta(days=7)
ROTATION_INTERVAL = datetime.timedelta(seconds=60)  # rate 0.0167/s, burst 1
TOKEN_LIFETIME = 3600
NOT_ENROLLED = ("Application is not enrolled for rotation notification. Please update application notification "
                "preference in Developer console.")


def iso_ms(when):
    return when.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text):
    text = str(text)
    when = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    return when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)


def new_secret():
    return "amzn1.oa2-cs.v1." + _random.token_hex(32)


class Refusal(Exception):
    def __init__(self, status, body, headers=None):
        super(Refusal, self).__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def lwa_error(status, error, description):
    return Refusal(status, {"error": error, "error_description": description})


def api_error(status, code, message, details=None):
    entry = {"code": code, "message": message}
    if details is not None:
        entry["details"] = details
    return Refusal(status, {"errors": [entry]})


class Hold:
    def __init__(self, method, path, body_has=None):
        self.method, self.path, self.body_has = method, path, body_has
        self.used = False
        self.reached = threading.Event()
        self.release = threading.Event()


class Application:
    def __init__(self, client_id, client_secret, refresh_tokens=(), application_id=None, expires=None,
                 new_secret_queue=None, secret_expiry_queue=None):
        self.client_id = client_id
        self.application_id = application_id or "amzn1.sp.solution." + str(uuid.uuid4())
        self.secrets = [{"secret": client_secret, "expires": expires}]  # the current one first
        self.refresh_tokens = set(refresh_tokens)
        self.new_secret_queue = new_secret_queue
        self.secret_expiry_queue = secret_expiry_queue
        self.last_rotation_call = None
        self.delivery_delay = 0.0
        self.drop_notifications = False
        self.destinations = {}

    def view(self):
        return {"client_id": self.client_id, "application_id": self.application_id,
                "client_secret": self.secrets[0]["secret"],
                "client_secret_expires": iso_ms(self.secrets[0]["expires"]) if self.secrets[0]["expires"] else None,
                "secrets": [{"secret": s["secret"], "expires": iso_ms(s["expires"]) if s["expires"] else None}
                            for s in self.secrets],
                "refresh_tokens": sorted(self.refresh_tokens), "new_secret_queue": self.new_secret_queue,
                "secret_expiry_queue": self.secret_expiry_queue, "destinations": list(self.destinations.values())}


class LwaStandIn:
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

    # --- state (the admin interface calls these too) ----------------------------------------------
    def reset(self):
        with self.lock:
            for hold in getattr(self, "holds", []):
                hold.release.set()  # a test that stopped early must not leave a reply waiting
            self.apps = {}
            self.tokens = {}
            self.offset = datetime.timedelta()
            self.calls = Counter()
            self.faults = []
            self.holds = []
            self.sent = []
            self.delivery_errors = []

    def now(self):
        return datetime.datetime.now(datetime.timezone.utc) + self.offset

    def advance(self, seconds):
        with self.lock:
            self.offset += datetime.timedelta(seconds=seconds)
        return self.now()

    def set_now(self, when):
        with self.lock:
            self.offset = parse_time(when) - datetime.datetime.now(datetime.timezone.utc)
        return self.now()

    def register(self, client_id, client_secret, refresh_tokens=(), application_id=None, client_secret_expires=None,
                 new_secret_queue=None, secret_expiry_queue=None):
        expires = parse_time(client_secret_expires) if client_secret_expires else self.now() + SECRET_LIFETIME
        app = Application(client_id, client_secret, refresh_tokens, application_id, expires, new_secret_queue,
                          secret_expiry_queue)
        with self.lock:
            self.apps[client_id] = app
        return app.view()

    def app(self, client_id):
        with self.lock:
            return self.apps[client_id].view()

    def set_preferences(self, client_id, new_secret=None, secret_expiry=None):
        with self.lock:
            app = self.apps[client_id]
            app.new_secret_queue, app.secret_expiry_queue = new_secret, secret_expiry
            return app.view()

    def set_delivery(self, client_id, delay_seconds=0.0, drop=False):
        with self.lock:
            app = self.apps[client_id]
            app.delivery_delay, app.drop_notifications = float(delay_seconds or 0), bool(drop)

    def add_fault(self, method, path, status, times=1, retry_after=None, after=False):
        with self.lock:
            self.faults.append({"method": method.upper(), "path": path, "status": int(status), "times": int(times),
                                "retry_after": retry_after, "after": bool(after)})

    def hold(self, method, path, body_has=None):
        """The next matching call (its body holding body_has, when given) acts, then waits before its reply:
        .reached is set when it gets there, .release lets the reply go (tests kill the caller meanwhile)."""
        hold = Hold(method.upper(), path, body_has)
        with self.lock:
            self.holds.append(hold)
        return hold

    def _take_hold(self, method, path, body):
        with self.lock:
            for hold in self.holds:
                if not hold.used and (hold.method, hold.path) == (method, path) and (
                        hold.body_has is None or hold.body_has.encode() in body):
                    hold.used = True
                    return hold
        return None

    def send_expiry_notification(self, client_id, expiry_time=None):
        """APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY to the "Application Client Secret Expiry" queue."""
        with self.lock:
            app = self.apps[client_id]
            queue = app.secret_expiry_queue
            expiry = parse_time(expiry_time) if expiry_time else app.secrets[0]["expires"]
        if not queue:
            raise api_error(400, "InvalidInput", "no Application Client Secret Expiry queue is registered")
        notification = self._notification(app, "APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY", {
            "applicationOAuthClientSecretExpiry": {"clientId": client_id, "clientSecretExpiryTime": iso_ms(expiry),
                                                   "clientSecretExpiryReason": "PERIODIC_ROTATION"}})
        self._deliver(queue, notification)
        return notification

    # --- LWA --------------------------------------------------------------------------------------
    def _token(self, handler, body):
        if not (handler.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            raise lwa_error(400, "invalid_request", "The Content-Type must be application/x-www-form-urlencoded")
        fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        for name, values in fields.items():
            if len(values) > 1:
                raise lwa_error(400, "invalid_request", "The request has a repeated parameter : %s" % name)
        form = dict((k, v[0]) for k, v in fields.items())
        grant = form.get("grant_type")
        if not grant:
            raise lwa_error(400, "invalid_request", "The request is missing a required parameter : grant_type")
        if grant not in ("refresh_token", "client_credentials"):
            raise lwa_error(400, "unsupported_grant_type", "Invalid grant type")
        required = ["client_id", "client_secret"] + (["refresh_token"] if grant == "refresh_token" else ["scope"])
        for name in required:
            if not form.get(name):
                raise lwa_error(400, "invalid_request", "The request is missing a required parameter : %s" % name)
        if grant == "refresh_token" and "scope" in form:
            raise lwa_error(400, "invalid_request", "The request has an invalid parameter : scope")
        if grant == "client_credentials" and "refresh_token" in form:
            raise lwa_error(400, "invalid_request", "The request has an invalid parameter : refresh_token")
        with self.lock:
            app = self.apps.get(form["client_id"])
            now = self.now()
            if app is None or not any(s["secret"] == form["client_secret"] and (s["expires"] is None or s["expires"] > now)
                                      for s in app.secrets):
                raise lwa_error(401, "invalid_client", "Client authentication failed")
            if grant == "refresh_token":
                if form["refresh_token"] not in app.refresh_tokens:
                    raise lwa_error(400, "invalid_grant", "The request has an invalid grant parameter : refresh_token")
                scope = None
            else:
                scope = form["scope"]
                if scope not in KNOWN_SCOPES:
                    raise lwa_error(400, "invalid_scope", "An unknown scope was requested")
            token = "Atza|" + _random.token_urlsafe(48)
            self.tokens[token] = {"client_id": app.client_id, "grant": grant, "scope": scope,
                                  "expires": now + datetime.timedelta(seconds=TOKEN_LIFETIME)}
        reply = {"access_token": token, "token_type": "bearer", "expires_in": TOKEN_LIFETIME}
        if grant == "refresh_token":
            reply["refresh_token"] = form["refresh_token"]
        return 200, reply

    # --- SP-API -----------------------------------------------------------------------------------
    def _authorise(self, handler, scope):
        """The application behind a grantless token of this scope, or Amazon's 403."""
        token = handler.headers.get("x-amz-access-token")
        with self.lock:
            entry = self.tokens.get(token) if token else None
            if entry is None:
                raise api_error(403, "Unauthorized", "Access to requested resource is denied.",
                                "The access token you provided is revoked, malformed or invalid.")
            if entry["expires"] <= self.now():
                raise api_error(403, "Unauthorized", "Access to requested resource is denied.",
                                "The access token you provided has expired.")
            if entry["scope"] != scope:
                raise api_error(403, "Unauthorized", "Access to requested resource is denied.", "")
            return self.apps[entry["client_id"]]

    def _rotate(self, handler, body):
        app = self._authorise(handler, SCOPE_ROTATION)
        with self.lock:
            now = self.now()
            if app.last_rotation_call is not None and now - app.last_rotation_call < ROTATION_INTERVAL:
                raise api_error(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
            app.last_rotation_call = now
            if not app.new_secret_queue:
                raise api_error(400, "InvalidInput", NOT_ENROLLED)
            old = app.secrets[0]
            old_expiry = now + OLD_SECRET_GRACE
            if old["expires"] is not None and old["expires"] < old_expiry:
                old_expiry = old["expires"]
            current = {"secret": new_secret(), "expires": now + SECRET_LIFETIME}
            # Older secrets keep their own (shorter) lives; the one replaced now gets 7 days.
            app.secrets = [current, {"secret": old["secret"], "expires": old_expiry}] + [
                s for s in app.secrets[1:] if s["expires"] is None or s["expires"] > now]
            notification = self._notification(app, "APPLICATION_OAUTH_CLIENT_NEW_SECRET", {
                "applicationOAuthClientNewSecret": {
                    "clientId": app.client_id, "newClientSecret": current["secret"],
                    "newClientSecretExpiryTime": iso_ms(current["expires"]),
                    "oldClientSecretExpiryTime": iso_ms(old_expiry)}})
            queue, delay, drop = app.new_secret_queue, app.delivery_delay, app.drop_notifications
        if not drop:
            if delay > 0:
                threading.Timer(delay, self._deliver, (queue, notification)).start()
            else:
                self._deliver(queue, notification)
        return 204, None

    def _destinations(self, handler, method, body, destination_id=None):
        app = self._authorise(handler, SCOPE_NOTIFICATIONS)
        with self.lock:
            if destination_id is None and method == "GET":
                return 200, {"payload": list(app.destinations.values())}
            if destination_id is None:
                return self._create_destination(handler, app, body)
            found = app.destinations.get(destination_id)
            if found is None:
                raise api_error(404, "NotFound", "The resource specified does not exist.")
            if method == "GET":
                return 200, {"payload": found}
            del app.destinations[destination_id]
            return 200, {}

    @staticmethod
    def _create_destination(handler, app, body):
        if not (handler.headers.get("Content-Type") or "").startswith("application/json"):
            raise api_error(415, "Unsupported Media Type", "The request payload is in an unsupported format.")
        try:
            request = json.loads(body.decode("utf-8"))
        except ValueError:
            raise api_error(400, "InvalidInput", "The request body is not valid JSON.")
        name = request.get("name") if isinstance(request, dict) else None
        spec = request.get("resourceSpecification") if isinstance(request, dict) else None
        if not isinstance(name, str) or not name or len(name) > 256 or not isinstance(spec, dict):
            raise api_error(400, "InvalidInput", "name and resourceSpecification are required.")
        sqs = spec.get("sqs")
        if set(spec) != {"sqs"} or not isinstance(sqs, dict) or not isinstance(sqs.get("arn"), str) \
                or not sqs["arn"].startswith("arn:aws:sqs:") or len(sqs["arn"].split(":")) != 6 or len(sqs["arn"]) > 1000:
            raise api_error(400, "InvalidInput", "resourceSpecification must hold one sqs resource with a queue arn.")
        if any(d["resource"].get("sqs", {}).get("arn") == sqs["arn"] for d in app.destinations.values()):
            raise api_error(409, "Conflict", "A destination for this resource already exists.")
        destination = {"destinationId": str(uuid.uuid4()), "name": name, "resource": {"sqs": {"arn": sqs["arn"]}}}
        app.destinations[destination["destinationId"]] = destination
        return 200, {"payload": destination}

    # --- notifications to moto's SQS --------------------------------------------------------------
    def _notification(self, app, kind, payload):
        now = iso_ms(self.now())
        return {"notificationVersion": "1.0", "notificationType": kind, "payloadVersion": "2023-11-30",
                "eventTime": now, "payload": payload,
                "notificationMetadata": {"applicationId": app.application_id, "subscriptionId": str(uuid.uuid4()),
                                         "publishTime": now, "notificationId": str(uuid.uuid4())}}

    def _sqs(self, region):
        import boto3  # only when a notification is sent: the script runs without it otherwise
        return boto3.client("sqs", endpoint_url=self.sqs_endpoint, region_name=region,
                            aws_access_key_id=os.environ.get("SPAPI_STANDIN_AWS_ACCESS_KEY_ID", "testing"),
                            aws_secret_access_key=os.environ.get("SPAPI_STANDIN_AWS_SECRET_ACCESS_KEY", "testing"))

    def _deliver(self, queue, notification):
        try:
            if queue.startswith("arn:"):
                dummy, dummy, dummy, region, account, name = queue.split(":", 5)
                client = self._sqs(region)
                url = client.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
            else:
                client = self._sqs(self.region)
                url = queue
            client.send_message(QueueUrl=url, MessageBody=json.dumps(notification))
            with self.lock:
                self.sent.append(notification)
        except Exception as exc:  # Amazon's delivery failing is invisible to the caller, as here
            with self.lock:
                self.delivery_errors.append("%s: %s" % (type(exc).__name__, exc))

    # --- admin ------------------------------------------------------------------------------------
    def _admin(self, method, path, body):
        data = json.loads(body.decode("utf-8")) if body else {}
        parts = path[len("/_standin/"):].strip("/").split("/")
        if parts == ["reset"] and method == "POST":
            self.reset()
            return 200, {}
        if parts == ["clock"]:
            if method == "POST":
                when = self.set_now(data["now"]) if data.get("now") else self.advance(float(data.get("advance_seconds", 0)))
            else:
                when = self.now()
            return 200, {"now": iso_ms(when)}
        if parts == ["calls"]:
            if method == "DELETE":
                with self.lock:
                    self.calls.clear()
            with self.lock:
                return 200, dict(self.calls)
        if parts == ["faults"] and method == "POST":
            self.add_fault(data["method"], data["path"], data["status"], data.get("times", 1), data.get("retry_after"),
                           data.get("after", False))
            return 200, {}
        if parts == ["notifications"]:
            with self.lock:
                return 200, {"sent": list(self.sent), "delivery_errors": list(self.delivery_errors)}
        if parts == ["applications"] and method == "POST":
            return 200, self.register(**data)
        if len(parts) >= 2 and parts[0] == "applications":
            client_id = urllib.parse.unquote(parts[1])
            if client_id not in self.apps:
                return 404, {"error": "no application %s" % client_id}
            action = parts[2] if len(parts) > 2 else None
            if action is None and method == "GET":
                return 200, self.app(client_id)
            if action == "notification-preferences" and method == "PUT":
                return 200, self.set_preferences(client_id, data.get("new_secret"), data.get("secret_expiry"))
            if action == "delivery" and method == "PUT":
                self.set_delivery(client_id, data.get("delay_seconds", 0), data.get("drop", False))
                return 200, self.app(client_id)
            if action == "secret-expiry-notification" and method == "POST":
                return 200, self.send_expiry_notification(client_id, data.get("expiry_time"))
        return 404, {"error": "no such admin operation: %s %s" % (method, path)}

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
