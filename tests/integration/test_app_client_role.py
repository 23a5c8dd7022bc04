"""The app_client role through real ansible-playbook runs (no AWS involved)."""

import json
import re

import pytest

from tests.support.ansible import play, run_playbook

ROLE_ARN = "arn:aws:iam::123456789012:role/SellingPartnerAPIRole"
NO_AWS = "http://127.0.0.1:9"  # the role never calls AWS
DEFAULT_ROLES = [
    "Brand Analytics", "Product Listing", "Pricing", "Amazon Fulfillment", "Buyer Communication",
    "Buyer Solicitation", "Selling Partner Insights", "Finance and Accounting",
    "Inventory and Order Tracking", "Amazon Warehousing and Distribution",
]


WRITE_TASK = "Write the app client sheet and its machine-readable twin"
# Actions that run in Ansible's worker: a converged run of the role starts no module process.
IN_PROCESS = {"ansible.builtin.include_role", "ansible.builtin.validate_argument_spec", "ansible.builtin.assert",
              "ansible.builtin.set_fact", "spapi.onboarding.app_client_sheet"}


def role_play(**role_vars):
    if "iam_role_arn" not in role_vars:
        role_vars.setdefault("app_client_role_arn", ROLE_ARN)
    return play([{"name": "app client", "ansible.builtin.include_role": {"name": "spapi.onboarding.app_client"},
                  "vars": role_vars}])


def recap_changed(run):
    found = re.findall(r"localhost\s+: ok=\d+\s+changed=(\d+)", run.output)
    assert found, run.output
    return int(found[-1])


def test_sheet_in_the_current_directory_then_idempotent(tmp_path):
    first = run_playbook(role_play(), tmp_path, NO_AWS)
    first.assert_ok()
    out = tmp_path / "spapi-onboarding"  # the default resolves against ansible-playbook's directory
    sheet = (out / "app-client.md").read_text()
    data = json.loads((out / "app-client.json").read_text())

    fields = ["App name", "API Type", "IAM ARN", "Business Entities Supported", "Roles",
              "OAuth Login URI", "OAuth Redirect URI"]
    positions = [sheet.index("**%s**" % label) for label in fields]
    assert positions == sorted(positions), "fields are not in the form's order"
    assert "**API Type**: `SP API`" in sheet
    assert "**IAM ARN**: `%s`" % ROLE_ARN in sheet
    assert "- [ ] Sellers" in sheet
    for role in DEFAULT_ROLES:
        assert "- [ ] %s\n" % role in sheet
    # "Select all the roles": the restricted ones are not selected, and the sheet says why.
    assert "- [ ] Tax Invoicing (Restricted)" not in sheet
    assert "  - Tax Invoicing (Restricted): restricted role with personal data; needs Amazon's approval" in sheet
    assert "  - Account Information Service Provider: regulated account-information service providers only" in sheet
    assert "`https://codat.io`" in sheet
    assert "`https://amazonsellercentral.codat.io/oauth/callback`" in sheet
    for step in ("My organization builds and offers publicly available applications",
                 "Selling Partner APIs only", "incident response policy",
                 "Your developer registration is under review",
                 "Partner Network > Develop Apps", "Authorise", "View App listings, then Add App Listing",
                 "App information, Pricing and Details", "dimensions", "Save and submit",
                 "up to two weeks", "\"AMZ\"", "\" ' & < >"):
        assert step in sheet, step

    assert list(data["app_client"]) == ["app_name", "api_type", "iam_arn", "business_entities", "roles",
                                        "oauth_login_uri", "oauth_redirect_uri"]
    assert data["app_client"]["api_type"] == "SP API"
    assert data["app_client"]["business_entities"] == ["Sellers"]
    assert data["app_client"]["iam_arn"] == ROLE_ARN
    assert data["app_client"]["roles"] == DEFAULT_ROLES
    assert data["labels"]["iam_arn"] == "IAM ARN"
    assert data["checklists"]["app_listing"] and data["checklists"]["developer_registration"]
    assert recap_changed(first) > 0

    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    second = run_playbook(role_play(), tmp_path, NO_AWS)
    second.assert_ok()
    assert recap_changed(second) == 0
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    # Unchanged content is recognised in-process: nothing is written and no module process runs.
    assert second.status(WRITE_TASK) == "ok"
    assert [f["changed"] for f in second.result(WRITE_TASK)["files"]] == [False, False]
    assert {r["action"] for r in second.records} <= IN_PROCESS, second.records

    # A hand-edited sheet is put back.
    sheet = out / "app-client.md"
    original = sheet.read_text()
    sheet.write_text(original.replace("SP API", "SP-API"))
    third = run_playbook(role_play(), tmp_path, NO_AWS)
    third.assert_ok()
    assert recap_changed(third) == 1
    assert sheet.read_text() == original


