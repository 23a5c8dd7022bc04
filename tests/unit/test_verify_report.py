"""verify's Report: each check's status, what the module returns for it, and the verdict. Pure."""

import pytest

from ansible_collections.spapi.onboarding.plugins.module_utils._verify.report import CHECKS, Report


def report_with(**statuses):
    report = Report()
    for name, status in statuses.items():
        if status == "passed":
            report.passed(name, "%s is fine" % name)
        elif status == "failed":
            report.failed(name, "%s is broken" % name, "repair %s" % name)
        elif status == "skipped":
            report.skipped(name, "no vault_file given")
        else:
            report.not_checked(name, "IAM user u does not exist")
    return report


@pytest.mark.parametrize("status, ok, detail", [
    ("passed", True, "user is fine"),
    ("failed", False, "user is broken"),
    ("skipped", True, "skipped: no vault_file given"),
    ("not checked", False, "not checked: IAM user u does not exist"),
])
def test_each_status_as_the_module_returns_it(status, ok, detail):
    (check,) = report_with(user=status).checks()
    assert (check["status"], check["ok"], check["detail"]) == (status, ok, detail)
    assert ("fix" in check) == (status == "failed")


@pytest.mark.parametrize("status, ok", [("passed", True), ("failed", False), ("skipped", False), ("not checked", False)])
def test_only_a_passed_check_lets_the_checks_after_it_run(status, ok):
    assert report_with(access_key=status).ok("access_key") is ok


def test_checks_come_back_in_chain_order_whatever_order_they_ran_in():
    report = report_with(assume_role="passed", user="passed", trust_policy="passed")
    assert [c["name"] for c in report.checks()] == ["user", "trust_policy", "assume_role"]


@pytest.mark.parametrize("statuses, all_ok, message", [
    ({"user": "passed", "role": "passed"}, True, "the SP-API IAM chain is sound: 2 checks passed"),
    ({"user": "passed", "access_key": "skipped"}, True, "the SP-API IAM chain is sound: 1 checks passed, 1 skipped"),
    ({"user": "failed", "role": "passed"}, False,
     "the SP-API IAM chain is broken (1 link): user: user is broken. Fix: repair user."),
    ({"user": "failed", "role": "failed", "policy": "not checked"}, False,
     "the SP-API IAM chain is broken (2 links): user: user is broken. Fix: repair user. "
     "role: role is broken. Fix: repair role."),
    ({"user": "passed", "access_key": "not checked"}, False, "the SP-API IAM chain could not be checked: access_key"),
])
def test_verdict(statuses, all_ok, message):
    report = report_with(**statuses)
    assert report.all_ok is all_ok
    assert report.message() == message


def test_checks_left_to_earlier_tasks_are_reported_not_run_and_the_chain_is_not_called_sound():
    report = Report()
    report.not_run(CHECKS[:-2], "scope is live")
    report.passed("assume_role", "assumed")
    assert report.all_ok
    statuses = dict((c["name"], (c["status"], c["ok"], c["detail"])) for c in report.checks())
    assert statuses["user"] == ("skipped", True, "not run: scope is live")
    assert not report.ok("trust_policy")
    assert report.message() == "the SP-API IAM chain's checks that ran passed: 1 checks passed, 9 not run (scope is live)"
