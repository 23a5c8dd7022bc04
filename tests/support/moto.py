"""The moto server of the tests (tools/standins/moto.py) and what the tests need around it."""

import boto3

from tools.standins.moto import AUTH_OFF, WRITE_PREFIXES, MotoServer, free_port, writes

__all__ = ["AUTH_OFF", "WRITE_PREFIXES", "MotoServer", "free_port", "writes", "ALLOW_ALL_POLICY",
           "admin_with_enforcement", "client_as"]

ALLOW_ALL_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


def admin_with_enforcement(iam, server):
    """An administrator (allow-all inline policy) and its key, made while enforcement is off; then
    IAM authorization enforcement on. Returns the administrator's credentials, environment form."""
    iam.create_user(UserName="admin")
    iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=ALLOW_ALL_POLICY)
    key = iam.create_access_key(UserName="admin")["AccessKey"]
    server.set_auth(0)
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def client_as(credentials, url, service="iam"):
    """A boto3 client of moto at url, signing with credentials in environment form."""
    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"])
