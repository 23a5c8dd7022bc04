# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Times as AWS reports them, made comparable: always timezone-aware, always UTC."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
from email.utils import parsedate_to_datetime

UTC = datetime.timezone.utc


def utc_now():
    return datetime.datetime.now(UTC)


def as_utc(value):
    """A datetime in UTC; a naive one is taken as UTC (botocore's parser and stand-ins return both)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso_utc(value):
    """ISO 8601 in UTC for a datetime, the text of anything else set, None for nothing."""
    if isinstance(value, datetime.datetime):
        return as_utc(value).isoformat()
    return str(value) if value else None


def days_between(earlier, now):
    """Days from a creation date to now; 0 when AWS gave no date."""
    if not isinstance(earlier, datetime.datetime):
        return 0.0
    return (now - as_utc(earlier)).total_seconds() / 86400.0


def server_time(response):
    """When AWS answered (the reply's Date header), immune to the controller's clock; else now."""
    date = ((response or {}).get("ResponseMetadata") or {}).get("HTTPHeaders", {}).get("date")
    if date:
        try:
            return as_utc(parsedate_to_datetime(date))
        except (TypeError, ValueError):
            pass
    return utc_now()
