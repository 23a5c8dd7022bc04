# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prove before trusting: a new client secret read from a queue is only a candidate until a token
exchange with it succeeds (DESIGN.md, invariant 11).

Anyone allowed sqs:SendMessage on the queue can send a message shaped like Amazon's, with our
client id and a secret of their choosing. LWA is the only judge: candidates are tried newest
first, the first one LWA accepts is the new secret, and each one it refuses (invalid_client) is
reported by message id, client id and sender, set aside and never vaulted. Any other failure of
LWA (down, throttling, a refused refresh token) means it could not judge: the run stops and
vaults nothing, and the messages it holds are made visible again for the next run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation import plan
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import LwaError, lwa_endpoint, prove

# How long a secret that has just been rotated may take before LWA accepts it (doubling waits from
# 1 s). A candidate found waiting in the queue gets one exchange: it was sent a while ago, and a
# flood of forged ones must not cost minutes each.
PATIENCE_AFTER_ROTATION = 15


class RotationFailed(SpapiError):
    """The run stops; the message says what happened and what to do. changed: whether anything changed."""

    def __init__(self, message, changed=False):
        super(RotationFailed, self).__init__(message)
        self.changed = changed


class Judge:
    """Tries candidates with LWA; remembers what it refused (reported) and what it had no time for."""

    def __init__(self, task, http, clock, remaining, refused=None):
        self.task, self.http, self.clock, self.remaining = task, http, clock, remaining
        # who() of each candidate LWA refused (message id, client id, sender); judges of two queues share it
        self.refused = [] if refused is None else refused
        self.unjudged = 0  # candidates not tried before wait_timeout ran out

    def first_accepted(self, queue, candidates, current, patience=0, rotated=False):
        """(notification, grant) of the first candidate LWA accepts, None when none; candidates newest first.

        Each refused one is reported and set aside; the untried ones, when time runs out, are set aside too."""
        for index, candidate in enumerate(candidates):
            if self.remaining() <= 0:
                rest = candidates[index:]
                queue.set_aside(rest)
                self.unjudged += len(rest)
                return None
            grant = self._accepts(candidate, current, patience, rotated)
            if grant is not None:
                return candidate, grant
            self.refused.append(candidate.who())
            self.task.warn(plan.refused_warning(candidate, queue.name, getattr(queue, "dead_letter", False)))
            queue.set_aside([candidate])
        return None

    def _accepts(self, candidate, current, patience, rotated):
        """The grant of a token exchange with the candidate secret; None when LWA refuses the secret."""
        delay, waited = 1.0, 0.0
        while True:
            try:
                return prove(self.http, lwa_endpoint(self.task.params), current["lwa_client_id"], candidate.secret,
                             current.get("lwa_refresh_token"))
            except LwaError as exc:
                if exc.code != "invalid_client":
                    raise RotationFailed(plan.proof_failed(exc, rotated), changed=rotated)
                if waited + delay > patience or delay > self.remaining():
                    return None
                self.clock.sleep(delay)
                waited += delay
                delay *= 2
