"""The app client form's rules and sheet (module_utils/_app_client): pure, table-driven.

The messages are those the role's Jinja checks gave before they moved to Python, word for word."""

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._app_client.settings import (
    DEFAULT_ROLES,
    SettingsError,
    check,
    document,
    problems,
    role_list,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._app_client.sheet import escape, markdown

ARN = "arn:aws:iam::123456789012:role/SellingPartnerAPIRole"
URI_RULE = ("must be an https:// URI with a host name, without spaces, control characters, quotes, backticks, "
            "brackets or angle brackets; got ")
UNSAFE_NAME = ("app_client_name: must not contain control characters (such as a line break) nor the characters "
               "` < >, which would break the sheet; got ")


def settings(**changes):
    values = {"name": "SP-API integration", "role_arn": ARN, "roles": list(DEFAULT_ROLES), "allow_unknown_roles": False,
              "oauth_login_uri": "https://codat.io", "oauth_redirect_uri": "https://amazonsellercentral.codat.io/cb",
              "new_secret_queue_arn": "", "secret_expiry_queue_arn": "", "file_stem": "app-client"}
    values.update(changes)
    return values


@pytest.mark.parametrize("changes, messages", [
    ({}, []),
    ({"name": "Dreamzone"}, []),
    ({"name": "ok é ü", "oauth_login_uri": "HTTPS://codat.io"}, []),
    ({"name": "   "}, ["app_client_name: must not be empty"]),
    ({"name": "MyAMZApp"}, ['app_client_name: must not use an Amazon trademark (Amazon, AMZ, Alexa, Kindle), '
                            'got "MyAMZApp"']),
    ({"name": "amazing kindle"}, ['app_client_name: must not use an Amazon trademark (Amazon, AMZ, Alexa, Kindle), '
                                  'got "amazing kindle"']),
    ({"name": "Acme Sync\n# Injected"}, [UNSAFE_NAME + '"Acme Sync\\n# Injected"']),
    ({"name": "Acme Sync\u2028x"}, [UNSAFE_NAME + '"Acme Sync\\u2028x"']),
    ({"name": "Acme `Sync`"}, [UNSAFE_NAME + '"Acme `Sync`"']),
    ({"role_arn": ""}, ["app_client_role_arn: required; run the spapi.onboarding.iam role first (it sets iam_role_arn) "
                        "or give the IAM role ARN"]),
    ({"role_arn": ARN + "\n"}, ['app_client_role_arn: must be an IAM role ARN (arn:<partition>:iam::<account>:role/'
                                '[path/]<name>, no wildcards), got "%s\\n"' % ARN]),
    ({"role_arn": "arn:aws:iam::123456789012:role/*"}, [
        'app_client_role_arn: must be an IAM role ARN (arn:<partition>:iam::<account>:role/[path/]<name>, no '
        'wildcards), got "arn:aws:iam::123456789012:role/*"']),
    ({"roles": []}, ["app_client_roles: must list at least one role"]),
    ({"roles": ["Pricing", "Time Travel", "Time Travel", "Zed"]}, [
        "app_client_roles: unknown role(s) Time Travel, Zed; known roles are %s, Account Information Service Provider, "
        "Direct-to-Consumer Shipping (Restricted), Tax Invoicing (Restricted), Tax Remittance (Restricted) (set "
        "app_client_allow_unknown_roles=true for a role Amazon added since)" % ", ".join(DEFAULT_ROLES)]),
    ({"roles": ["Pricing\n- [x] #"], "allow_unknown_roles": True}, [
        'app_client_roles: role names must not contain control characters (such as a line break) nor the characters '
        '` < >; got ["Pricing\\n- [x] #"]']),
    ({"oauth_login_uri": "http://codat.io"}, ['app_client_oauth_login_uri: ' + URI_RULE + '"http://codat.io"']),
    ({"oauth_login_uri": "https://attacker.example@codat.io/"}, [
        'app_client_oauth_login_uri: ' + URI_RULE + '"https://attacker.example@codat.io/"']),
    ({"oauth_login_uri": "https:///no-host"}, ['app_client_oauth_login_uri: ' + URI_RULE + '"https:///no-host"']),
    ({"oauth_redirect_uri": "https://[::1/"}, ['app_client_oauth_redirect_uri: ' + URI_RULE + '"https://[::1/"']),
    ({"oauth_redirect_uri": "https://codat.io\n"}, [
        'app_client_oauth_redirect_uri: ' + URI_RULE + '"https://codat.io\\n"']),
    ({"new_secret_queue_arn": "arn:aws:sqs:us-east-1:123456789012:q`<b>",
      "secret_expiry_queue_arn": "arn:aws:sqs:us-east-1:123456789012:fine"}, [
        'app_client_new_secret_queue_arn, app_client_secret_expiry_queue_arn: must be standard SQS queue ARNs '
        '(arn:<partition>:sqs:<region>:<account>:<name>), got ["arn:aws:sqs:us-east-1:123456789012:q`<b>"]']),
    ({"file_stem": "../up"}, ['app_client_file_stem: must be a file name without a directory, got "../up"']),
    # Every problem at once, in the order the form has them.
    ({"name": "AMZ Sync", "role_arn": "arn:aws:iam::123456789012:user/U", "oauth_redirect_uri": "https://c.io/a b"}, [
        'app_client_name: must not use an Amazon trademark (Amazon, AMZ, Alexa, Kindle), got "AMZ Sync"',
        'app_client_role_arn: must be an IAM role ARN (arn:<partition>:iam::<account>:role/[path/]<name>, no '
        'wildcards), got "arn:aws:iam::123456789012:user/U"',
        'app_client_oauth_redirect_uri: ' + URI_RULE + '"https://c.io/a b"']),
])
def test_each_rule_names_the_variable_and_what_it_must_be(changes, messages):
    assert problems(settings(**changes), "app_client_") == messages
    if messages:
        with pytest.raises(SettingsError) as refused:
            check(settings(**changes), "app_client_")
        assert str(refused.value) == "; ".join(messages)
        assert refused.value.option == messages[0].split(":")[0]


def test_without_a_prefix_the_messages_name_the_module_options():
    assert problems(settings(roles=["Zed"]))[0].startswith("roles: unknown role(s) Zed;")
    assert "(set allow_unknown_roles=true" in problems(settings(roles=["Zed"]))[0]


@pytest.mark.parametrize("given, roles", [
    ("Pricing", ["Pricing"]), ("Pricing, Brand Analytics", ["Pricing", "Brand Analytics"]), (" , ", []),
    (["Pricing ", "Zed"], ["Pricing ", "Zed"]), (None, []),
])
def test_roles_given_as_a_string_are_a_comma_separated_list(given, roles):
    assert role_list(given) == roles


def test_the_document_and_the_sheet_follow_the_form():
    sheet = document(settings(name="Acme *Books* & Co", roles=["Pricing", "Tax Invoicing (Restricted)"],
                              new_secret_queue_arn="arn:aws:sqs:us-east-1:123456789012:q1"))
    assert list(sheet["app_client"]) == ["app_name", "api_type", "iam_arn", "business_entities", "roles",
                                         "oauth_login_uri", "oauth_redirect_uri"]
    assert sheet["notification_preferences"] == [{"row": "Application Client New Secret",
                                                  "queue_arn": "arn:aws:sqs:us-east-1:123456789012:q1"}]
    lines = markdown(sheet).splitlines()
    assert lines[0] == "# SP-API app client: Acme \\*Books\\* \\& Co"
    assert "1. **App name**: `Acme *Books* & Co`" in lines and "   - [ ] Sellers" in lines
    assert "5. **Roles**: select" in lines and "   - [ ] Tax Invoicing (Restricted)" in lines
    # Left out: the restricted roles not selected, each with why; the selected one is not listed again.
    assert "  - Tax Remittance (Restricted): restricted role with personal data; needs Amazon's approval" in lines
    assert not [line for line in lines if line.startswith("  - Tax Invoicing")]
    assert "- [ ] **Application Client New Secret**: `arn:aws:sqs:us-east-1:123456789012:q1`" in lines
    assert "Application Client Secret Expiry" not in "\n".join(lines)
    assert lines[-1].startswith("- [ ] Click Save and submit.")


def test_markdown_characters_are_escaped_in_plain_text():
    assert escape("a*b_c[d](e)&f|g#h~i\\j`k<l>") == "a\\*b\\_c\\[d\\](e)\\&f\\|g\\#h\\~i\\\\j\\`k\\<l\\>"
