# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The options of every module whose vault_file may be an S3 object.
    DOCUMENTATION = r"""
options:
  vault_kms_key_id:
    description:
      - When O(vault_file) is V(s3://BUCKET/KEY), the KMS key (id, alias or ARN) that encrypts the object at rest
        (SSE-KMS). When not set, the object is encrypted with S3-managed keys (SSE-S3, V(AES256)), explicitly.
      - Ignored for a local vault file.
    type: str
  vault_lock_timeout:
    description:
      - When O(vault_file) is V(s3://BUCKET/KEY), how many seconds a run that will write waits for the lock object
        C(KEY.lock) that another run holds, before it refuses, naming the holder and changing nothing.
      - An expired lock (its lease ran out, so the run that took it died) is taken over with a warning.
    type: int
    default: 30
notes:
  - O(vault_file) may be V(s3://BUCKET/KEY); the object holds the same Ansible Vault text a local file would. The bucket
    must have versioning enabled and must not grant access to anyone outside the account (both refused before any
    write). Writes are conditional (C(If-None-Match) to create, C(If-Match) with the ETag this run read), so a run never
    overwrites what another controller wrote; a run that writes holds the lock object C(KEY.lock) (JSON naming its
    C(owner) and when it C(expires)). The S3 calls use the task's own AWS options. See C(docs/awx.md).
  - Under ansible-runner (AWX, Automation Controller), a local O(vault_file) inside the job's private data dir is
    refused before any AWS write, since the job's directory is deleted when the job ends.
"""
