"""Small shared rules that several modules lean on: pure, no AWS, no network."""

import datetime
from pathlib import Path

import pytest
import yaml

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import COLLECTION_VERSION
from ansible_collections.spapi.onboarding.plugins.module_utils._common.dates import (
    as_utc,
    days_between,
    iso_utc,
    server_time,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import (
    ValidationError,
    check_at_least_one,
    check_zero_or_more,
)

REPO = Path(__file__).resolve().parents[2]
UTC = datetime.timezone.utc


def test_the_user_agent_version_is_the_collection_version():
    assert COLLECTION_VERSION == yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]


@pytest.mark.parametrize("value, expected", [
    (datetime.datetime(2025, 1, 2, 3, 4, 5), datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)),
    (datetime.datetime(2025, 1, 2, 5, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
     datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)),
])
def test_naive_times_are_utc_and_aware_ones_are_converted(value, expected):
    converted = as_utc(value)
    assert converted == expected and converted.utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize("value, expected", [
    (datetime.datetime(2025, 1, 2, 3, 4, 5), "2025-01-02T03:04:05+00:00"),
    ("2025-01-02", "2025-01-02"),
    (None, None),
])
def test_iso_utc(value, expected):
    assert iso_utc(value) == expected


def test_days_between_counts_from_the_aws_date_and_zero_without_one():
    now = datetime.datetime(2025, 6, 1, tzinfo=UTC)
    assert days_between(datetime.datetime(2025, 5, 31, 12), now) == 0.5
    assert days_between(None, now) == 0.0


def test_server_time_reads_the_date_header_else_falls_back_to_now():
    reply = {"ResponseMetadata": {"HTTPHeaders": {"date": "Mon, 01 Jan 2024 00:00:00 GMT"}}}
    assert server_time(reply) == datetime.datetime(2024, 1, 1, tzinfo=UTC)
    before = datetime.datetime.now(UTC)
    assert server_time({"ResponseMetadata": {"HTTPHeaders": {"date": "garbage"}}}) >= before
    assert server_time(None).tzinfo is not None


@pytest.mark.parametrize("check, args, value, message", [
    (check_zero_or_more, (), -1, "option 'wait_timeout': must be zero or more, got -1"),
    (check_at_least_one, ("day", "use rotate=true"), -2, "option 'wait_timeout': must be zero or more, got -2"),
    (check_at_least_one, ("day", "use rotate=true"), 0, "option 'wait_timeout': must be at least 1 day (use rotate=true)"),
])
def test_counts_refuse_what_means_nothing(check, args, value, message):
    with pytest.raises(ValidationError) as refused:
        check(value, "wait_timeout", *args)
    assert str(refused.value) == message


def test_zero_is_a_meaningful_wait_and_one_day_a_meaningful_age():
    assert check_zero_or_more(0, "wait_timeout") == 0
    assert check_at_least_one(1, "max_age_days", "day", "") == 1
