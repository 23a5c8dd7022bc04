"""The floor's Python process (bench/floor.py): import boto3 and make exactly the AWS calls of a converged run.

    python bench/floor_calls.py onboard      # the 8 calls of a converged onboard.yml
    python bench/floor_calls.py lwa_rotate   # the SQS reads and the one token exchange of a converged lwa_rotate.yml

Where AWS and LWA are, the names, and the LWA credentials come from the environment (FLOOR_* variables, set by
bench/floor.py), never from the command line. One session, one client per service, no error handling: the least
any tool doing the same work has to spend.
"""

import json
import os
import sys
import urllib.parse
import urllib.request

import boto3


def onboard(session):
    iam, sts = session.client("iam"), session.client("sts")
    user_name, role_name = os.environ["FLOOR_USER"], os.environ["FLOOR_ROLE"]
    user = iam.get_user(UserName=user_name)["User"]
    partition, account = user["Arn"].split(":")[1], user["Arn"].split(":")[4]
    policy = iam.get_policy(PolicyArn="arn:%s:iam::%s:policy/%s" % (partition, account, os.environ["FLOOR_POLICY"]))
    iam.get_policy_version(PolicyArn=policy["Policy"]["Arn"], VersionId=policy["Policy"]["DefaultVersionId"])
    role = iam.get_role(RoleName=role_name)["Role"]
    iam.list_attached_role_policies(RoleName=role_name)
    iam.get_user_policy(UserName=user_name, PolicyName=os.environ["FLOOR_STS_POLICY"])
    iam.list_access_keys(UserName=user_name)
    sts.assume_role(RoleArn=role["Arn"], RoleSessionName="floor")


def lwa_rotate(session):
    sqs = session.client("sqs")
    urls = [sqs.get_queue_url(QueueName=os.environ[name])["QueueUrl"] for name in ("FLOOR_QUEUE", "FLOOR_EXPIRY_QUEUE")]
    sqs.get_queue_attributes(QueueUrl=urls[0], AttributeNames=["QueueArn"])
    for url in urls:  # a peek (nothing is hidden), then what others hold hidden
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=0)
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    body = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": os.environ["FLOOR_REFRESH_TOKEN"],
                                   "client_id": os.environ["FLOOR_CLIENT_ID"],
                                   "client_secret": os.environ["FLOOR_CLIENT_SECRET"]}).encode()
    with urllib.request.urlopen(os.environ["FLOOR_TOKEN_URL"], data=body, timeout=30) as reply:
        json.load(reply)


if __name__ == "__main__":
    {"onboard": onboard, "lwa_rotate": lwa_rotate}[sys.argv[1]](boto3.session.Session())
