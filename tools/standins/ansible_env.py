"""The environment of an ansible-playbook run against the local stand-ins (tests and benchmark)."""

import os
import sys
from pathlib import Path

from tools.standins.paths import COLLECTIONS_ROOT

BIN = Path(sys.executable).parent
# Keys the test account uses when authorization enforcement is off.
DEFAULT_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def ansible_env(moto_url, workdir, credentials=None, extra=None, callbacks=None):
    """This process's environment without AWS_/ANSIBLE_ settings, pointed at moto_url and this checkout.

    callbacks: a directory of callback plugins (ANSIBLE_CALLBACK_PLUGINS); extra: variables laid
    over the rest, a None value removing one.
    """
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_")))
    env.update(credentials or DEFAULT_CREDENTIALS)
    env.update({
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_ROOT),
        "ANSIBLE_HOME": str(Path(workdir) / ".ansible"),
        "ANSIBLE_LOCAL_TEMP": str(Path(workdir) / ".ansible" / "tmp"),
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "PATH": "%s%s%s" % (BIN, os.pathsep, env.get("PATH", "")),
    })
    if callbacks:
        env["ANSIBLE_CALLBACK_PLUGINS"] = str(callbacks)
    env.update(extra or {})
    # A None value removes the variable (e.g. a test where only the play says where AWS is).
    return dict((k, v) for k, v in env.items() if v is not None)