def test_overrides_unknown_role_when_allowed_and_yaml_format(tmp_path):
    import yaml
    out = tmp_path / "custom"
    role_arn = "arn:aws-cn:iam::123456789012:role/sp-api/SellingPartnerAPIRole"
    # iam_role_arn is the fact the iam role sets: app_client_role_arn defaults to it.
    run = run_playbook(role_play(iam_role_arn=role_arn, app_client_name="Acme Books Sync", app_client_format="yaml",
                                 app_client_roles=["Pricing", "Tax Invoicing (Restricted)", "Time Travel"],
                                 app_client_allow_unknown_roles=True,
                                 app_client_oauth_login_uri="https://example.com/login",
                                 app_client_output_dir=str(out)), tmp_path, NO_AWS)
    run.assert_ok()
    data = yaml.safe_load((out / "app-client.yaml").read_text())["app_client"]
    assert data["app_name"] == "Acme Books Sync"
    assert data["iam_arn"] == role_arn
    assert data["roles"] == ["Pricing", "Tax Invoicing (Restricted)", "Time Travel"]
    assert data["oauth_login_uri"] == "https://example.com/login"
    assert sorted(p.name for p in out.iterdir()) == ["app-client.md", "app-client.yaml"]
    assert not (tmp_path / "spapi-onboarding").exists()


@pytest.mark.parametrize("role_vars, message", [
    ({"app_client_oauth_login_uri": "http://codat.io"},
     "app_client_oauth_login_uri: must be an https:// URI with a host name, without spaces, control characters, "
     "quotes, backticks, brackets or angle brackets; got \"http://codat.io\""),
    ({"app_client_roles": ["Pricing", "Time Travel"]},
     "app_client_roles: unknown role(s) Time Travel; known roles are Brand Analytics"),
    ({"app_client_name": "AMZ Sync", "app_client_role_arn": "arn:aws:iam::123456789012:user/SellingPartnerAPIUser",
      "app_client_oauth_redirect_uri": "https://amazonsellercentral.codat.io/oauth callback"},
     "app_client_name: must not use an Amazon trademark"),
])
def test_bad_input_is_refused_before_anything_is_written(tmp_path, role_vars, message):
    run = run_playbook(role_play(**role_vars), tmp_path, NO_AWS)
    assert run.returncode != 0
    assert message in run.output
    assert not (tmp_path / "spapi-onboarding").exists()
    if "app_client_role_arn" in role_vars:  # every problem is reported at once
        assert "app_client_role_arn: must be an IAM role ARN" in run.output
        assert "app_client_oauth_redirect_uri: must be an https:// URI with a host name" in run.output


def test_missing_role_arn_and_check_mode_write_nothing(tmp_path):
    missing = run_playbook(role_play(app_client_role_arn=""), tmp_path, NO_AWS)
    assert missing.returncode != 0
    assert "app_client_role_arn: required; run the spapi.onboarding.iam role first" in missing.output

    check = run_playbook(role_play(), tmp_path, NO_AWS, ["--check"])
    check.assert_ok()
    assert not (tmp_path / "spapi-onboarding").exists()


@pytest.mark.parametrize("given, selected", [
    ("Pricing", ["Pricing"]),
    ("Pricing, Brand Analytics", ["Pricing", "Brand Analytics"]),
])
def test_a_string_of_roles_is_a_list(tmp_path, given, selected):
    """-e app_client_roles=Pricing is one role, not the letters of one."""
    run = run_playbook(role_play(), tmp_path, NO_AWS, ["-e", "app_client_roles='%s'" % given])
    run.assert_ok()
    data = json.loads((tmp_path / "spapi-onboarding" / "app-client.json").read_text())
    assert data["app_client"]["roles"] == selected


def test_the_sheet_says_which_queue_goes_into_which_notification_preferences_row(tmp_path):
    queues = {"lwa_new_secret_queue_arn": "arn:aws:sqs:us-east-1:123456789012:sp-api-application-client-new-secret",
              "lwa_secret_expiry_queue_arn": "arn:aws:sqs:us-east-1:123456789012:sp-api-application-client-secret-expiry"}
    run_playbook(role_play(**queues), tmp_path, NO_AWS).assert_ok()
    out = tmp_path / "spapi-onboarding"
    sheet = (out / "app-client.md").read_text()
    assert "## Notification Preferences (Developer Console)" in sheet
    assert "- [ ] **Application Client New Secret**: `%s`" % queues["lwa_new_secret_queue_arn"] in sheet
    assert "- [ ] **Application Client Secret Expiry**: `%s`" % queues["lwa_secret_expiry_queue_arn"] in sheet
    data = json.loads((out / "app-client.json").read_text())
    assert [row["row"] for row in data["notification_preferences"]] == [
        "Application Client New Secret", "Application Client Secret Expiry"]

    bad = run_playbook(role_play(lwa_new_secret_queue_arn="arn:aws:sqs:us-east-1:123456789012:q`<b>"), tmp_path, NO_AWS)
    assert bad.returncode != 0
    assert "app_client_new_secret_queue_arn, app_client_secret_expiry_queue_arn: must be standard SQS queue ARNs" \
        in bad.output
    assert (out / "app-client.md").read_text() == sheet
