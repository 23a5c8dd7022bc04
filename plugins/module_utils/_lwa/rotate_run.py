# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rotation's I/O: the steps of DESIGN.md "Rotation, in this order", each asking _lwa_rotate what to do.

(1) adopt a new secret waiting in the queue; (2) learn the expiry from expiry notifications;
(3) unless forced, stop when not expiring; (4) rotate, receive, vault, prove, then delete.
A notification is deleted only after the vault holds its secret and a token exchange with it
succeeded; on any failure the messages this run holds are made visible again at once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time

from ansible_collections.spapi.onboarding.plugins.module_utils._common.errors import SpapiError
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa import rotate_plan as plan
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import (
    SCOPE_ROTATION,
    LwaError,
    days_left,
    exchange,
    iso,
    lwa_endpoint,
    parse_time,
    prove,
    spapi_endpoint,
    spapi_request,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.rotate_sqs import Queue
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import store_diff, vaulted_credentials


class Clock:
    """Time as the run sees it; tests give their own."""

    def now(self):
        return datetime.datetime.now(datetime.timezone.utc)

    monotonic = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)


class RotationFailed(SpapiError):
    """The run stops; the message says what happened and what to do. changed: whether anything changed."""

    def __init__(self, message, changed=False):
        super(RotationFailed, self).__init__(message)
        self.changed = changed


def _expiry(text):
    return parse_time(text, "lwa_client_secret_expires") if text else None


