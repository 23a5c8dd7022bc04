"""What the LWA / SP-API stand-in (tools/standins/lwa.py) knows: Amazon's paths, scopes and limits,
its error bodies, and one registered application."""

import datetime
import secrets as _random
import threading
import uuid

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
