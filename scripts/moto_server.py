"""Start or stop a local moto server (the AWS stand-in of the demo and the molecule scenario).

    moto_server.py start STATE_DIR   starts moto_server on 127.0.0.1 on a free port, waits until
                                     it answers, writes STATE_DIR/moto.url and STATE_DIR/moto.pid,
                                     prints the URL
    moto_server.py stop STATE_DIR    stops the server recorded in STATE_DIR (if it still runs)

Run it with the Python of the project's virtualenv (moto and its server: tests/requirements.txt). The
server is the one the tests and the benchmark start (tools/standins/moto.py), left running in its own
session.
"""

import os
import signal
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tools.standins.moto import MotoServer  # noqa: E402


def is_moto(pid):
    try:
        return b"moto_server" in Path("/proc/%d/cmdline" % pid).read_bytes()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc: trust the pid file


def start(state):
    state.mkdir(parents=True, exist_ok=True)
    stop(state)
    try:
        server = MotoServer(workdir=state, log=state / "moto.log", detached=True).start()
    except RuntimeError as exc:
        sys.exit("moto_server did not start (%s); see %s" % (exc, state / "moto.log"))
    (state / "moto.pid").write_text("%d\n" % server.process.pid)
    (state / "moto.url").write_text(server.url + "\n")
    print(server.url)


def stop(state):
    pid_file = state / "moto.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().strip() or 0)
    if pid and is_moto(pid):
        os.kill(pid, signal.SIGTERM)
        for dummy in range(100):
            if not is_moto(pid):
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
    pid_file.unlink()
    (state / "moto.url").unlink(missing_ok=True)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        sys.exit(__doc__)
    state = Path(argv[2]).resolve()
    start(state) if argv[1] == "start" else stop(state)


if __name__ == "__main__":
    main(sys.argv)