class Rotation:
    def __init__(self, task, store, http, clock=None):
        self.task, self.store, self.http = task, store, http
        self.params = task.params
        self.clock = clock or Clock()
        self.deadline = self.clock.monotonic() + self.params["wait_timeout"]
        self.check = task.check_mode
        self.current = None
        self.queues = []  # whatever they still hold hidden is made visible again when the run fails
        self.result = dict(changed=False, rotated=False, adopted=False, action="none", vault_file=store.path)

    def remaining(self):
        return max(0.0, self.deadline - self.clock.monotonic())

    # --- the vault file ---------------------------------------------------------------------------
    def _report(self, data):
        expires = _expiry(data.get("lwa_client_secret_expires"))
        self.result.update(client_id=data["lwa_client_id"], client_secret_expires=data.get("lwa_client_secret_expires"),
                           days_left=days_left(expires, self.clock.now()),
                           previous_client_secret_expires=data.get("lwa_previous_client_secret_expires"))

    def _write(self, desired):
        self.result["changed"] = True
        if self.task.diff_mode:
            self.result["diff"] = store_diff(self.current, desired, self.store.path)
        if not self.check:
            try:
                self.store.write(desired)
            except Exception as exc:  # the store's errors never quote the content
                raise RotationFailed(plan.vault_unwritable(exc))
        self.current = desired
        self._report(desired)

    # --- steps ------------------------------------------------------------------------------------
    def run(self, current, new_queue, expiry_queue=None):
        self.current = current
        self._report(current)
        self.queues = [q for q in (new_queue, expiry_queue) if q is not None]
        # Counted before this run hides anything: a new secret a stopped run may still hold.
        hidden = 0 if self.check else new_queue.hidden_count()
        try:
            if self._adopt_pending(new_queue):
                return self.result
            if expiry_queue is not None:
                self._learn_expiry(expiry_queue)
            expires = _expiry(self.current.get("lwa_client_secret_expires"))
            rotate, why = plan.decide(expires, self.clock.now(), self.params["force"],
                                      self.params["days_before_expiry"])
            self.result["reason"] = why
            if rotate:
                if hidden:
                    raise RotationFailed(plan.messages_in_flight(hidden, new_queue.name))
                self._rotate(new_queue)
            return self.result
        except Exception:
            for queue in self.queues:
                try:
                    queue.release_all()
                except Exception:  # pylint: disable=broad-exception-caught
                    pass  # they come back by themselves after the visibility timeout
            raise

    def _adopt_pending(self, queue):
        """Step 1. True when the run is done: a pending secret adopted, or a spent one shows the rotation happened."""
        found = queue.read_all(self.check)
        adopt, spent, foreign = plan.sort_new_secrets(found, self.current["lwa_client_id"],
                                                      self.current.get("lwa_client_secret"),
                                                      self.current.get("lwa_previous_client_secret"))
        queue.release(foreign)
        if adopt is not None:
            self.result.update(action="adopt" if self.check else "adopted", adopted=not self.check,
                               reason="a new secret was waiting in the queue (a rotation whose run stopped before "
                                      "vaulting it); adopted without rotating again")
            self._vault_prove_delete(queue, adopt, spent)
            return True
        queue.delete(spent)
        if any(n.secret == self.current.get("lwa_client_secret") for n in spent) and self.params["force"]:
            # The vaulted secret came from a rotation whose run stopped before deleting its notification:
            # that rotation is the one asked for, so a re-run after a kill rotates no second time.
            self.result["reason"] = ("the vaulted secret came from a rotation whose notification was still in the "
                                     "queue (deleted now): no second rotation")
            return True
        return False

    def _learn_expiry(self, queue):
        """Step 2: the expiry an expiry notification gives, recorded in the vault file."""
        found = queue.read_all(self.check)
        vaulted_at = _expiry(self.current.get("updated"))
        expires, read, foreign = plan.sort_expiry(found, self.current["lwa_client_id"], vaulted_at)
        queue.release(foreign)
        if expires is not None:
            self.result["expiry_learned"] = iso(expires)
            desired = plan.vault_with_expiry(self.current, expires, self.clock.now())
            if desired is not None:
                self._write(desired)
        queue.delete(read)

    def _rotate(self, queue):
        """Step 4: rotate, receive, vault, prove, delete."""
        if self.check:
            self.result.update(action="rotate", changed=True)
            return
        uncertain = self._request_rotation(queue)
        self.result.update(action="rotate", rotation_requested=uncertain is None, changed=True)
        held = set(s for s in (self.current.get("lwa_client_secret"), self.current.get("lwa_previous_client_secret")) if s)
        arrived = queue.wait_for(self.current["lwa_client_id"], held, self.remaining, self.clock)
        if arrived is None:
            old_expires = iso(self.clock.now() + datetime.timedelta(days=plan.OLD_SECRET_GRACE_DAYS))
            raise RotationFailed(plan.no_notification(queue.name, old_expires, uncertain), changed=uncertain is None)
        notification, spent = arrived
        self.result.update(action="rotated", rotated=True)
        self._vault_prove_delete(queue, notification, spent)

    def _request_rotation(self, queue):
        """POST clientSecret with a grantless token; 429 waited out within wait_timeout. None when requested,
        else what made the outcome uncertain (5xx or no reply: the rotation may have been made)."""
        client_id, secret = self.current["lwa_client_id"], self.current["lwa_client_secret"]
        token = exchange(self.http, lwa_endpoint(self.params), client_id, secret, scope=SCOPE_ROTATION)
        base = spapi_endpoint(self.params)
        while True:
            try:
                spapi_request(self.http, base, "POST", plan.ROTATE_PATH, token,
                              "the rotation of the LWA client secret (rotateApplicationClientSecret)", ok=(204,),
                              retry=False)
                return None
            except LwaError as exc:
                if exc.status == 400:
                    raise RotationFailed(plan.not_enrolled(queue.arn()))
                if exc.status == 429:
                    wait = exc.retry_after if exc.retry_after is not None else plan.RATE_INTERVAL
                    if wait > self.remaining():
                        raise RotationFailed(plan.rate_limited(wait, self.remaining()))
                    self.clock.sleep(wait)
                    continue
                if exc.status is None or exc.status >= 500:
                    return str(exc)
                raise RotationFailed("%s. Nothing was rotated and the vault file is untouched" % exc)

    def _vault_prove_delete(self, queue, notification, spent):
        desired = plan.vault_with_secret(self.current, notification, self.clock.now())
        self._write(desired)
        if self.check:
            return
        self._prove(desired)
        queue.delete([notification] + list(spent))

    def _prove(self, desired):
        """A token exchange with the new secret; LWA may take a moment to accept it (bounded by wait_timeout)."""
        delay = 1.0
        while True:
            try:
                self.result["proven"] = [prove(self.http, lwa_endpoint(self.params), desired["lwa_client_id"],
                                               desired["lwa_client_secret"], desired.get("lwa_refresh_token"))]
                return
            except LwaError as exc:
                if exc.code != "invalid_client" or delay > self.remaining():
                    raise RotationFailed(
                        "%s. The new secret is in the vault file (the old one kept as lwa_previous_client_secret, "
                        "working until %s) and its notification was left in the queue; run spapi.onboarding.lwa_check "
                        "later to prove it" % (exc, desired.get("lwa_previous_client_secret_expires")), changed=True)
                self.clock.sleep(delay)
                delay *= 2


def rotate_secret(task, store, http, clock=None):
    """lwa_rotate's whole run: the result dict (failed with a message that says what to do, when it stops).

    store: path, read() -> the vault file's content (None when missing), write(the collection's keys)."""
    params = task.params
    rotation = Rotation(task, store, http, clock)
    current, problem = vaulted_credentials(store.read(), store.path)
    if problem:
        return dict(rotation.result, failed=True, msg=problem)
    sqs = task.aws.client("sqs")
    new_queue = Queue.open(sqs, params.get("queue_url"), params.get("queue_name"), "queue_name")
    expiry_queue = None
    if params.get("expiry_queue_url") or params.get("expiry_queue_name"):
        expiry_queue = Queue.open(sqs, params.get("expiry_queue_url"), params.get("expiry_queue_name"),
                                  "expiry_queue_name")
    try:
        return rotation.run(current, new_queue, expiry_queue)
    except RotationFailed as exc:
        return dict(rotation.result, failed=True, msg=str(exc), changed=rotation.result["changed"] or exc.changed)
    except LwaError as exc:
        return dict(rotation.result, failed=True, msg="%s. Nothing was rotated" % exc)
