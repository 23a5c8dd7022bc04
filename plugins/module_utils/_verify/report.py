# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""verify's report: each check's status, its words, and the verdict. Pure: no AWS call here."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The checks, in chain order: this is the order of the returned list.
CHECKS = (
    "user",
    "policy",
    "role",
    "policy_attached",
    "trust_policy",
    "sts_policy",
    "user_grants",
    "role_grants",
    "access_key",
    "caller_identity",
    "assume_role",
)

PASSED = "passed"
FAILED = "failed"
# Not run because the task's options say so (no vault_file, assume_role false, scope live): does not fail the task.
SKIPPED = "skipped"
# Not run because a link it depends on is missing or broken: the chain is not sound.
NOT_CHECKED = "not checked"


class Report:
    """The outcome of each check; a check that cannot run says why, and is not ok."""

    def __init__(self):
        self._checks = {}
        self._not_run = []  # the checks the task's scope leaves to the tasks before it
        self._not_run_reason = None

    def _set(self, name, status, detail, fix=None):
        self._checks[name] = {"name": name, "status": status, "detail": detail, "fix": fix}

    def passed(self, name, detail):
        self._set(name, PASSED, detail)

    def failed(self, name, detail, fix):
        self._set(name, FAILED, detail, fix)

    def skipped(self, name, detail):
        self._set(name, SKIPPED, "skipped: %s" % detail)

    def not_checked(self, name, reason):
        self._set(name, NOT_CHECKED, "not checked: %s" % reason)

    def not_run(self, names, reason):
        """Checks the task's scope leaves to the tasks before it: skipped, and said to be not run."""
        for name in names:
            self._set(name, SKIPPED, "not run: %s" % reason)
        self._not_run, self._not_run_reason = list(names), reason

    def status(self, name):
        return self._checks.get(name, {}).get("status")

    def ok(self, name):
        """Whether the check ran and passed (a skipped check proves nothing for the checks after it)."""
        return self.status(name) == PASSED

    def checks(self):
        """The checks in chain order, as the module returns them."""
        listed = []
        for name in CHECKS:
            if name in self._checks:
                check = self._checks[name]
                entry = {"name": name, "ok": check["status"] in (PASSED, SKIPPED), "status": check["status"],
                         "detail": check["detail"]}
                if check["status"] == FAILED:
                    entry["fix"] = check["fix"]
                listed.append(entry)
        return listed

    def _with(self, status):
        return [name for name in CHECKS if self.status(name) == status]

    @property
    def all_ok(self):
        return not self._with(FAILED) and not self._with(NOT_CHECKED)

    def message(self):
        broken = self._with(FAILED)
        if broken:
            parts = ["%s: %s. Fix: %s." % (n, self._checks[n]["detail"], self._checks[n]["fix"]) for n in broken]
            return "the SP-API IAM chain is broken (%d link%s): %s" % (
                len(parts), "" if len(parts) == 1 else "s", " ".join(parts))
        if self._with(NOT_CHECKED):
            return "the SP-API IAM chain could not be checked: %s" % ", ".join(self._with(NOT_CHECKED))
        passed = len(self._with(PASSED))
        skipped = len([n for n in self._with(SKIPPED) if n not in self._not_run])
        if self._not_run:
            # Only part of the chain ran: say so rather than call the chain sound.
            return "the SP-API IAM chain's checks that ran passed: %d checks passed, %d not run (%s)%s" % (
                passed, len(self._not_run), self._not_run_reason, (", %d skipped" % skipped) if skipped else "")
        return "the SP-API IAM chain is sound: %d checks passed%s" % (
            passed, (", %d skipped" % skipped) if skipped else "")
