"""Add cost-center=platform to every bucket, keeping existing tags."""

import boto3

s3 = boto3.client("s3")
for bucket in s3.list_buckets()["Buckets"]:
    name = bucket["Name"]
    try:
        tags = s3.get_bucket_tagging(Bucket=name)["TagSet"]
    except s3.exceptions.ClientError:
        tags = []
    tags = [t for t in tags if t["Key"] != "cost-center"] + [{"Key": "cost-center", "Value": "platform"}]
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags})
    print(f"tagged {name}")
