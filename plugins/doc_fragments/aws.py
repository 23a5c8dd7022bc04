# -*- coding: utf-8 -*-
# Copyright: spapi.onboarding contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The common AWS options, named as in the amazon.aws collection.
    DOCUMENTATION = r"""
options:
  access_key:
    description:
      - AWS access key ID.
      - If not set, boto3 looks in its usual places, starting with the E(AWS_ACCESS_KEY_ID) environment variable.
      - Cannot be combined with O(profile).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - AWS secret access key.
      - If not set, boto3 looks in its usual places, starting with the E(AWS_SECRET_ACCESS_KEY) environment variable.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - AWS session token, for temporary credentials.
      - If not set, boto3 reads the E(AWS_SESSION_TOKEN) environment variable.
    type: str
    aliases: [aws_session_token]
  profile:
    description:
      - A named profile of the shared AWS configuration files.
      - If not set, boto3 reads the E(AWS_PROFILE) environment variable.
      - Cannot be combined with O(access_key) and O(secret_key).
    type: str
    aliases: [aws_profile]
  region:
    description:
      - The AWS region of the STS, SQS and Secrets Manager endpoints (where a queue or secret lives). IAM itself is
        global.
      - If not set, E(AWS_REGION) or E(AWS_DEFAULT_REGION) is used, then V(us-east-1).
    type: str
    aliases: [aws_region]
  endpoint_url:
    description:
      - URL of the AWS API endpoint, for example a local stand-in such as moto server.
      - If not set, boto3's own configuration decides, including the E(AWS_ENDPOINT_URL) environment variable.
    type: str
    aliases: [aws_endpoint_url]
  validate_certs:
    description:
      - When V(false), TLS certificates of the AWS endpoint are not verified.
    type: bool
    default: true
  aws_ca_bundle:
    description:
      - Path to a CA bundle used to verify the AWS endpoint.
    type: path
  aws_config:
    description:
      - Extra botocore client configuration, passed to C(botocore.config.Config).
      - By default throttling and transient errors are retried by botocore's V(standard) retry mode,
        10 attempts in total.
      - 'To change it, set O(aws_config) to V({"retries": {"mode": "adaptive", "total_max_attempts": 15}}).'
    type: dict
requirements:
  - python >= 3.9
  - boto3 >= 1.28.0
  - botocore >= 1.31.0
notes:
  - IAM calls go to the global IAM endpoint of the partition; O(region) picks the STS, SQS and Secrets Manager
    endpoints.
  - All modules of this collection are in the action group C(spapi.onboarding.aws), so these options can be set
    once with C(module_defaults) and C(group/spapi.onboarding.aws).
"""

    # The attributes shared by the modules that ensure an IAM resource.
    RESOURCE = r"""
attributes:
  check_mode:
    support: full
    description: Makes no write call; predicts C(changed) and returns the ARNs the resources would have.
  diff_mode:
    support: full
    description: Shows the documents, tags and attachments before and after.
  platform:
    support: full
    platforms: all
    description:
      - Runs wherever boto3 can reach AWS.
      - On a local connection the module's logic runs inside Ansible's own worker process, which saves starting a
        Python process per task; on any other connection, or when the controller's Python has no boto3, it runs as
        an ordinary module on the target.
"""
