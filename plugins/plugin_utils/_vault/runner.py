# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs that are AWX jobs: ansible-runner gives each job a private data dir and deletes it after."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.spapi.onboarding.plugins.module_utils._common.validate import ValidationError


def job_data_dir(environ=None):
    """The private data dir of the ansible-runner job this run is (AWX, Automation Controller), or None.

    ansible-runner sets AWX_ISOLATED_DATA_DIR to <private data dir>/artifacts/<ident>; the whole
    private data dir (project copy included) is deleted when the job ends."""
    artifacts = (environ if environ is not None else os.environ).get("AWX_ISOLATED_DATA_DIR")
    if not artifacts:
        return None
    artifacts = os.path.abspath(artifacts)
    parent = os.path.dirname(artifacts)
    if os.path.basename(parent) == "artifacts":
        return os.path.dirname(parent)
    return parent


def refuse_throwaway(path, option, environ=None):
    """A local vault path inside a job's private data dir dies with the job: refuse it before any write."""
    data_dir = job_data_dir(environ)
    if data_dir is None:
        return
    real = os.path.realpath(path)
    for root in set((data_dir, os.path.realpath(data_dir))):
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            raise ValidationError(
                option, "%s lies inside this job's private data dir %s, which ansible-runner (AWX, Automation "
                        "Controller) deletes when the job ends: the secret would be lost with it. Keep the vault "
                        "in S3 instead: set it (with the roles, iam_vault_file or lwa_vault_file) to "
                        "s3://BUCKET/KEY, a bucket with versioning (docs/awx.md)"
                        % (path, data_dir))
