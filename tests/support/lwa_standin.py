"""The LWA / SP-API stand-in of the tests: tools/standins/lwa.py (the demo's too)."""

from tools.standins.lwa import LwaStandIn, main
from tools.standins.lwa_model import (
    DESTINATIONS_PATH, KNOWN_SCOPES, NOT_ENROLLED, OLD_SECRET_GRACE, ROTATE_PATH, ROTATION_INTERVAL,
    SCOPE_NOTIFICATIONS, SCOPE_ROTATION, SECRET_LIFETIME, TOKEN_LIFETIME, TOKEN_PATH, Application, Hold, Refusal,
    api_error, iso_ms, lwa_error, new_secret, parse_time)

__all__ = ["LwaStandIn", "main", "DESTINATIONS_PATH", "KNOWN_SCOPES", "NOT_ENROLLED", "OLD_SECRET_GRACE", "ROTATE_PATH",
           "ROTATION_INTERVAL", "SCOPE_NOTIFICATIONS", "SCOPE_ROTATION", "SECRET_LIFETIME", "TOKEN_LIFETIME",
           "TOKEN_PATH", "Application", "Hold", "Refusal", "api_error", "iso_ms", "lwa_error", "new_secret",
           "parse_time"]
