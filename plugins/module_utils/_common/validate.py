# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input rules of IAM and of this collection, checked before any AWS call.

Every check raises ValidationError naming the option and the rule it broke, so a
bad value is refused with a message a user can act on and nothing is written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError

import re

from urllib.parse import urlsplit

# Patterns are used with fullmatch and end in \Z, never $: "$" also matches before a final
# newline, so "name\n" would pass and reach AWS (or a file) with the newline.
IAM_NAME = re.compile(r"[\w+=,.@-]+\Z", re.ASCII)
IAM_PATH = re.compile(r"(?:/|/[\x21-\x7e]+/)\Z")
PARTITIONS = r"aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc"
# Paths in ARNs given as options exclude * and ?: a wildcard would stand for many entities.
_ARN = r"arn:(?P<partition>%s):iam::(?P<account>%s):%s(?P<path>/(?:[\x21-\x29\x2b-\x3e\x40-\x7e]*/)?)(?P<name>[\w+=,.@-]{1,%d})\Z"
ARN_PATTERNS = {
    "user": re.compile(_ARN % (PARTITIONS, r"\d{12}", "user", 64), re.ASCII),
    "role": re.compile(_ARN % (PARTITIONS, r"\d{12}", "role", 64), re.ASCII),
    # AWS managed policies live in the pseudo-account "aws".
    "policy": re.compile(_ARN % (PARTITIONS, r"\d{12}|aws", "policy", 128), re.ASCII),
}
ROOT_ARN = re.compile(r"arn:(%s):iam::\d{12}:root\Z" % PARTITIONS)
WILDCARDS = "*?"
# Characters that would break a URI out of a sheet, a log line or a Markdown code span.
URI_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f`<>\"'\\{}|^]")

NAME_LIMITS = {"user": 64, "role": 64, "policy": 128}
SESSION_DURATION = (3600, 43200)


class ValidationError(SpapiError, ValueError):
    """A user-supplied value breaks a rule; the message names the option (or, for a role, the variable)."""

    def __init__(self, option, rule, kind="option"):
        self.option = option
        self.rule = rule
        super(ValidationError, self).__init__("%s '%s': %s" % (kind, option, rule))


def check_name(value, option, kind):
    limit = NAME_LIMITS[kind]
    if not isinstance(value, str) or not value:
        raise ValidationError(option, "an IAM %s name is required (1-%d characters)" % (kind, limit))
    if len(value) > limit:
        raise ValidationError(option, "IAM %s names are at most %d characters, got %d" % (kind, limit, len(value)))
    if not IAM_NAME.fullmatch(value):
        raise ValidationError(
            option,
            "%r is not a valid IAM %s name: only letters, digits and the characters + = , . @ _ - are allowed"
            % (value, kind),
        )
    return value


def check_path(value, option="path"):
    if not isinstance(value, str) or len(value) > 512 or not IAM_PATH.fullmatch(value):
        raise ValidationError(
            option,
            "%r is not a valid IAM path: it must be '/' or start and end with '/', "
            "printable ASCII without spaces, at most 512 characters" % (value,),
        )
    return value


def check_arn(value, option, kind):
    """Return the match of an IAM ARN of the given kind (user, role or policy)."""
    if isinstance(value, str) and any(c in value for c in WILDCARDS):
        raise ValidationError(option, "%r contains a wildcard (* or ?): name exactly one IAM %s" % (value, kind))
    match = ARN_PATTERNS[kind].fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise ValidationError(
            option,
            "%r is not an IAM %s ARN (expected arn:<partition>:iam::<12-digit account>:%s/[path/]<name>)"
            % (value, kind, kind),
        )
    return match


def check_principal_arn(value, option):
    """A trusted principal: an IAM user or role ARN, or an account root ARN."""
    if isinstance(value, str) and any(c in value for c in WILDCARDS):
        raise ValidationError(option, "%r contains a wildcard (* or ?): name exactly one principal" % (value,))
    if isinstance(value, str) and (ARN_PATTERNS["user"].fullmatch(value) or ARN_PATTERNS["role"].fullmatch(value)
                                   or ROOT_ARN.fullmatch(value)):
        return value
    raise ValidationError(
        option, "%r is not an IAM user, role or account root ARN" % (value,)
    )


def check_account_arn(value, option):
    """Any IAM ARN naming a 12-digit account: it tells partition and account."""
    if isinstance(value, str) and (
            ROOT_ARN.fullmatch(value) or any(ARN_PATTERNS[kind].fullmatch(value) for kind in ("user", "role")) or (
                ARN_PATTERNS["policy"].fullmatch(value) and ":iam::aws:" not in value)):
        return value
    raise ValidationError(option, "%r is not an IAM ARN of an account (a user, role, policy or account root ARN)" % (value,))


def check_session_duration(value, option="max_session_duration"):
    low, high = SESSION_DURATION
    if not low <= value <= high:
        raise ValidationError(option, "must be between %d and %d seconds, got %d" % (low, high, value))
    return value


def check_zero_or_more(value, option):
    """A count or a duration where 0 means something: wait_timeout 0 is "do not wait"."""
    if value < 0:
        raise ValidationError(option, "must be zero or more, got %s" % (value,))
    return value


def check_at_least_one(value, option, unit, why_not_zero):
    """A count or a duration where 0 means nothing useful (max_age_days 0 would replace the key on
    every run): refused, saying what to do instead."""
    check_zero_or_more(value, option)
    if value == 0:
        raise ValidationError(option, "must be at least 1 %s (%s)" % (unit, why_not_zero))
    return value


def check_tags(tags, option="tags"):
    """IAM tag rules: at most 50, keys 1-128 characters, values 0-256 characters."""
    if tags is None:
        return None
    if len(tags) > 50:
        raise ValidationError(option, "IAM allows at most 50 tags, got %d" % len(tags))
    for key, value in tags.items():
        if not 1 <= len(str(key)) <= 128:
            raise ValidationError(option, "tag key %r must be 1-128 characters" % (key,))
        if str(key).lower().startswith("aws:"):
            raise ValidationError(option, "tag key %r uses the reserved prefix 'aws:'" % (key,))
        if len("" if value is None else str(value)) > 256:
            raise ValidationError(option, "the value of tag %r is longer than 256 characters" % (key,))
    return dict((str(k), "" if v is None else str(v)) for k, v in tags.items())


def check_https_uri(value, option):
    """An https URI with a host, and no character that could break out of where it is written."""
    if not isinstance(value, str) or URI_FORBIDDEN.search(value):
        raise ValidationError(option, "%r must be an https:// URI without spaces, control characters, quotes, "
                                      "backticks or angle brackets" % (value,))
    try:
        parts = urlsplit(value)
        https_with_host = parts.scheme == "https" and bool(parts.hostname) and "@" not in parts.netloc
    except ValueError:  # e.g. an unclosed [ in the host
        https_with_host = False
    if not https_with_host:
        raise ValidationError(option, "%r must be an https:// URI with a host name" % (value,))
    return value
