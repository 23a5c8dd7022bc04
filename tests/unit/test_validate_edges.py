"""Edges of the input rules: a trailing newline, wildcards, URIs that would break out of a sheet."""

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import (
    ValidationError,
    check_account_arn,
    check_arn,
    check_https_uri,
    check_name,
    check_path,
    check_principal_arn,
)

ROLE = "arn:aws:iam::123456789012:role/SellingPartnerAPIRole"
USER = "arn:aws:iam::123456789012:user/SellingPartnerAPIUser"
POLICY = "arn:aws:iam::123456789012:policy/SellingPartnerAPI"


def refused(check, *args):
    with pytest.raises(ValidationError) as error:
        check(*args)
    return str(error.value)


@pytest.mark.parametrize("check, args", [
    (check_name, ("SellingPartnerAPIUser\n", "user_name", "user")),
    (check_name, ("SellingPartnerAPI\n", "policy_name", "policy")),
    (check_path, ("/sp-api/\n", "path")),
    (check_arn, (ROLE + "\n", "role_arn", "role")),
    (check_arn, (USER + "\n", "trusted_user_arn", "user")),
    (check_arn, (POLICY + "\n", "managed_policy_arns", "policy")),
    (check_principal_arn, (ROLE + "\n", "trusted_principals")),
    (check_principal_arn, ("arn:aws:iam::123456789012:root\n", "trusted_principals")),
    (check_account_arn, (USER + "\n", "account_id")),
    (check_https_uri, ("https://codat.io\n", "oauth_login_uri")),
])
def test_a_trailing_newline_is_refused(check, args):
    message = refused(check, *args)
    assert message.startswith("option '%s': " % args[1])


@pytest.mark.parametrize("value, option, kind", [
    ("arn:aws:iam::123456789012:role/*", "role_arn", "role"),
    ("arn:aws:iam::123456789012:role/SellingPartner*", "role_arns", "role"),
    ("arn:aws:iam::123456789012:role/sp-*/SellingPartnerAPIRole", "role_arn", "role"),
    ("arn:aws:iam::123456789012:user/SellingPartnerAPIUse?", "trusted_user_arn", "user"),
    ("arn:aws:iam::123456789012:policy/*", "managed_policy_arns", "policy"),
    ("arn:aws:iam::123456789012:policy/team?/SellingPartnerAPI", "permissions_boundary", "policy"),
])
def test_wildcards_in_arns_are_refused(value, option, kind):
    message = refused(check_arn, value, option, kind)
    assert "option '%s'" % option in message and "wildcard" in message


@pytest.mark.parametrize("value", ["arn:aws:iam::123456789012:role/*", "arn:aws:iam::123456789012:user/a?"])
def test_wildcard_principals_are_refused(value):
    assert "wildcard" in refused(check_principal_arn, value, "trusted_principals")


@pytest.mark.parametrize("check, args", [
    (check_name, ("a.b@c_d-e+f=g,h", "user_name", "user")),
    (check_path, ("/", "path")),
    (check_path, ("/sp-api/team.a/", "path")),
    (check_arn, (ROLE, "role_arn", "role")),
    (check_arn, ("arn:aws-cn:iam::123456789012:role/sp-api/team/SellingPartnerAPIRole", "role_arn", "role")),
    (check_arn, ("arn:aws:iam::aws:policy/ReadOnlyAccess", "managed_policy_arns", "policy")),
    (check_principal_arn, ("arn:aws-us-gov:iam::123456789012:root", "trusted_principals")),
    (check_https_uri, ("https://codat.io", "login")),
    (check_https_uri, ("https://amazonsellercentral.codat.io/oauth/callback?x=1#y", "redirect")),
    (check_https_uri, ("https://example.com:8443/path", "redirect")),
])
def test_good_values_pass(check, args):
    check(*args)


@pytest.mark.parametrize("value", [
    "http://codat.io",
    "https://",
    "https:///path",
    "https://user@codat.io/",
    "https://codat.io/`x`",
    "https://codat.io/<b>",
    "https://codat.io/a b",
    "https://codat.io/\tx",
    "https://codat.io/\x1b[2J",
    "https://codat.io/\"x",
    "https://[::1/",
    "ftp://codat.io",
    "codat.io",
])
def test_bad_uris_are_refused(value):
    assert refused(check_https_uri, value, "oauth_redirect_uri").startswith("option 'oauth_redirect_uri': ")
