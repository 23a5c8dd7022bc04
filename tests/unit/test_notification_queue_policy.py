"""notification_queue's pure core: the queue policy, the attribute plan and the input rules (no AWS)."""

import json

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue import (
    attribute_changes,
    kms_warning,
    validate_queue_params,
    wanted_attributes,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._sqs.queue_policy import (
    SENDER_SID,
    merge_policy,
    rejection,
    same_queue_policy,
    sender_statement,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError

ARN = "arn:aws:sqs:eu-west-1:123456789012:sp-api"
OURS = {"Sid": SENDER_SID, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::437568002678:root"},
        "Action": ["sqs:GetQueueAttributes", "sqs:SendMessage"], "Resource": ARN}
READER = {"Sid": "Reader", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/r"},
          "Action": "sqs:ReceiveMessage", "Resource": [ARN]}


def test_sender_statement_is_exactly_the_documented_grant():
    assert sender_statement(ARN) == OURS
    china = sender_statement("arn:aws-cn:sqs:cn-north-1:123456789012:q", "111122223333")
    assert china["Principal"] == {"AWS": "arn:aws-cn:iam::111122223333:root"}
    assert china["Resource"] == "arn:aws-cn:sqs:cn-north-1:123456789012:q"


@pytest.mark.parametrize("statement, why", [
    (READER, None),
    (dict(READER, Principal="*"), "everyone"),
    (dict(READER, Principal={"AWS": "*"}), "everyone"),
    (dict(READER, Principal={"AWS": ["arn:aws:iam::123456789012:root", "*"]}), "everyone"),
    (dict(READER, Principal={"Service": "*"}), "everyone"),
    (dict(READER, Principal={"AWS": "arn:aws:iam::*:root"}), "everyone"),
    (dict(READER, Effect="Deny", Principal="*"), "everyone"),
    (dict((k, v) for k, v in READER.items() if k != "Principal"), "Principal"),
    (dict(dict((k, v) for k, v in READER.items() if k != "Principal"), NotPrincipal={"AWS": "x"}), "Principal"),
    (dict(READER, Resource="*"), "Resource"),
    (dict(READER, Resource=[ARN, "arn:aws:sqs:eu-west-1:123456789012:other"]), "Resource"),
    (dict(READER, Resource="arn:aws:sqs:eu-west-1:123456789012:sp-*"), "Resource"),
    (dict(dict((k, v) for k, v in READER.items() if k != "Resource"), NotResource=ARN), "Resource"),
    ("not a statement", "JSON object"),
])
def test_rejection(statement, why):
    found = rejection(statement, ARN)
    if why is None:
        assert found is None
    else:
        assert why in found


@pytest.mark.parametrize("current, statements, removed", [
    (None, [OURS], []),
    ({}, [OURS], []),
    ({"Version": "2008-10-17", "Statement": [READER]}, [READER, OURS], []),
    ({"Statement": READER}, [READER, OURS], []),  # a single statement as an object
    # Ours drifted (another account, broader action): replaced in place, the user's kept in order.
    ({"Statement": [dict(OURS, Action="sqs:*"), READER]}, [OURS, READER], []),
    # Two statements with our Sid: one remains.
    ({"Statement": [OURS, dict(OURS, Principal="*")]}, [OURS], []),
    ({"Statement": [READER, dict(READER, Sid="Open", Principal="*")]}, [READER, OURS], ["Open"]),
    ({"Statement": [dict(READER, Sid=None, Resource="*")]}, [OURS], ["(no Sid)"]),
])
def test_merge_policy(current, statements, removed):
    policy, dropped = merge_policy(current, ARN)
    assert policy["Version"] == "2012-10-17"
    assert policy["Statement"] == statements
    assert [sid for sid, dummy in dropped] == removed


def test_merged_policy_never_opens_the_queue():
    hostile = {"Statement": [{"Effect": "Allow", "Principal": p, "Action": "sqs:*", "Resource": r}
                             for p in ("*", {"AWS": "*"}, {"AWS": "123456789012"}) for r in ("*", ARN, [ARN, "*"])]}
    policy, dummy = merge_policy(hostile, ARN)
    for statement in policy["Statement"]:
        assert "*" not in json.dumps(statement["Principal"])
        assert statement["Resource"] in (ARN, [ARN])


def test_other_top_level_keys_are_kept():
    policy, dummy = merge_policy({"Id": "arn:aws:sqs:eu-west-1:123456789012:sp-api/SQSDefaultPolicy",
                                  "Statement": []}, ARN)
    assert policy["Id"].endswith("SQSDefaultPolicy")


@pytest.mark.parametrize("left, right, same", [
    ({"Statement": [OURS]}, {"Version": "2012-10-17", "Statement": [OURS]}, False),  # Version implied 2008
    ({"Version": "2012-10-17", "Statement": [OURS, READER]}, {"Version": "2012-10-17", "Statement": [READER, OURS]},
     True),
    ({"Version": "2012-10-17", "Statement": [dict(OURS, Action=["sqs:SendMessage", "sqs:GetQueueAttributes"])]},
     {"Version": "2012-10-17", "Statement": [OURS]}, True),
    ({"Version": "2012-10-17", "Statement": [dict(OURS, Principal={"AWS": "437568002678"})]},
     {"Version": "2012-10-17", "Statement": [OURS]}, True),
    ({"Version": "2012-10-17", "Statement": [dict(OURS, Principal={"AWS": "437568002679"})]},
     {"Version": "2012-10-17", "Statement": [OURS]}, False),
    (None, {"Version": "2012-10-17", "Statement": [OURS]}, False),
])
def test_same_queue_policy(left, right, same):
    assert same_queue_policy(left, right) is same


def params(**overrides):
    base = dict(name="sp-api", sender_account="437568002678", message_retention_seconds=1209600,
                kms_master_key_id=None, dead_letter_queue=None, tags=None, purge_tags=True, state="present")
    base.update(overrides)
    return base


DLQ = "arn:aws:sqs:eu-west-1:123456789012:dlq"


@pytest.mark.parametrize("overrides, wanted", [
    ({}, {"MessageRetentionPeriod": "1209600"}),
    ({"kms_master_key_id": "alias/k"}, {"MessageRetentionPeriod": "1209600", "KmsMasterKeyId": "alias/k"}),
    ({"kms_master_key_id": ""}, {"MessageRetentionPeriod": "1209600", "KmsMasterKeyId": ""}),
    ({"dead_letter_queue": {"arn": DLQ, "max_receive_count": 3}},
     {"MessageRetentionPeriod": "1209600", "RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ,
                                                                        "maxReceiveCount": 3})}),
    ({"dead_letter_queue": {"arn": "", "max_receive_count": 5}}, {"MessageRetentionPeriod": "1209600",
                                                                  "RedrivePolicy": ""}),
])
def test_wanted_attributes(overrides, wanted):
    assert wanted_attributes(params(**overrides)) == wanted


