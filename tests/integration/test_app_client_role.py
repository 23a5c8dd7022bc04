"""The app_client role through real ansible-playbook runs (no AWS involved).

The runs are steps of one ansible-playbook process (tests/support/steps.py), in an order where the
default output directory (spapi-onboarding below the playbook's directory) is first written by the
idempotence scenario; refused runs are rescued so the next steps run. The two runs that give
app_client_roles with -e have processes of their own.
"""

import json

import pytest

from tests.support.ansible import play, run_playbook
from tests.support.steps import Step, run_steps

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


def changed_tasks(step):
    """What a run's recap counts as changed, for one step of a batched run: its tasks that changed."""
    return sum(1 for record in step.records if record["result"].get("changed"))


def role_tasks(**role_vars):
    """role_play()'s task, its refusal rescued (the next steps run)."""
    return [{"block": role_play(**role_vars)[0]["tasks"],
             "rescue": [{"name": "refused", "ansible.builtin.meta": "noop"}]}]


BAD_INPUT = [
    ({"app_client_oauth_login_uri": "http://codat.io"},
     "app_client_oauth_login_uri: must be an https:// URI with a host name, without spaces, control characters, "
     "quotes, backticks, brackets or angle brackets; got \"http://codat.io\""),
    ({"app_client_roles": ["Pricing", "Time Travel"]},
     "app_client_roles: unknown role(s) Time Travel; known roles are Brand Analytics"),
    ({"app_client_name": "AMZ Sync", "app_client_role_arn": "arn:aws:iam::123456789012:user/SellingPartnerAPIUser",
      "app_client_oauth_redirect_uri": "https://amazonsellercentral.codat.io/oauth callback"},
     "app_client_name: must not use an Amazon trademark"),
]
QUEUES = {"lwa_new_secret_queue_arn": "arn:aws:sqs:us-east-1:123456789012:sp-api-application-client-new-secret",
          "lwa_secret_expiry_queue_arn": "arn:aws:sqs:us-east-1:123456789012:sp-api-application-client-secret-expiry"}
