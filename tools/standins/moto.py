"""A real moto server on 127.0.0.1, started and stopped by the tests, the benchmark and the demo
(scripts/moto_server.py), with its reset, authorization and recording controls."""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

# moto's IAM authorization stays off until armed: a count no test reaches.
AUTH_OFF = "1000000000"
WRITE_PREFIXES = (
    "Create", "Delete", "Put", "Update", "Attach", "Detach", "Tag", "Untag",
    "Add", "Remove", "Set", "Upload", "Enable", "Deactivate", "Change", "Post",
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _action_of(record):
    # JSON-protocol services (SQS, Secrets Manager) name the action in X-Amz-Target ("AmazonSQS.CreateQueue").
    target = dict((k.lower(), v) for k, v in (record.get("headers") or {}).items()).get("x-amz-target")
    if target:
        return target.rsplit(".", 1)[-1]
    body = record.get("body") or ""
    if record.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    fields = urllib.parse.parse_qs(body)
    fields.update(urllib.parse.parse_qs(urllib.parse.urlsplit(record.get("url", "")).query))
    values = fields.get("Action")
    if values:
        return values[0]
    return _s3_action(record)


# S3 is a REST protocol: name its calls by method and by the sub-resource in the query (?versioning, ?acl).
_S3_METHODS = {"GET": "Get", "HEAD": "Head", "PUT": "Put", "DELETE": "Delete", "POST": "Post"}


def _s3_action(record):
    method = _S3_METHODS.get((record.get("method") or "").upper())
    if not method:
        return None
    url = urllib.parse.urlsplit(record.get("url", ""))
    parts = [p for p in url.path.split("/") if p]
    subresource = url.query.split("=", 1)[0].split("&", 1)[0]
    if len(parts) >= 2:
        return "%sObject%s" % (method, subresource.capitalize())
    return "%sBucket%s" % (method, subresource.capitalize())


class MotoServer:
    """moto_server on 127.0.0.1 on a free port: the tests', the benchmark's and the demo's AWS stand-in.

    workdir: where moto keeps its recording file and runs; a temporary directory, removed on stop(),
    unless given. log: a file for moto's output (else discarded). detached: in its own session, so
    that it outlives the process that started it (the demo stops it by process id).
    """

    def __init__(self, port=None, workdir=None, log=None, detached=False):
        self.port = port or free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.process = None
        self.log = log
        self.detached = detached
        # Each server keeps its own recording file: parallel test workers must not share one.
        self.owns_workdir = workdir is None
        self.workdir = str(workdir) if workdir else tempfile.mkdtemp(prefix="moto-")

    def start(self, timeout=30):
        binary = os.path.join(os.path.dirname(sys.executable), "moto_server")
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT=AUTH_OFF,
                   MOTO_RECORDER_FILEPATH=os.path.join(self.workdir, "recording"))
        output = open(self.log, "wb") if self.log else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                [binary, "-H", "127.0.0.1", "-p", str(self.port)], stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.STDOUT, env=env, cwd=self.workdir, start_new_session=self.detached,
            )
        finally:
            if self.log:
                output.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=1).read()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("moto_server exited with %s%s" % (
                        self.process.returncode, "; see %s" % self.log if self.log else ""))
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto_server did not answer on %s" % self.url)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _post(self, path, data=b"", content_type="application/json"):
        request = urllib.request.Request(self.url + path, data=data, method="POST",
                                         headers={"Content-Type": content_type})
        return urllib.request.urlopen(request, timeout=10).read()

    def reset(self):
        """Empty every account and switch authorization enforcement off."""
        self.set_auth(AUTH_OFF)
        self._post("/moto-api/reset")

    def set_auth(self, free_requests):
        """Enforce IAM authorization after `free_requests` more unauthenticated requests."""
        self._post("/moto-api/reset-auth", str(free_requests).encode(), "text/plain")

    def start_recording(self):
        self._post("/moto-api/recorder/reset-recording")
        self._post("/moto-api/recorder/start-recording")

    def stop_recording(self):
        """Stop recording; return the AWS actions called, in order."""
        self._post("/moto-api/recorder/stop-recording")
        raw = urllib.request.urlopen(self.url + "/moto-api/recorder/download-recording", timeout=10).read()
        actions = []
        for line in raw.decode("utf-8").splitlines():
            if line.strip():
                action = _action_of(json.loads(line))
                if action:
                    actions.append(action)
        return actions


def writes(actions):
    return [a for a in actions if a.startswith(WRITE_PREFIXES)]
