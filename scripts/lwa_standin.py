"""Start or stop the local LWA / SP-API stand-in (tools/standins/lwa.py) for the demo and molecule.

    lwa_standin.py start STATE_DIR SQS_ENDPOINT   starts it on a free port of 127.0.0.1, sending
                                                   notifications to the SQS of SQS_ENDPOINT (moto);
                                                   writes STATE_DIR/lwa.url and lwa.pid, prints the URL
    lwa_standin.py register STATE_DIR JSON        registers a demo application (the admin call
                                                   POST /_standin/applications)
    lwa_standin.py stop STATE_DIR                  stops the stand-in recorded in STATE_DIR

Run it with the Python of the project's virtualenv.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def running(pid):
    try:
        return b"tools.standins.lwa" in Path("/proc/%d/cmdline" % pid).read_bytes()
    except OSError:
        return False


def start(state, sqs_endpoint):
    state.mkdir(parents=True, exist_ok=True)
    stop(state)
    log_path = state / "lwa.log"
    with open(log_path, "wb") as log:
        # Its own session and a log file, not a pipe: it outlives this script.
        process = subprocess.Popen([sys.executable, "-u", "-m", "tools.standins.lwa", "--port", "0",
                                    "--sqs-endpoint", sqs_endpoint], cwd=str(REPO), stdout=log, stderr=log,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    url = None
    for dummy in range(100):
        first = log_path.read_text(errors="replace").splitlines()[:1]
        if first and first[0].startswith("lwa stand-in listening on "):
            url = first[0].rsplit(" ", 1)[-1]
            break
        if process.poll() is not None:
            break
        time.sleep(0.1)
    if url is None:
        process.kill()
        sys.exit("the LWA stand-in did not start; see %s" % log_path)
    (state / "lwa.pid").write_text("%d\n" % process.pid)
    (state / "lwa.url").write_text(url + "\n")
    print(url)


def register(state, application):
    url = (state / "lwa.url").read_text().strip() + "/_standin/applications"
    request = urllib.request.Request(url, data=application.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        json.loads(reply.read() or b"{}")


def stop(state):
    pid_file = state / "lwa.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().strip() or 0)
    if pid and running(pid):
        os.kill(pid, signal.SIGTERM)
        for dummy in range(50):
            if not running(pid):
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
    pid_file.unlink()
    (state / "lwa.url").unlink(missing_ok=True)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("start", "register", "stop"):
        sys.exit(__doc__)
    state = Path(argv[2]).resolve()
    if argv[1] == "start" and len(argv) == 4:
        start(state, argv[3])
    elif argv[1] == "register" and len(argv) == 4:
        register(state, argv[3])
    elif argv[1] == "stop":
        stop(state)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