OVERRIDE_ARN = "arn:aws-cn:iam::123456789012:role/sp-api/SellingPartnerAPIRole"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("app_client")
    out = workdir / "spapi-onboarding"  # the default resolves against ansible-playbook's directory
    kept = {}

    def default_dir_exists():
        return out.exists()

    def mtimes():
        return {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    def hand_edit():
        kept["original"] = (out / "app-client.md").read_text()
        (out / "app-client.md").write_text(kept["original"].replace("SP API", "SP-API"))

    def keep_sheet():
        kept["queues sheet"] = (out / "app-client.md").read_text()

    steps = [
        # iam_role_arn is the fact the iam role sets: app_client_role_arn defaults to it.
        Step("overrides", role_play(iam_role_arn=OVERRIDE_ARN, app_client_name="Acme Books Sync",
                                    app_client_format="yaml",
                                    app_client_roles=["Pricing", "Tax Invoicing (Restricted)", "Time Travel"],
                                    app_client_allow_unknown_roles=True,
                                    app_client_oauth_login_uri="https://example.com/login",
                                    app_client_output_dir=str(workdir / "custom"))[0]["tasks"],
             after=default_dir_exists),
    ]
    steps += [Step("bad input %d" % index, role_tasks(**role_vars), after=default_dir_exists)
              for index, (role_vars, dummy) in enumerate(BAD_INPUT)]
    steps += [
        Step("missing", role_tasks(app_client_role_arn="")),
        Step("check", role_play()[0]["tasks"], check=True, after=default_dir_exists),
        Step("first", role_play()[0]["tasks"], after=lambda: (
            (out / "app-client.md").read_text(), json.loads((out / "app-client.json").read_text()))),
        Step("second", role_play()[0]["tasks"], before=lambda: kept.update(before=mtimes()), after=mtimes),
        # A hand-edited sheet is put back.
        Step("third", role_play()[0]["tasks"], before=hand_edit, after=(out / "app-client.md").read_text),
        Step("queues", role_play(**QUEUES)[0]["tasks"], after=lambda: (
            (out / "app-client.md").read_text(), json.loads((out / "app-client.json").read_text()))),
        Step("bad queues", role_tasks(lwa_new_secret_queue_arn="arn:aws:sqs:us-east-1:123456789012:q`<b>"),
             before=keep_sheet, after=(out / "app-client.md").read_text),
    ]
    run = run_steps(workdir, None, steps)
    run.workdir, run.kept = workdir, kept
    return run


def test_sheet_in_the_current_directory_then_idempotent(runs):
    first = runs["first"]
    first.assert_ok()
    sheet, data = first.seen

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
    assert changed_tasks(first) > 0

    second = runs["second"]
    second.assert_ok()
    assert changed_tasks(second) == 0
    assert second.seen == runs.kept["before"]
    # Unchanged content is recognised in-process: nothing is written and no module process runs.
    assert second.status(WRITE_TASK) == "ok"
    assert [f["changed"] for f in second.result(WRITE_TASK)["files"]] == [False, False]
    assert {r["action"] for r in second.records} <= IN_PROCESS, second.records

    # A hand-edited sheet is put back.
    third = runs["third"]
    third.assert_ok()
    assert changed_tasks(third) == 1
    assert third.seen == runs.kept["original"]


def test_overrides_unknown_role_when_allowed_and_yaml_format(runs):
    import yaml
    out = runs.workdir / "custom"
    role_arn = OVERRIDE_ARN
    run = runs["overrides"]
    run.assert_ok()
    data = yaml.safe_load((out / "app-client.yaml").read_text())["app_client"]
    assert data["app_name"] == "Acme Books Sync"
    assert data["iam_arn"] == role_arn
    assert data["roles"] == ["Pricing", "Tax Invoicing (Restricted)", "Time Travel"]
    assert data["oauth_login_uri"] == "https://example.com/login"
    assert sorted(p.name for p in out.iterdir()) == ["app-client.md", "app-client.yaml"]
    assert run.seen is False  # the default directory


@pytest.mark.parametrize("role_vars, message", BAD_INPUT)
def test_bad_input_is_refused_before_anything_is_written(runs, role_vars, message):
    run = runs["bad input %d" % BAD_INPUT.index((role_vars, message))]
    assert run.returncode != 0
    assert message in run.output
    assert run.seen is False  # the default directory
    if "app_client_role_arn" in role_vars:  # every problem is reported at once
        assert "app_client_role_arn: must be an IAM role ARN" in run.output
        assert "app_client_oauth_redirect_uri: must be an https:// URI with a host name" in run.output


def test_missing_role_arn_and_check_mode_write_nothing(runs):
    missing = runs["missing"]
    assert missing.returncode != 0
    assert "app_client_role_arn: required; run the spapi.onboarding.iam role first" in missing.output

    check = runs["check"]
    check.assert_ok()
    assert check.seen is False  # the default directory


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


def test_the_sheet_says_which_queue_goes_into_which_notification_preferences_row(runs):
    queues = QUEUES
    runs["queues"].assert_ok()
    sheet, data = runs["queues"].seen
    assert "## Notification Preferences (Developer Console)" in sheet
    assert "- [ ] **Application Client New Secret**: `%s`" % queues["lwa_new_secret_queue_arn"] in sheet
    assert "- [ ] **Application Client Secret Expiry**: `%s`" % queues["lwa_secret_expiry_queue_arn"] in sheet
    assert [row["row"] for row in data["notification_preferences"]] == [
        "Application Client New Secret", "Application Client Secret Expiry"]

    bad = runs["bad queues"]
    assert bad.returncode != 0
    assert "app_client_new_secret_queue_arn, app_client_secret_expiry_queue_arn: must be standard SQS queue ARNs" \
        in bad.output
    assert runs.kept["queues sheet"] == sheet
    assert bad.seen == sheet
