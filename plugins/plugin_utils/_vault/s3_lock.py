# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One writer at a time for an S3 vault, across controllers: the object `KEY.lock`.

Created with `If-None-Match: *`, so only one run can create it; its JSON names the `owner`
(user@host and a run id that stays the same for the whole ansible-playbook run) and when the
lease `expires`. A run that holds it already (the iam role takes it before its first write) goes
on; a live lock of another run refuses after a short wait, naming its owner; an expired one is
taken over, atomically (`If-Match` on the expired lock's ETag), with a warning.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import getpass
import json
import os
import socket
import time

from ansible_collections.spapi.onboarding.plugins.module_utils._aws.connection import AwsFailure, call
from ansible_collections.spapi.onboarding.plugins.module_utils._common.dates import as_utc, utc_now
from ansible_collections.spapi.onboarding.plugins.plugin_utils._vault.codec import VaultFileError

LEASE_SECONDS = 1800  # longer than a run's longest wait (rotation: wait_timeout, 300 s by default)
DEFAULT_WAIT = 30  # seconds a run waits for another run's live lock before it refuses
POLL = 2
LOST_RACE = ("PreconditionFailed", "ConditionalRequestConflict")


def run_id(environ=None):
    """Stays the same for every task of one ansible-playbook run, differs between runs:
    the AWX job id, else the ansible-runner job's ident, else the ansible-playbook process id
    (each task runs in a worker process that ansible-playbook forked)."""
    environ = environ if environ is not None else os.environ
    if environ.get("JOB_ID"):
        return "awx-job-%s" % environ["JOB_ID"]
    if environ.get("AWX_ISOLATED_DATA_DIR"):
        return "runner-%s" % os.path.basename(os.path.normpath(environ["AWX_ISOLATED_DATA_DIR"]))
    return "pid-%d" % os.getppid()


def run_owner(environ=None):
    try:
        user = getpass.getuser()
    except Exception:  # pylint: disable=broad-exception-caught
        user = "uid%d" % os.geteuid()
    return "%s@%s run %s" % (user, socket.gethostname(), run_id(environ))


def _now():
    return utc_now()


def stamp(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(body):
    """(owner, expires) of a lock object; an unreadable one counts as held by 'unknown' until it expires."""
    try:
        data = json.loads(body.decode("utf-8"))
        expires = as_utc(datetime.datetime.fromisoformat(str(data["expires"]).replace("Z", "+00:00")))
        return str(data["owner"]), expires
    except Exception:  # pylint: disable=broad-exception-caught
        return None, None


class S3Lock:
    """Context manager: holds KEY.lock for the block, releases it (only if this block took it)."""

    def __init__(self, store, timeout=None, warn=None, check_mode=False, owner=None, clock=time.monotonic,
                 sleep=time.sleep):
        self.store = store
        self.key = store.key + ".lock"
        self.location = "s3://%s/%s" % (store.bucket, self.key)
        self.timeout = DEFAULT_WAIT if timeout is None else timeout
        self.warn = warn or (lambda message: None)
        self.check_mode = check_mode
        self.owner = owner or run_owner()
        self.clock, self.sleep = clock, sleep
        self.taken = False

    def __enter__(self):
        if not self.check_mode:
            self.acquire()
        return self

    def __exit__(self, *exc_info):
        self.release()
        return False

    def _body(self):
        expires = _now() + datetime.timedelta(seconds=LEASE_SECONDS)
        return json.dumps({"owner": self.owner, "expires": stamp(expires), "vault": self.store.location,
                           "created": stamp(_now())}, sort_keys=True).encode("utf-8")

    def _put(self, **condition):
        kwargs = dict(Bucket=self.store.bucket, Key=self.key, Body=self._body(), ContentType="application/json")
        kwargs.update(self.store.encryption())
        kwargs.update(condition)
        try:
            call("take the vault lock %s (s3:PutObject)" % self.location, self.store.s3.put_object, **kwargs)
            return True
        except AwsFailure as exc:
            if exc.code in LOST_RACE:
                return False
            raise

    def _current(self):
        """(owner, expires, etag) of the lock object, or None when there is none."""
        try:
            reply = call("read the vault lock %s (s3:GetObject)" % self.location,
                         self.store.s3.get_object, Bucket=self.store.bucket, Key=self.key)
        except AwsFailure as exc:
            if exc.code in ("NoSuchKey", "404"):
                return None
            raise
        owner, expires = _parse(reply["Body"].read())
        if expires is None:  # unreadable: held by someone, for a lease from when it was written
            modified = as_utc(reply.get("LastModified") or _now())
            expires = modified + datetime.timedelta(seconds=LEASE_SECONDS)
        return owner or "unknown (unreadable lock)", expires, reply.get("ETag")

    def acquire(self):
        deadline = self.clock() + self.timeout
        waiting = False
        while True:
            if self._put(IfNoneMatch="*"):
                self.taken = True
                return
            current = self._current()
            if current is None:
                continue  # released between the two calls: try again
            owner, expires, etag = current
            if owner == self.owner:
                return  # this run holds it already (taken by an earlier task of the run)
            if expires <= _now():
                if self._put(IfMatch=etag):
                    self.taken = True
                    self.warn("took over the expired vault lock %s of %s (expired %s)"
                              % (self.location, owner, stamp(expires)))
                    return
                continue
            if self.clock() >= deadline:
                raise VaultFileError(
                    "the vault %s is locked by %s until %s (lock object %s): another run is writing it, so this run "
                    "changed nothing. Run again when it has finished; if no run is active, remove the lock object "
                    "(aws s3 rm %s)" % (self.store.location, owner, stamp(expires), self.location, self.location))
            if not waiting:
                waiting = True
                self.warn("waiting up to %d seconds for the vault lock %s, held by %s"
                          % (self.timeout, self.location, owner))
            self.sleep(POLL)

    def release(self, taken_earlier=False):
        """Remove the lock if this block took it (or, taken_earlier, an earlier task of this run did)
        and it is still this run's; True when it was removed."""
        if not (self.taken or taken_earlier):
            return False
        self.taken = False
        current = self._current()
        if current is None or current[0] != self.owner:
            return False
        call("release the vault lock %s (s3:DeleteObject)" % self.location,
             self.store.s3.delete_object, Bucket=self.store.bucket, Key=self.key)
        return True

    def describe(self):
        return dict(location=self.location, owner=self.owner, taken=self.taken)