@pytest.mark.parametrize("current, wanted, changes", [
    ({"MessageRetentionPeriod": "1209600"}, {"MessageRetentionPeriod": "1209600"}, {}),
    ({"MessageRetentionPeriod": "60"}, {"MessageRetentionPeriod": "1209600"}, {"MessageRetentionPeriod": "1209600"}),
    ({}, {"KmsMasterKeyId": ""}, {}),
    ({"KmsMasterKeyId": "alias/k"}, {"KmsMasterKeyId": ""}, {"KmsMasterKeyId": ""}),
    ({"RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":"5"}' % DLQ},
     {"RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": 5})}, {}),
    ({"RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":4}' % DLQ},
     {"RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": 5})}, "RedrivePolicy"),
    ({"Policy": json.dumps({"Version": "2012-10-17", "Statement": [OURS]})},
     {"Policy": json.dumps({"Version": "2012-10-17", "Statement": [OURS]})}, {}),
    ({}, {"Policy": json.dumps({"Version": "2012-10-17", "Statement": [OURS]})}, "Policy"),
])
def test_attribute_changes(current, wanted, changes):
    found = attribute_changes(current, wanted)
    if isinstance(changes, str):
        assert list(found) == [changes]
    else:
        assert found == changes


@pytest.mark.parametrize("key, words", [
    (None, None), ("", None),
    ("alias/sp-api", "kms:GenerateDataKey and kms:Decrypt"),
    ("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "account 437568002678"),
    ("alias/aws/sqs", "AWS managed key"),
])
def test_kms_warning(key, words):
    warning = kms_warning(params(kms_master_key_id=key), "437568002678")
    assert warning is None if words is None else words in warning


@pytest.mark.parametrize("overrides, option, words", [
    ({"name": "q.fifo"}, "name", "FIFO"),
    ({"name": ""}, "name", "not a valid SQS queue name"),
    ({"name": "q" * 81}, "name", "1-80"),
    ({"name": "q/1"}, "name", "not a valid"),
    ({"name": "q\n"}, "name", "not a valid"),
    ({"sender_account": "43756800267"}, "sender_account", "12-digit"),
    ({"sender_account": "43756800267x"}, "sender_account", "12-digit"),
    ({"message_retention_seconds": 59}, "message_retention_seconds", "between 60 and 1209600"),
    ({"message_retention_seconds": 1209601}, "message_retention_seconds", "between 60 and 1209600"),
    ({"kms_master_key_id": "alias/*"}, "kms_master_key_id", "wildcards"),
    ({"dead_letter_queue": {"arn": "arn:aws:sqs:eu-west-1:123456789012:d.fifo", "max_receive_count": 5}},
     "dead_letter_queue.arn", "standard queue"),
    ({"dead_letter_queue": {"arn": "dlq", "max_receive_count": 5}}, "dead_letter_queue.arn", "ARN"),
    ({"dead_letter_queue": {"arn": DLQ, "max_receive_count": 0}}, "dead_letter_queue.max_receive_count", "1 and 1000"),
    ({"tags": {"aws:x": "1"}}, "tags", "reserved"),
])
def test_validation_names_the_option(overrides, option, words):
    with pytest.raises(ValidationError) as refused:
        validate_queue_params(params(**overrides))
    assert str(refused.value).startswith("option '%s': " % option)
    assert words in str(refused.value)


def test_valid_input_passes():
    validate_queue_params(params(name="A_b-1", dead_letter_queue={"arn": DLQ, "max_receive_count": 1000},
                                 kms_master_key_id="alias/k", tags={"a": 1}))
