# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What makes AWS clients cheap: botocore's data parsed once per process, and clients made only when used.

A converged run spends much of an AWS task making its clients, not calling AWS: botocore parses its
endpoint data and service models (JSON) for every new session, and a client builds its methods and
event handlers. connection.py makes every client through this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import os

try:
    import boto3
    import botocore.loaders
    from botocore.exceptions import BotoCoreError
except ImportError:  # pragma: no cover - connection.py reports a missing boto3
    boto3 = None

    class BotoCoreError(Exception):
        """Stands in for botocore's class when botocore is missing."""


# botocore's data (endpoints, partitions, service models), parsed once per process and data path and shared by
# every session: the next session's client (verify's second one, each item of a loop) costs a few milliseconds
# instead of tens.
_LOADERS = {}
# The files every client needs whatever its service.
_COMMON_DATA = ("endpoints", "partitions", "sdk-default-configuration", "_retry")


def shared_loader(data_path=None):
    """The process's botocore loader for this AWS_DATA_PATH (None: botocore's own data only)."""
    loader = _LOADERS.get(data_path)
    if loader is None:
        loader = botocore.loaders.create_loader(data_path)
        # What boto3 adds to each session's own loader (its resource models), so a shared one finds the same files.
        loader.search_paths.append(os.path.join(os.path.dirname(boto3.__file__), "data"))
        _LOADERS[data_path] = loader
    return loader


def preload():
    """Parse the data every client needs, then freeze the process's objects for the garbage collector.

    connection.py calls it when it is imported. On the controller that happens in ansible-playbook's
    own process (it loads an action plugin's class before it forks the task's worker), so every task
    that talks to AWS inherits the parsed data. The freeze (gc.freeze, as the Python documentation
    advises before fork) keeps every worker's garbage collection from walking, and copying page by
    page, the whole heap it inherited: measured, a converged onboard.yml or lwa_rotate.yml spends
    0.1 to 0.3 s less CPU (docs/performance.md); parsing alone did not pay. Objects frozen are still
    freed when nothing refers to them; only cycles among them wait for the process to end. Only an
    optimisation: a failure is left to the first client, whose error names the option at fault.
    """
    try:
        loader = shared_loader(os.environ.get("AWS_DATA_PATH") or None)
        for name in _COMMON_DATA:
            loader.load_data(name)
        for kind in ("service-2", "endpoint-rule-set-1"):
            loader.list_available_services(kind)
    except (BotoCoreError, OSError, ValueError):
        pass
    if hasattr(gc, "freeze"):  # Python 3.7+; a module may run on an older Python
        gc.freeze()


class LazyClient:
    """Stands for a botocore client until its first use (any attribute: an operation, meta, a paginator).

    Code may hold a client it never calls (verify's live scope holds the operator's IAM client and calls
    only STS with the vaulted key): that costs no session and no client. Errors of making the client
    (options, credentials set-up) surface at the first use, still before any call is sent.
    """

    def __init__(self, make):
        self._make = make
        self._client = None

    def __getattr__(self, name):
        if self._client is None:
            self._client = self._make()
        return getattr(self._client, name)
