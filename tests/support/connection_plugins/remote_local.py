# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only connection: executes on this machine, but is not the `local` transport.

The collection's AWS modules run in-process on a local connection; under any other
connection they run as ordinary modules on the target. This plugin lets the tests
take that second path without an SSH server.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ansible.plugins.connection.local as core_local
from ansible.plugins.connection.local import Connection as LocalConnection

# The core plugin's documented options, so get_option() resolves them here too.
DOCUMENTATION = core_local.DOCUMENTATION.replace("name: local", "name: remote_local", 1)


class Connection(LocalConnection):
    transport = "remote_local"
