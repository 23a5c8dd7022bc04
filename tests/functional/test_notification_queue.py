"""notification_queue through real ansible-playbook runs against moto server (SQS, STS)."""

import json
import sys

import boto3
import pytest

from tests.support.ansible import play, run_playbook
from tests.support.moto import admin_with_enforcement, writes
from tests.support.paths import REPO

ARN = "arn:aws:sqs:us-east-1:123456789012:sp-api-new-secret"
SENDER = {"Sid": "SpApiNotificationsSender", "Effect": "Allow",
          "Principal": {"AWS": "arn:aws:iam::437568002678:root"},
          "Action": ["sqs:GetQueueAttributes", "sqs:SendMessage"], "Resource": ARN}
USER_STATEMENT = {"Sid": "OwnLambda", "Effect": "Allow",
                  "Principal": {"AWS": "arn:aws:iam::123456789012:role/reader"},
                  "Action": "sqs:ReceiveMessage", "Resource": ARN}


def sqs_client(moto, key="testing", secret="testing"):
    return boto3.client("sqs", endpoint_url=moto.url, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)


@pytest.fixture
def sqs(moto):
    return sqs_client(moto)


def queue_task(**options):
    options.setdefault("name", "sp-api-new-secret")
    return {"name": "queue", "spapi.onboarding.notification_queue": options, "register": "out"}


def live(sqs, name="sp-api-new-secret"):
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def test_check_create_converge_with_enforcement(moto, aws, tmp_path):
    credentials = admin_with_enforcement(aws.iam, moto)
    sqs = sqs_client(moto, credentials["AWS_ACCESS_KEY_ID"], credentials["AWS_SECRET_ACCESS_KEY"])
    book = play([queue_task(tags={"purpose": "sp-api"})])

    moto.start_recording()
    check = run_playbook(book, tmp_path, moto.url, ["--check", "--diff"], credentials=credentials)
    assert writes(moto.stop_recording()) == []
    check.assert_ok()
    predicted = check.result("queue")
    assert predicted["changed"] and predicted["created"]
    assert predicted["queue"]["arn"] == ARN
    assert predicted["queue"]["url"] == moto.url + "/123456789012/sp-api-new-secret"
    assert predicted["diff"]["after"]["policy"]["Statement"] == [SENDER]
    assert sqs.list_queues().get("QueueUrls", []) == []

    first = run_playbook(book, tmp_path, moto.url, credentials=credentials)
    first.assert_ok()
    created = first.result("queue")
    url, attributes = live(sqs)
    assert created["queue"]["url"] == url == predicted["queue"]["url"]
    assert created["queue"]["arn"] == attributes["QueueArn"] == ARN
    # The exact policy: one statement, the sender account, exactly this queue, nothing open to everyone.
    assert json.loads(attributes["Policy"]) == {"Version": "2012-10-17", "Statement": [SENDER]}
    assert created["queue"]["policy"] == json.loads(attributes["Policy"])
    assert attributes["MessageRetentionPeriod"] == "1209600"
    assert attributes.get("FifoQueue", "false") == "false"
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"purpose": "sp-api"}

    moto.start_recording()
    again = run_playbook(book, tmp_path, moto.url, credentials=credentials)
    calls = moto.stop_recording()
    again.assert_ok()
    assert again.result("queue")["changed"] is False
    assert calls == ["GetQueueUrl", "GetQueueAttributes", "ListQueueTags"]


