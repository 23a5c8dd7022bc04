# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rotation's I/O: the steps of DESIGN.md "Rotation, in this order", each asking rotate_plan what to do.

(1) adopt a new secret waiting in the queue, or in its dead-letter queue (dead_letter.py); (2) learn the
expiry from expiry notifications; (3) unless forced, stop when not expiring; (4) rotate, receive, prove, vault, delete.
Nothing from a queue is trusted: each queue is read whole before the run decides, a new secret is
vaulted only after LWA accepted it (_rotation/accept.py), and what no run can use is set aside. A
notification is deleted only after the vault holds its secret; on any failure the messages this run
holds are made visible again at once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time

from ansible_collections.spapi.onboarding.plugins.module_utils._rotation import dead_letter, plan
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.common import (
    SCOPE_ROTATION,
    LwaError,
    days_left,
    exchange,
    iso,
    lwa_endpoint,
    parse_time,
    spapi_endpoint,
    spapi_request,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.accept import (
    PATIENCE_AFTER_ROTATION,
    Judge,
    RotationFailed,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._rotation.sqs import LONG_POLL, Queue
from ansible_collections.spapi.onboarding.plugins.module_utils._lwa.store import (
    NoCredentials,
    effective_expiry,
    store_diff,
    vaulted_credentials,
)
from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError


class Clock:
    """Time as the run sees it; tests give their own."""

    def now(self):
        return datetime.datetime.now(datetime.timezone.utc)

    monotonic = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)


def _time(text):
    try:
        return parse_time(text, "updated") if text else None
    except (ValidationError, OverflowError):
        return None


class Rotation:
    def __init__(self, task, store, http, clock=None):
        self.task, self.store, self.http = task, store, http
        self.params = task.params
        self.clock = clock or Clock()
        self.deadline = self.clock.monotonic() + self.params["wait_timeout"]
        self.check = task.check_mode
        self.current = None
        self.queues = []  # whatever they still hold hidden is made visible again when the run fails
        self.dead_letters = None
        self.judge = Judge(task, http, self.clock, self.remaining)
        self.result = dict(changed=False, rotated=False, adopted=False, action="none", vault_file=store.path,
                           refused=self.judge.refused, set_aside=0)

    def remaining(self):
        return max(0.0, self.deadline - self.clock.monotonic())

    # --- the vault file ---------------------------------------------------------------------------
    def _report(self, data):
        # Days left by the earlier of the vaulted expiry and the latest it can be (lwa_check's rule);
        # unknown stays unknown.
        expires, told, dummy = effective_expiry(data.get("lwa_client_secret_expires"), data.get("updated"))
        self.result.update(client_id=data["lwa_client_id"], client_secret_expires=data.get("lwa_client_secret_expires"),
                           days_left=days_left(expires, self.clock.now()) if told else None,
                           previous_client_secret_expires=data.get("lwa_previous_client_secret_expires"))

    def _write(self, desired):
        self.result["changed"] = True
        if self.task.diff_mode:
            self.result["diff"] = store_diff(self.current, desired, self.store.path)
        if not self.check:
            self.before_write()
            try:
                self.store.write(desired)
            except Exception as exc:  # the store's errors never quote the content
                raise RotationFailed(plan.vault_unwritable(exc)) from None
        self.current = desired
        self._report(desired)

    def before_write(self):
        """Before the run's first write (the vault, a message deleted, the rotation asked for): a store shared
        by several controllers is locked from here on, and a run that changes nothing never locks it."""
        hold = getattr(self.store, "hold", None)
        if hold is not None:
            hold()

    # --- steps ------------------------------------------------------------------------------------
    def run(self, current, new_queue, expiry_queue=None, dead_letters=None):
        """dead_letters: called when step 1 looks in the queue's dead-letter queue: a DeadLetterQueue, or None."""
        self.current = current
        self.dead_letters = dead_letters
        self._report(current)
        self.queues = [q for q in (new_queue, expiry_queue) if q is not None]
        # Counted before this run hides anything: a new secret a stopped run may still hold.
        hidden = 0 if self.check else new_queue.hidden_count()
        try:
            if self._adopt_pending(new_queue):
                return self.result
            if expiry_queue is not None:
                self._learn_expiry(expiry_queue)
            expires, bounded = plan.judged_expiry(self.current)
            rotate, why = plan.decide(expires, self.clock.now(), self.params["force"],
                                      self.params["days_before_expiry"], bounded)
            self.result["reason"] = why
            if rotate:
                # Whatever was not read or not judged may hold a pending secret: one more rotation would replace it.
                unread = not new_queue.complete or self.judge.unjudged
                why_unread = new_queue.unread_reason or "wait_timeout ran out before LWA judged every new secret in it"
                if unread and self.check:
                    self.result["reason"] += " (check mode: %s; the run reads them all first)" % why_unread
                elif unread:
                    raise RotationFailed(plan.unread_messages(new_queue.name, self.result["read"], why_unread))
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
        finally:
            self.result["set_aside"] = sum(queue.set_aside_count for queue in self.queues)

    def _adopt_pending(self, queue):
        """Step 1. True when the run is done: a pending secret adopted, or a spent one shows the rotation happened."""
        found = queue.read_all(self.check, self.remaining)
        self.result["read"] = len(found)
        candidates, spent, others = plan.sort_new_secrets(found, self.current["lwa_client_id"], self.current)
        queue.set_aside(others)
        accepted = self.judge.first_accepted(queue, candidates, self.current)
        if accepted is not None:
            notification, grant = accepted
            self._adopted("in the queue (a rotation whose run stopped before vaulting it)")
            self._vault_delete(queue, notification, grant, spent + plan.superseded(candidates, notification))
            return True
        queue.delete(spent)
        if self._adopt_dead_letter():
            return True
        if any(n.secret == self.current.get("lwa_client_secret") for n in spent) and self.params["force"]:
            # The vaulted secret came from a rotation whose run stopped before deleting its notification:
            # that rotation is the one asked for, so a re-run after a kill rotates no second time.
            self.result["reason"] = ("the vaulted secret came from a rotation whose notification was still in the "
                                     "queue (deleted now): no second rotation")
            return True
        return False

    def _adopted(self, where):
        self.result.update(action="adopt" if self.check else "adopted", adopted=not self.check,
                           reason="a new secret was waiting %s and LWA accepted it; adopted without rotating "
                                  "again" % where)

    def _adopt_dead_letter(self):
        """Step 1, continued: a new secret that more receives than the queue's maxReceiveCount (check-mode peeks,
        runs that stopped) moved to its dead-letter queue. No call when the queue has no redrive policy."""
        dead = self.dead_letters() if self.dead_letters else None
        if dead is None:
            return False
        self.queues.append(dead)  # what it holds is made visible again, whatever happens
        judge = Judge(self.task, self.http, self.clock, self.remaining, self.judge.refused)
        accepted = dead_letter.first_accepted(dead, judge, self.current, self.check, self.remaining, self.task.warn)
        if accepted is None:
            return False
        self._adopted("in the dead-letter queue %s, moved there after more receives than the queue's maxReceiveCount "
                      "(check-mode runs, or runs that stopped before LWA judged it)," % dead.name)
        self._vault_delete(dead, accepted[0], accepted[1], [])
        dead.release_all()  # older candidates it did not try: left there as they were
        return True

    def _learn_expiry(self, queue):
        """Step 2: the expiry expiry notifications give, recorded in the vault file when it is earlier."""
        found = queue.read_all(self.check, self.remaining)
        vaulted_at = _time(self.current.get("updated"))
        expires, read, others = plan.sort_expiry(found, self.current["lwa_client_id"], vaulted_at)
        queue.set_aside(others)
        if expires is not None:
            desired = plan.vault_with_expiry(self.current, expires, self.clock.now())
            if desired is not None:
                self.result["expiry_learned"] = iso(expires)
                self._write(desired)
        queue.delete(read)

    def _rotate(self, queue):
        """Step 4: rotate, receive, prove, vault, delete."""
        if self.check:
            self.result.update(action="rotate", changed=True)
            return
        self.before_write()
        uncertain = self._request_rotation(queue)
        self.result.update(action="rotate", rotation_requested=uncertain is None, changed=True)
        refused_before = len(self.judge.refused)
        arrived = self._receive_new_secret(queue)
        if arrived is None:
            old_expires = iso(self.clock.now() + datetime.timedelta(days=plan.OLD_SECRET_GRACE_DAYS))
            raise RotationFailed(plan.no_notification(queue.name, old_expires, uncertain,
                                                      len(self.judge.refused) - refused_before),
                                 changed=uncertain is None)
        self.result.update(action="rotated", rotated=True)
        self._vault_delete(queue, *arrived)

    def _receive_new_secret(self, queue):
        """Long-poll until LWA accepts a new secret for this client id: (notification, grant, spent ones), or
        None when wait_timeout runs out. What is not a candidate is set aside, so the polls page past it."""
        spent = []
        while True:
            batch = queue.receive(False, wait=min(LONG_POLL, int(self.remaining())))
            candidates, duplicates, others = plan.sort_new_secrets(batch, self.current["lwa_client_id"], self.current)
            queue.set_aside(others)
            spent.extend(duplicates)
            accepted = self.judge.first_accepted(queue, candidates, self.current, PATIENCE_AFTER_ROTATION, rotated=True)
            if accepted is not None:
                return accepted[0], accepted[1], spent + plan.superseded(candidates, accepted[0])
            if self.remaining() < 1:
                return None

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

    def _vault_delete(self, queue, notification, grant, spent):
        """The proven secret into the vault file, then its message and the spent ones deleted."""
        self._write(plan.vault_with_secret(self.current, notification, self.clock.now()))
        self.result["proven"] = [grant]
        if not self.check:
            queue.delete([notification] + list(spent))


def rotate_secret(task, store, http, clock=None):
    """lwa_rotate's whole run: the result dict (failed with a message that says what to do, when it stops).

    store: path, read() -> the vault file's content (None when missing), write(the collection's keys)."""
    params = task.params
    rotation = Rotation(task, store, http, clock)
    try:
        current = vaulted_credentials(store.read(), store.path)
    except NoCredentials as exc:
        return dict(rotation.result, failed=True, msg=str(exc))
    sqs = task.aws.client("sqs")
    new_queue = Queue.open(sqs, params.get("queue_url"), params.get("queue_name"), "queue_name", rotation.clock.now)
    expiry_queue = None
    if params.get("expiry_queue_url") or params.get("expiry_queue_name"):
        expiry_queue = Queue.open(sqs, params.get("expiry_queue_url"), params.get("expiry_queue_name"),
                                  "expiry_queue_name", rotation.clock.now)
    for queue in (new_queue, expiry_queue):
        if queue is not None:
            queue.before_write = rotation.before_write
    try:
        return rotation.run(current, new_queue, expiry_queue, lambda: dead_letter.open_dead_letter(new_queue))
    except RotationFailed as exc:
        return dict(rotation.result, failed=True, msg=str(exc), changed=rotation.result["changed"] or exc.changed)
    except LwaError as exc:
        return dict(rotation.result, failed=True, msg="%s. Nothing was rotated" % exc)
