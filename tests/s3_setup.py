"""Sets up a bucket on a moto S3 server that checks credentials.

Usage: s3_setup.py ENDPOINT BUCKET KEY=FILE...

The server starts with INITIAL_NO_AUTH_ACTION_COUNT=3: the first three
requests (an IAM user, its policy, its access key) need no credentials,
every later one is signed and checked. Then, as that user, it makes BUCKET
and uploads each local FILE under KEY. Prints the user's credentials as
JSON.
"""

import json
import sys

import boto3


def main(endpoint, bucket, uploads):
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="none", aws_secret_access_key="none")
    iam.create_user(UserName="gate")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_user_policy(UserName="gate", PolicyName="s3", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="gate")["AccessKey"]
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    s3.create_bucket(Bucket=bucket)
    for upload in uploads:
        name, path = upload.split("=", 1)
        s3.upload_file(path, bucket, name)
    print(json.dumps({"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
