"""Sets up a bucket on a moto S3 server that checks credentials.

Usage: s3_setup.py [--public] ENDPOINT BUCKET KEY=FILE...

A server started with INITIAL_NO_AUTH_ACTION_COUNT=3 checks credentials
after the first three requests (an IAM user, its policy, its access key):
every later one is signed and checked. Then, as that user, it makes BUCKET
and uploads each local FILE under KEY, readable by anyone with --public.
Prints the user's credentials as JSON.
"""

import json
import sys

import boto3


def main(endpoint, bucket, uploads, public):
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="none", aws_secret_access_key="none")
    iam.create_user(UserName="gate")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_user_policy(UserName="gate", PolicyName="s3", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="gate")["AccessKey"]
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    s3.create_bucket(Bucket=bucket, **({"ACL": "public-read"} if public else {}))
    for upload in uploads:
        name, path = upload.split("=", 1)
        s3.upload_file(path, bucket, name, ExtraArgs={"ACL": "public-read"} if public else None)
    print(json.dumps({"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}))


if __name__ == "__main__":
    public = sys.argv[1:2] == ["--public"]
    args = sys.argv[2:] if public else sys.argv[1:]
    main(args[0], args[1], args[2:], public)