def test_drift_repaired_user_statements_kept_open_ones_removed(moto, sqs, tmp_path):
    everyone = {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": ARN}
    elsewhere = {"Sid": "Other", "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sqs:*",
                 "Resource": "*"}
    drifted = dict(SENDER, Principal={"AWS": "arn:aws:iam::999999999999:root"})
    url = sqs.create_queue(QueueName="sp-api-new-secret", Attributes={
        "MessageRetentionPeriod": "60", "Policy": json.dumps(
            {"Version": "2012-10-17", "Statement": [USER_STATEMENT, drifted, everyone, elsewhere]})})["QueueUrl"]

    run = run_playbook(play([queue_task()]), tmp_path, moto.url, ["--diff"])
    run.assert_ok()
    result = run.result("queue")
    assert result["changed"]
    assert result["diff"]["before"]["MessageRetentionPeriod"] == "60"
    assert result["diff"]["after"]["MessageRetentionPeriod"] == "1209600"
    assert drifted in result["diff"]["before"]["policy"]["Statement"]
    warnings = " ".join(result.get("warnings", []))
    assert "Open" in warnings and "everyone" in warnings and "Other" in warnings
    dummy, attributes = live(sqs)
    assert json.loads(attributes["Policy"])["Statement"] == [USER_STATEMENT, SENDER]
    assert attributes["MessageRetentionPeriod"] == "1209600"
    assert sqs.get_queue_url(QueueName="sp-api-new-secret")["QueueUrl"] == url

    moto.start_recording()
    again = run_playbook(play([queue_task()]), tmp_path, moto.url)
    calls = moto.stop_recording()
    again.assert_ok()
    assert again.result("queue")["changed"] is False
    assert writes(calls) == []


def test_dead_letter_queue_kms_warning_and_absent(moto, sqs, tmp_path):
    dlq = sqs.create_queue(QueueName="sp-api-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    book = play([queue_task(dead_letter_queue={"arn": dlq_arn}, kms_master_key_id="alias/sp-api")])
    run = run_playbook(book, tmp_path, moto.url)
    run.assert_ok()
    warnings = " ".join(run.result("queue")["warnings"])
    assert "437568002678" in warnings and "kms:GenerateDataKey" in warnings and "kms:Decrypt" in warnings
    dummy, attributes = live(sqs)
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}
    assert attributes["KmsMasterKeyId"] == "alias/sp-api"

    absent = play([queue_task(state="absent")])
    moto.start_recording()
    check = run_playbook(absent, tmp_path, moto.url, ["--check"])
    assert writes(moto.stop_recording()) == []
    assert check.result("queue")["changed"]
    gone = run_playbook(absent, tmp_path, moto.url)
    gone.assert_ok()
    assert gone.result("queue")["changed"]
    assert sqs.list_queues()["QueueUrls"] == [dlq]
    again = run_playbook(absent, tmp_path, moto.url)
    assert again.result("queue")["changed"] is False


@pytest.mark.parametrize("options, message", [
    ({"name": "sp-api-new-secret.fifo"}, "option 'name': 'sp-api-new-secret.fifo' is a FIFO queue name"),
    ({"name": "has space"}, "option 'name': 'has space' is not a valid SQS queue name"),
    ({"sender_account": "4375"}, "option 'sender_account'"),
    ({"message_retention_seconds": 30}, "option 'message_retention_seconds': must be between 60"),
    ({"dead_letter_queue": {"arn": "arn:aws:sqs:us-east-1:123456789012:dlq.fifo"}}, "option 'dead_letter_queue.arn'"),
])
def test_bad_input_refused_before_any_call(moto, tmp_path, options, message):
    moto.start_recording()
    run = run_playbook(play([queue_task(**options)]), tmp_path, moto.url)
    calls = moto.stop_recording()
    assert run.returncode != 0
    assert message in run.result("queue")["msg"]
    assert calls == []


def test_runs_as_a_module_off_a_local_connection(moto, sqs, tmp_path):
    book = play([queue_task(kms_master_key_id="alias/sp-api")],
                vars={"ansible_connection": "remote_local", "ansible_python_interpreter": sys.executable})
    env = {"ANSIBLE_CONNECTION_PLUGINS": str(REPO / "tests" / "support" / "connection_plugins")}
    first = run_playbook(book, tmp_path, moto.url, ["-vvv"], env=env)
    first.assert_ok()
    assert "AnsiballZ_notification_queue.py" in first.output  # a module process really ran
    assert first.result("queue")["queue"]["arn"] == ARN
    assert "kms:GenerateDataKey" in " ".join(first.result("queue")["warnings"])
    dummy, attributes = live(sqs)
    assert json.loads(attributes["Policy"])["Statement"] == [SENDER]
    assert run_playbook(book, tmp_path, moto.url, env=env).result("queue")["changed"] is False
