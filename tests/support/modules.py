"""Whether the collection has every module the roles call (some land from other branches)."""

import pytest

from tests.support.paths import REPO

ROLE_MODULES = ("iam_user", "iam_policy", "iam_role", "sts_policy", "access_key", "verify")
MISSING = [name for name in ROLE_MODULES if not (REPO / "plugins" / "modules" / (name + ".py")).exists()]

# Marks a test that runs the iam role for real. Remove once every module has landed.
needs_all_modules = pytest.mark.skipif(
    bool(MISSING), reason="the iam role needs modules not merged yet: %s" % ", ".join(MISSING))
