"""The Amazon side of the LWA / SP-API stand-in: the token exchange, client-secret rotation, notification
destinations, and the notifications it sends to moto's SQS. A mixin of LwaStandIn (tools/standins/lwa.py)."""

import datetime
import json
import os
import secrets as _random
import threading
import urllib.parse
import uuid

from tools.standins.lwa_model import (KNOWN_SCOPES, NOT_ENROLLED, OLD_SECRET_GRACE, ROTATION_INTERVAL,
                                      SCOPE_NOTIFICATIONS, SCOPE_ROTATION, SECRET_LIFETIME, TOKEN_LIFETIME,
                                      api_error, iso_ms, lwa_error, new_secret)


class AmazonApi:
    """The calls Amazon answers, on the state LwaStandIn keeps (apps, tokens, lock, now())."""

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
            if app is None or not any(s["secret"] == form["client_secret"]
                                      and (s["expires"] is None or s["expires"] > now) for s in app.secrets):
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
        arn = sqs.get("arn") if isinstance(sqs, dict) else None
        if set(spec) != {"sqs"} or not isinstance(arn, str) or not arn.startswith("arn:aws:sqs:") \
                or len(arn.split(":")) != 6 or len(arn) > 1000:
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
