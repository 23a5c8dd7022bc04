# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of every module whose vault file may live in S3 (doc fragment spapi.onboarding.vault_store)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

VAULT_STORE_SPEC = dict(
    vault_kms_key_id=dict(type="str"),
    vault_lock_timeout=dict(type="int", default=30),
)


def with_vault_store(argument_spec):
    spec = dict(argument_spec)
    spec.update(VAULT_STORE_SPEC)
    return spec
