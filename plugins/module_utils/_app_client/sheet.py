# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Markdown sheet a person follows in Seller Central, from the document of settings.py. Pure: no I/O.

Plain text has Markdown's inline characters escaped; the values shown `like this` were checked to hold no
backtick and no line break (settings.problems), so they cannot leave their code span.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.spapi.onboarding.plugins.module_utils._app_client.settings import LEFT_OUT_ROLES

MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&|#~])")


def escape(text):
    return MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def markdown(document, roles_variable="app_client_roles"):
    settings, labels = document["app_client"], document["labels"]
    lines = ["# SP-API app client: %s" % escape(settings["app_name"]), "",
             "Seller Central > Apps & Services > Develop Apps > **Add new app client**.",
             "Type each field as below, in this order, then click **Save and Exit**.", ""]
    for index, (key, value) in enumerate(settings.items(), 1):
        if isinstance(value, str):
            lines.append("%d. **%s**: `%s`" % (index, labels[key], value))
        else:
            lines.append("%d. **%s**: select" % (index, labels[key]))
            lines.extend("   - [ ] %s" % escape(item) for item in value)
    lines += ["", "Notes:", "",
              "- The IAM ARN is the IAM role the spapi.onboarding.iam role created (the role, not the user:",
              "  it carries the execute-api policy). After a change of IAM ARN, Amazon honours the old and",
              "  the new one for 14 days.",
              "- Since 2 October 2023 SP-API no longer requires IAM or AWS Signature Version 4. If the form",
              "  shows no IAM ARN field, leave it out.",
              "- Only the roles your developer profile was approved for can be selected."]
    left_out = [(name, note) for name, note in LEFT_OUT_ROLES if name not in settings["roles"]]
    if left_out:
        lines += ["- The seed guide says \"select all the roles available\"; this sheet selects every role open to",
                  "  any developer and leaves out:"]
        lines.extend("  - %s: %s" % (escape(name), note) for name, note in left_out)
        lines.append("  Add one to `%s` only when your developer profile was approved for it." % roles_variable)
    lines.append("")
    if document["notification_preferences"]:
        lines += ["## Notification Preferences (Developer Console)", "",
                  "Amazon delivers a rotated LWA client secret, and the warning that it is about to expire, only to",
                  "the SQS queues registered here. In Developer Central, open the app's **Notification",
                  "Preferences** and paste each queue ARN into its row:", ""]
        lines.extend("- [ ] **%s**: `%s`" % (row["row"], row["queue_arn"])
                     for row in document["notification_preferences"])
        lines.append("")
    lines += ["## Checklist: developer registration (only a person can do this)", ""]
    lines.extend("- [ ] %s" % step for step in document["checklists"]["developer_registration"])
    lines += ["", "## Checklist: app listing (before linking live seller accounts)", ""]
    lines.extend("- [ ] %s" % step for step in document["checklists"]["app_listing"])
    return "\n".join(lines) + "\n"
