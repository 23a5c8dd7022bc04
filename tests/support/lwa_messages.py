"""Messages of the two LWA notification queues as tests build them: Amazon's shape, any content, SQS attributes."""

import datetime
import json

from ansible_collections.spapi.onboarding.plugins.module_utils._rotation import plan
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation import messages

CLIENT, OTHER = "amzn1.application-oa2-client.aaa", "amzn1.application-oa2-client.bbb"
NOW = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
FORGED = "amzn1.oa2-cs.v1.F0RGED"


def t(days):
    return NOW + datetime.timedelta(days=days)


def z(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def body(secret=FORGED, client=CLIENT, expires="2099-01-01T00:00:00Z", old="2099-01-01T00:00:00Z", sent=None,
         kind=plan.NEW_SECRET):
    if kind == plan.NEW_SECRET:
        payload = {"applicationOAuthClientNewSecret": {"clientId": client, "newClientSecret": secret,
                                                       "newClientSecretExpiryTime": expires,
                                                       "oldClientSecretExpiryTime": old}}
    else:
        payload = {"applicationOAuthClientSecretExpiry": {"clientId": client, "clientSecretExpiryTime": expires}}
    return json.dumps({"notificationType": kind, "payload": payload,
                       "notificationMetadata": {"publishTime": sent or z(NOW)}})


def message(text, mid="m1", sender="AIDAFORGER", stamp=None):
    attributes = {"SenderId": sender}
    if stamp is not None:
        attributes["SentTimestamp"] = str(int(stamp.timestamp() * 1000))
    return {"MessageId": mid, "ReceiptHandle": "r-" + mid, "Body": text, "Attributes": attributes}


def parse(text, **kw):
    return messages.parse_message(message(text, **kw), NOW)
