"""notification_queue through real ansible-playbook runs against moto server (SQS, STS).

The runs of the scenarios are steps of one ansible-playbook process (tests/support/steps.py), with moto
emptied where a scenario starts (the module-process scenario has a process of its own, at -vvv); the
tests assert on what each step's run gave.
"""

import json
import sys

import boto3
import pytest

from tests.support.moto import admin_with_enforcement, writes
from tests.support.paths import REPO
from tests.support.steps import Step, rescued, run_steps

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


def queue_task(**options):
    options.setdefault("name", "sp-api-new-secret")
    return {"name": "queue", "spapi.onboarding.notification_queue": options, "register": "out"}


def live(sqs, name="sp-api-new-secret"):
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:sp-api-dlq"
EVERYONE = {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": ARN}
ELSEWHERE = {"Sid": "Other", "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sqs:*",
             "Resource": "*"}
DRIFTED = dict(SENDER, Principal={"AWS": "arn:aws:iam::999999999999:root"})
BAD_INPUT = [
    ({"name": "sp-api-new-secret.fifo"}, "option 'name': 'sp-api-new-secret.fifo' is a FIFO queue name"),
    ({"name": "has space"}, "option 'name': 'has space' is not a valid SQS queue name"),
    ({"sender_account": "4375"}, "option 'sender_account'"),
    ({"message_retention_seconds": 30}, "option 'message_retention_seconds': must be between 60"),
    ({"dead_letter_queue": {"arn": "arn:aws:sqs:us-east-1:123456789012:dlq.fifo"}}, "option 'dead_letter_queue.arn'"),
]


@pytest.fixture(scope="module")
def runs(module_moto, module_aws, tmp_path_factory):
    # The first scenario runs under enforced authorization with an administrator's key, given to the
    # whole process; the later ones start from an emptied moto, where authorization is off again.
    credentials = admin_with_enforcement(module_aws.iam, module_moto)
    admin_sqs = sqs_client(module_moto, credentials["AWS_ACCESS_KEY_ID"], credentials["AWS_SECRET_ACCESS_KEY"])
    sqs = sqs_client(module_moto)
    made = {}

    def drifted_queue():
        made["url"] = sqs.create_queue(QueueName="sp-api-new-secret", Attributes={
            "MessageRetentionPeriod": "60", "Policy": json.dumps(
                {"Version": "2012-10-17", "Statement": [USER_STATEMENT, DRIFTED, EVERYONE, ELSEWHERE]})})["QueueUrl"]

    def dead_letter_queue():
        made["dlq"] = dlq = sqs.create_queue(QueueName="sp-api-dlq")["QueueUrl"]
        made["dlq_arn"] = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    book = [queue_task(tags={"purpose": "sp-api"})]
    absent = [queue_task(state="absent")]
    steps = [
        Step("check", book, check=True, diff=True, record=True,
             after=lambda: admin_sqs.list_queues().get("QueueUrls", [])),
        Step("first", book, after=lambda: (live(admin_sqs), admin_sqs.list_queue_tags(
            QueueUrl=admin_sqs.get_queue_url(QueueName="sp-api-new-secret")["QueueUrl"])["Tags"])),
        Step("again", book, record=True),
        Step("drift", [queue_task()], diff=True, reset=True, before=drifted_queue,
             after=lambda: (live(sqs), sqs.get_queue_url(QueueName="sp-api-new-secret")["QueueUrl"])),
        Step("drift again", [queue_task()], record=True),
        Step("dlq", [queue_task(dead_letter_queue={"arn": DLQ_ARN}, kms_master_key_id="alias/sp-api")],
             reset=True, before=dead_letter_queue, after=lambda: live(sqs)),
        Step("absent check", absent, check=True, record=True),
        Step("gone", absent, after=lambda: sqs.list_queues()["QueueUrls"]),
        Step("absent again", absent),
        Step("bad input", [rescued(dict(queue_task(**options), name="bad input %d" % index))
                           for index, (options, dummy) in enumerate(BAD_INPUT)], reset=True, record=True),
    ]
    run = run_steps(tmp_path_factory.mktemp("queue"), module_moto, steps, credentials=credentials)
    run.made = made
    return run


@pytest.fixture(scope="module")
def as_module(module_moto, tmp_path_factory):
    """notification_queue as a module process (the test connection remote_local), at -vvv: its own process."""
    module_moto.reset()
    sqs = sqs_client(module_moto)
    book = [queue_task(kms_master_key_id="alias/sp-api")]
    env = {"ANSIBLE_CONNECTION_PLUGINS": str(REPO / "tests" / "support" / "connection_plugins")}
    remote = {"ansible_connection": "remote_local", "ansible_python_interpreter": sys.executable}
    steps = [
        Step("first", book, vars=remote, after=lambda: live(sqs)),
        Step("again", book, vars=remote),
    ]
    return run_steps(tmp_path_factory.mktemp("queue_module"), module_moto, steps, ["-vvv"], env=env)


def test_check_create_converge_with_enforcement(runs, module_moto):
    check = runs["check"]
    assert writes(check.calls) == []
    check.assert_ok()
    predicted = check.result("queue")
    assert predicted["changed"] and predicted["created"]
    assert predicted["queue"]["arn"] == ARN
    assert predicted["queue"]["url"] == module_moto.url + "/123456789012/sp-api-new-secret"
    assert predicted["diff"]["after"]["policy"]["Statement"] == [SENDER]
    assert check.seen == []

    first = runs["first"]
    first.assert_ok()
    created = first.result("queue")
    (url, attributes), tags = first.seen
    assert created["queue"]["url"] == url == predicted["queue"]["url"]
    assert created["queue"]["arn"] == attributes["QueueArn"] == ARN
    # The exact policy: one statement, the sender account, exactly this queue, nothing open to everyone.
    assert json.loads(attributes["Policy"]) == {"Version": "2012-10-17", "Statement": [SENDER]}
    assert created["queue"]["policy"] == json.loads(attributes["Policy"])
    assert attributes["MessageRetentionPeriod"] == "1209600"
    assert attributes.get("FifoQueue", "false") == "false"
    assert tags == {"purpose": "sp-api"}

    again = runs["again"]
    calls = again.calls
    again.assert_ok()
    assert again.result("queue")["changed"] is False
    assert calls == ["GetQueueUrl", "GetQueueAttributes", "ListQueueTags"]


def test_drift_repaired_user_statements_kept_open_ones_removed(runs):
    run = runs["drift"]
    run.assert_ok()
    result = run.result("queue")
    assert result["changed"]
    assert result["diff"]["before"]["MessageRetentionPeriod"] == "60"
    assert result["diff"]["after"]["MessageRetentionPeriod"] == "1209600"
    assert DRIFTED in result["diff"]["before"]["policy"]["Statement"]
    warnings = " ".join(result.get("warnings", []))
    assert "Open" in warnings and "everyone" in warnings and "Other" in warnings
    (dummy, attributes), url = run.seen
    assert json.loads(attributes["Policy"])["Statement"] == [USER_STATEMENT, SENDER]
    assert attributes["MessageRetentionPeriod"] == "1209600"
    assert url == runs.made["url"]

    again = runs["drift again"]
    calls = again.calls
    again.assert_ok()
    assert again.result("queue")["changed"] is False
    assert writes(calls) == []


def test_dead_letter_queue_kms_warning_and_absent(runs):
    dlq, dlq_arn = runs.made["dlq"], runs.made["dlq_arn"]
    assert dlq_arn == DLQ_ARN
    run = runs["dlq"]
    run.assert_ok()
    warnings = " ".join(run.result("queue")["warnings"])
    assert "437568002678" in warnings and "kms:GenerateDataKey" in warnings and "kms:Decrypt" in warnings
    dummy, attributes = run.seen
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}
    assert attributes["KmsMasterKeyId"] == "alias/sp-api"

    check = runs["absent check"]
    assert writes(check.calls) == []
    assert check.result("queue")["changed"]
    gone = runs["gone"]
    gone.assert_ok()
    assert gone.result("queue")["changed"]
    assert gone.seen == [dlq]
    again = runs["absent again"]
    assert again.result("queue")["changed"] is False


@pytest.mark.parametrize("options, message", BAD_INPUT)
def test_bad_input_refused_before_any_call(runs, options, message):
    run = runs["bad input"]
    task = "bad input %d" % BAD_INPUT.index((options, message))
    calls = run.calls
    assert run.returncode != 0 and run.status(task) == "failed"
    assert message in run.result(task)["msg"]
    assert calls == []


def test_runs_as_a_module_off_a_local_connection(as_module):
    first = as_module["first"]
    first.assert_ok()
    assert "AnsiballZ_notification_queue.py" in first.output  # a module process really ran
    assert first.result("queue")["queue"]["arn"] == ARN
    assert "kms:GenerateDataKey" in " ".join(first.result("queue")["warnings"])
    dummy, attributes = first.seen
    assert json.loads(attributes["Policy"])["Statement"] == [SENDER]
    assert as_module["again"].result("queue")["changed"] is False
