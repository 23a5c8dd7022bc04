# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error family of the collection.

Every failure the collection reports to the user derives from SpapiError: its message says what
was being done, to what, and how to fix it, and never holds a secret. `option` names the option
(or role variable) at fault when there is one; `report` holds values (key ids, names, never a
secret) that the runners merge into the task's result. The module runner and the in-process
runner catch this base and nothing else.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class SpapiError(Exception):
    option = None
    report = {}

    def result(self):
        """The task result of this failure: the report, then failed and msg."""
        result = dict(self.report or {})
        result.update(failed=True, msg=str(self))
        return result
