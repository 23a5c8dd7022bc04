# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""lwa_credentials' logic: the credentials proven with a token exchange, then written to the LWA vault.

The vault is passed in as a document (plugin_utils/_vault/document.py: `location`, `ours`, `store`,
`write`, `remove`), so this file never touches Vault or a file itself.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import (
    LwaError,
    days_left,
    parse_time,
    prove,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import plan_store, store_diff


def store_credentials(task, document, endpoint, http):
    """Prove (unless http is None: prove=false), then write the keys that changed."""
    params = task.params
    path, ours = document.location, document.ours
    loose = document.store.loose_mode is not None
    result = dict(vault_file=path, proven=[], changed=False)
    now = datetime.datetime.now(datetime.timezone.utc)
    desired, changed_keys = plan_store(ours or {}, params, now)
    expires = desired["lwa_client_secret_expires"]
    result.update(client_id=desired["lwa_client_id"], application_id=desired["lwa_application_id"],
                  client_secret_expires=expires,
                  days_left=days_left(parse_time(expires, "client_secret_expires"), now) if expires else None,
                  changed_keys=changed_keys)
    if http is not None:
        try:
            result["proven"] = [prove(http, endpoint, desired["lwa_client_id"], desired["lwa_client_secret"],
                                      desired["lwa_refresh_token"])]
        except LwaError as exc:
            result.update(failed=True, changed=False, changed_keys=[],
                          msg="%s. Nothing was written to the vault file %s" % (exc, path))
            return result
    else:
        task.warn("prove=false: the LWA credentials were stored without a token exchange; prove them later "
                  "with spapi.onboarding.lwa_check")
    result["changed"] = bool(changed_keys) or loose
    if task.diff_mode and result["changed"]:
        result["diff"] = store_diff(ours, desired, path)
    if task.check_mode or not result["changed"]:
        return result
    if changed_keys:
        document.write(desired)
    else:
        document.store.restrict()
    return result


def remove_credentials(task, document):
    ours = document.ours
    result = dict(vault_file=document.location, proven=[], changed=bool(ours), client_id=None,
                  application_id=None, client_secret_expires=None, days_left=None, changed_keys=sorted(ours or {}))
    if ours and task.diff_mode:
        result["diff"] = store_diff(ours, {}, document.location)
    if ours and not task.check_mode:
        document.remove()  # the whole vault, unless it also holds other keys
    return result
