"""The state of the LWA / SP-API stand-in and its admin interface (/_standin/...), for tests and the demo.
A mixin of LwaStandIn (tools/standins/lwa.py)."""

import datetime
import json
import urllib.parse
from collections import Counter

from tools.standins.lwa_model import SECRET_LIFETIME, Application, Hold, api_error, iso_ms, parse_time


class StandInState:
    """Applications, tokens, clock, faults, holds and sent notifications; never part of Amazon's API."""

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

    # --- admin ------------------------------------------------------------------------------------
    def _admin(self, method, path, body):
        data = json.loads(body.decode("utf-8")) if body else {}
        parts = path[len("/_standin/"):].strip("/").split("/")
        if parts == ["reset"] and method == "POST":
            self.reset()
            return 200, {}
        if parts == ["clock"]:
            if method == "POST":
                if data.get("now"):
                    when = self.set_now(data["now"])
                else:
                    when = self.advance(float(data.get("advance_seconds", 0)))
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
