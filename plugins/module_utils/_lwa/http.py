# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTPS to Login with Amazon and SP-API: timeouts, bounded retries, TLS, secret-free errors.

Requests to LWA carry the client secret and refresh token, and its replies an access
token: no message built here ever quotes a request or a reply body. An error names
what was being done, where, the HTTP status and the service's error code, nothing else.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import ipaddress
import json
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request

from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError

DEFAULT_TIMEOUT = 30  # seconds per request
MAX_ATTEMPTS = 4
MAX_WAIT = 60  # never sleep longer than this for one Retry-After
RETRY_STATUSES = (429, 500, 502, 503, 504)
# Codes are echoed in messages only when they look like codes: a reply cannot smuggle text in.
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}\Z")
TLS_ADVICE = ("Give the CA bundle that signs this endpoint in lwa_ca_bundle (lwa_validate_certs: false only for a "
              "stand-in that never sees real credentials)")


def is_loopback(host):
    """localhost, 127.0.0.0/8 or ::1: where a local stand-in listens."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


class HttpError(SpapiError):
    """A request failed. status is None when no HTTP reply came; code is the service's error code."""

    def __init__(self, message, status=None, code=None, attempts=1, retry_after=None):
        super(HttpError, self).__init__(message)
        self.status = status
        self.code = code
        self.attempts = attempts
        self.retry_after = retry_after


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8")) if self.body else None
        except (UnicodeDecodeError, ValueError):
            return None


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    value = str(value).strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def retry_delay(status, retry_after, attempt, max_attempts=MAX_ATTEMPTS, max_wait=MAX_WAIT):
    """How long to wait before attempt+1, or None to stop. status None means no reply (network error).

    Retry-After is honoured; without it the wait doubles from 1 s. A wait longer than max_wait is
    not slept through: the caller gets the error and the Retry-After to decide."""
    if attempt >= max_attempts or (status is not None and status not in RETRY_STATUSES):
        return None
    if retry_after is not None:
        return retry_after if retry_after <= max_wait else None
    return float(min(2 ** (attempt - 1), max_wait))


def error_code(reply):
    """The service's error code: LWA's "error", or SP-API's errors[0].code."""
    data = reply.json()
    code = None
    if isinstance(data, dict):
        code = data.get("error")
        errors = data.get("errors")
        if code is None and isinstance(errors, list) and errors and isinstance(errors[0], dict):
            code = errors[0].get("code")
    return code if isinstance(code, str) and _CODE.match(code) else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the caller somewhere it did not choose: report it instead of following it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def ssl_context(validate_certs=True, ca_bundle=None):
    if not validate_certs:
        return ssl._create_unverified_context()  # pylint: disable=protected-access
    return ssl.create_default_context(cafile=ca_bundle or None)


class HttpClient:
    def __init__(self, validate_certs=True, ca_bundle=None, timeout=DEFAULT_TIMEOUT,
                 max_attempts=MAX_ATTEMPTS, sleep=time.sleep, opener=None):
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.sleep = sleep
        self._context = None
        self.validate_certs, self.ca_bundle = validate_certs, ca_bundle
        self._settings = (validate_certs, ca_bundle)
        self._opener = opener
        self._openers = {}  # by "is the host loopback"
        self.calls = 0

    def _open(self, request):
        if self._opener is not None:  # a test's fake server
            return self._opener.open(request, timeout=self.timeout)
        if self._context is None:
            try:
                self._context = ssl_context(*self._settings)
            except (OSError, ssl.SSLError) as exc:
                raise HttpError("cannot use the CA bundle %s: %s" % (self._settings[1], getattr(exc, "strerror", None)
                                                                     or type(exc).__name__))
        # urllib sends every request through the *_proxy of the environment; a loopback stand-in is reached
        # directly, so a proxy never sees what is meant for it.
        loopback = is_loopback(urllib.parse.urlsplit(request.full_url).hostname)
        if loopback not in self._openers:
            handlers = [urllib.request.HTTPSHandler(context=self._context), _NoRedirect]
            if loopback:
                handlers.insert(0, urllib.request.ProxyHandler({}))
            self._openers[loopback] = urllib.request.build_opener(*handlers)
        return self._openers[loopback].open(request, timeout=self.timeout)

    def request(self, method, url, what, headers=None, body=None, retry=True, ok=(200,)):
        """Send one request (retried when retry is true); return the Reply of an expected status, else raise HttpError.

        what names the operation for messages ("the LWA token exchange"); it must hold no secret."""
        attempt = 0
        while True:
            attempt += 1
            status, reply, problem, wait_hint = None, None, None, None
            self.calls += 1
            try:
                request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
                response = self._open(request)
                with response:
                    reply = Reply(response.status, response.headers, response.read())
            except urllib.error.HTTPError as exc:
                try:
                    reply = Reply(exc.code, exc.headers, exc.read())
                except (OSError, socket.timeout):
                    reply = Reply(exc.code, exc.headers, b"")
            except ssl.SSLError as exc:
                raise HttpError("%s at %s failed: TLS verification or handshake failed (%s). %s"
                                % (what, url, getattr(exc, "reason", None) or type(exc).__name__, TLS_ADVICE))
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, ssl.SSLError):
                    raise HttpError("%s at %s failed: TLS verification or handshake failed (%s). %s"
                                    % (what, url, getattr(reason, "reason", None) or type(reason).__name__, TLS_ADVICE))
                problem = getattr(reason, "strerror", None) or str(reason)
            except (socket.timeout, TimeoutError):
                problem = "no reply within %s seconds" % self.timeout
            except (OSError, ValueError) as exc:
                problem = getattr(exc, "strerror", None) or type(exc).__name__
            if reply is not None:
                status = reply.status
                if status in ok:
                    return reply
                wait_hint = parse_retry_after(reply.headers.get("Retry-After") if reply.headers else None)
            delay = retry_delay(status, wait_hint, attempt, self.max_attempts) if retry else None
            if delay is None:
                raise self._failure(what, url, reply, problem, attempt, wait_hint)
            self.sleep(delay)

    @staticmethod
    def _failure(what, url, reply, problem, attempts, retry_after):
        tries = " after %d attempts" % attempts if attempts > 1 else ""
        if reply is None:
            return HttpError("%s at %s failed%s: %s" % (what, url, tries, problem), attempts=attempts)
        code = error_code(reply)
        named = " %s" % code if code else ""
        return HttpError("%s at %s failed%s: HTTP %d%s" % (what, url, tries, reply.status, named),
                         status=reply.status, code=code, attempts=attempts, retry_after=retry_after)
