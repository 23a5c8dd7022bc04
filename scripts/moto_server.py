#!/usr/bin/env python3
"""Start or stop a local moto server (the AWS stand-in of the demo and the molecule scenario).

    moto_server.py start STATE_DIR   starts moto_server on 127.0.0.1 on a free port, waits until
                                     it answers, writes STATE_DIR/moto.url and STATE_DIR/moto.pid,
                                     prints the URL
    moto_server.py stop STATE_DIR    stops the server recorded in STATE_DIR (if it still runs)

Run it with the Python of the virtualenv that has moto[server] installed.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    binary = Path(sys.executable).parent / "moto_server"
    port = free_port()
    url = "http://127.0.0.1:%d" % port
    log = open(state / "moto.log", "wb")
    process = subprocess.Popen([str(binary), "-H", "127.0.0.1", "-p", str(port)], stdin=subprocess.DEVNULL,
                               stdout=log, stderr=subprocess.STDOUT, cwd=str(state), start_new_session=True)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                sys.exit("moto_server did not start; see %s" % (state / "moto.log"))
            time.sleep(0.1)
    (state / "moto.pid").write_text("%d\n" % process.pid)
    (state / "moto.url").write_text(url + "\n")
    print(url)


def stop(state):
    pid_file = state / "moto.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().strip() or 0)
    if pid and is_moto(pid):
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
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
