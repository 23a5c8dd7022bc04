"""notification_queue against moto with IAM authorization enforced: another account's grant on the queue that
carries new LWA secrets is removed and named; this account's, SP-API's, Deny statements and keep_principals stay."""

import json

import boto3
import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError
from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue import ensure_notification_queue
from ansible_collections.spapi.onboarding.plugins.modules.notification_queue import ARGUMENT_SPEC
from tests.support.moto import admin_with_enforcement, client_as, writes
from tests.support.tasks import make_task

ACCOUNT, OTHER, MONITOR = "123456789012", "210987654321", "111122223333"
NAME = "sp-api-new-secret"
ARN = "arn:aws:sqs:us-east-1:%s:%s" % (ACCOUNT, NAME)
SENDER = {"Sid": "SpApiNotificationsSender", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::437568002678:root"},
          "Action": ["sqs:GetQueueAttributes", "sqs:SendMessage"], "Resource": ARN}
OWN = {"Sid": "OwnReader", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:role/reader" % ACCOUNT},
       "Action": "sqs:ReceiveMessage", "Resource": ARN}
THIEF = {"Sid": "OtherAccountReads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER},
         "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": ARN}
MIXED = {"Sid": "Mixed", "Effect": "Allow", "Principal": {"AWS": [OTHER, "arn:aws:iam::%s:root" % ACCOUNT]},
         "Action": "sqs:ReceiveMessage", "Resource": ARN}
SERVICE = {"Sid": "Topic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
           "Action": "sqs:SendMessage", "Resource": ARN}
MONITORING = {"Sid": "Monitoring", "Effect": "Allow", "Principal": {"AWS": MONITOR},
              "Action": "sqs:GetQueueAttributes", "Resource": ARN}
DENY = {"Sid": "DenyOther", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::%s:root" % OTHER},
        "Action": "sqs:*", "Resource": ARN}


@pytest.fixture
def queue(moto):
    """The queue with a policy another account's admin slipped a grant into; then enforcement on."""
    setup = boto3.client("iam", endpoint_url=moto.url, region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="testing")
    admin = admin_with_enforcement(setup, moto)
    sqs = client_as(admin, moto.url, "sqs")
    policy = {"Version": "2012-10-17", "Statement": [SENDER, OWN, THIEF, MIXED, SERVICE, MONITORING, DENY]}
    url = sqs.create_queue(QueueName=NAME, Attributes={"Policy": json.dumps(policy)})["QueueUrl"]
    return admin, sqs, url


def run(moto, admin, check_mode=False, **params):
    task = make_task(ARGUMENT_SPEC, moto.url, check_mode=check_mode, access_key=admin["AWS_ACCESS_KEY_ID"],
                     secret_key=admin["AWS_SECRET_ACCESS_KEY"], name=NAME, **params)
    moto.start_recording()
    result = ensure_notification_queue(task)
    return result, task.warnings, writes(moto.stop_recording())


def sids(sqs, url):
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    return [s.get("Sid") for s in policy["Statement"]]


def test_other_accounts_grants_are_removed_and_named(moto, queue):
    admin, sqs, url = queue
    keep = {"keep_principals": [MONITOR]}

    predicted, warned, written = run(moto, admin, check_mode=True, **keep)
    assert written == [] and predicted["changed"]
    assert sids(sqs, url) == ["SpApiNotificationsSender", "OwnReader", "OtherAccountReads", "Mixed", "Topic",
                              "Monitoring", "DenyOther"]

    result, warned, written = run(moto, admin, **keep)
    assert written == ["SetQueueAttributes"] and result["changed"]
    # Kept: SP-API's sender, this account's reader, the listed monitoring account, the Deny.
    assert sids(sqs, url) == ["SpApiNotificationsSender", "OwnReader", "Monitoring", "DenyOther"]
    assert [s["Sid"] for s in result["queue"]["policy"]["Statement"]] == sids(sqs, url)
    text = " ".join(warned)
    for sid, principal in (("OtherAccountReads", "arn:aws:iam::%s:root" % OTHER), ("Mixed", OTHER),
                           ("Topic", "Service:sns.amazonaws.com")):
        assert "removed statement %s from the policy of queue %s: it lets %s" % (sid, NAME, principal) in text
    assert "keep_principals" in text and len(warned) == 3
    assert MONITOR not in text

    again, warned, written = run(moto, admin, **keep)
    assert (again["changed"], warned, written) == (False, [], [])

    # Without keep_principals the monitoring account's grant goes too, named.
    dropped, warned, written = run(moto, admin)
    assert written == ["SetQueueAttributes"]
    assert sids(sqs, url) == ["SpApiNotificationsSender", "OwnReader", "DenyOther"]
    assert len(warned) == 1 and "Monitoring" in warned[0] and MONITOR in warned[0]


@pytest.mark.parametrize("value", ["*", "arn:aws:iam::*:root", "someone", "12345"])
def test_keep_principals_refuses_wildcards_and_garbage_before_any_call(moto, value):
    moto.start_recording()
    with pytest.raises(ValidationError) as refused:
        ensure_notification_queue(make_task(ARGUMENT_SPEC, moto.url, name=NAME, keep_principals=[value]))
    assert moto.stop_recording() == []
    assert str(refused.value).startswith("option 'keep_principals': ")
