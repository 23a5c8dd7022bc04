"""An S3 bucket the way a team keeps its vaults: versioning on."""

import boto3


def versioned_bucket(moto_url, name, client=None):
    """Create the bucket with versioning enabled; return the S3 client (the test account's, unless given)."""
    client = client or boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1",
                                    aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=name)
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return client
