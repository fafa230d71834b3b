"""Requirement: every AWS call reaches the sandbox, however the client found its host.

Pinned (AWS_ENDPOINT_URL), hard-wired real endpoints, URLs the service returned (SQS
QueueUrl, a presigned S3 virtual-host URL), and a client that ignores AWS_ENDPOINT_URL:
the effect must appear in the sandbox, and the trace must say which calls were hard-wired.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.isolation.helpers import run_python

BOTO3_CHANGE = """
import os, urllib.request
from urllib.parse import urlsplit
import boto3
from botocore.config import Config

s3 = boto3.client("s3")                                                  # pinned
s3.create_bucket(Bucket="routing-bucket")
s3.put_object(Bucket="routing-bucket", Key="pinned.txt", Body=b"pinned")

hard = boto3.client("s3", endpoint_url="https://s3.us-east-1.amazonaws.com")     # hard-wired, path style
hard.put_object(Bucket="routing-bucket", Key="hardwired.txt", Body=b"hard-wired body")

vhost = boto3.client("s3", endpoint_url="https://s3.amazonaws.com",
                     config=Config(s3={"addressing_style": "virtual"}))          # bucket.s3.amazonaws.com
vhost.delete_object(Bucket="routing-bucket", Key="pinned.txt")
url = vhost.generate_presigned_url("get_object", Params={"Bucket": "routing-bucket", "Key": "hardwired.txt"})
assert urlsplit(url).hostname == "routing-bucket.s3.amazonaws.com", url
print("presigned:", urllib.request.urlopen(url, timeout=30).read().decode())     # a URL, not an SDK call

sqs = boto3.client("sqs", endpoint_url="https://sqs.us-east-1.amazonaws.com")
queue_url = sqs.create_queue(QueueName="routing-q")["QueueUrl"]
parts = urlsplit(queue_url)
returned = boto3.client("sqs", endpoint_url=f"{parts.scheme}://{parts.netloc}")  # the URL the service returned
returned.send_message(QueueUrl=queue_url, MessageBody="via returned url")
print("queue url host:", parts.hostname)

os.environ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"                      # ignores AWS_ENDPOINT_URL
ddb = boto3.client("dynamodb")
ddb.create_table(TableName="routing-table", BillingMode="PAY_PER_REQUEST",
                 KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                 AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
del os.environ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]
print("account:", boto3.client("sts").get_caller_identity()["Account"])
"""


@pytest.mark.parametrize("namespace", [True, False], ids=["netns", "proxy"])
def test_boto3_calls_reach_the_sandbox_however_addressed(fresh_prod, tmp_path: Path, namespace):
    run = run_python(tmp_path, BOTO3_CHANGE, fresh_prod.endpoint, namespace=namespace)

    assert run.returncode == 0, run.stderr
    assert run.isolation == ("netns" if namespace else "proxy")
    assert "presigned: hard-wired body" in run.stdout
    assert f"account: {fresh_prod.account}" in run.stdout
    assert run.egress == []
    sandbox = fresh_prod.target()
    keys = [o["Key"] for o in sandbox.client("s3").list_objects_v2(Bucket="routing-bucket").get("Contents", [])]
    assert keys == ["hardwired.txt"]
    queue = sandbox.client("sqs").get_queue_url(QueueName="routing-q")["QueueUrl"]
    attributes = sandbox.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "1"
    assert sandbox.client("dynamodb").describe_table(TableName="routing-table")["Table"]["TableName"]

    trace = [(c.service, c.operation, c.target, c.hardwired) for c in run.calls]
    assert trace == [
        ("s3", "CreateBucket", "routing-bucket", False),
        ("s3", "PutObject", "routing-bucket", False),
        ("s3", "PutObject", "routing-bucket", True),
        ("s3", "DeleteObject", "routing-bucket", True),
        ("s3", "GetObject", "routing-bucket", True),
        ("sqs", "CreateQueue", "routing-q", True),
        ("sqs", "SendMessage", "routing-q", True),
        ("dynamodb", "CreateTable", "routing-table", True),
        ("sts", "GetCallerIdentity", None, False),
    ]
    hosts = {c.operation: c.host for c in run.calls if c.hardwired}
    assert hosts["DeleteObject"] == hosts["GetObject"] == "routing-bucket.s3.amazonaws.com"
    assert hosts["CreateTable"] == "dynamodb.us-east-1.amazonaws.com"
    assert all(c.status in (200, 204) and not c.emulator_gap for c in run.calls)
    assert [c.mutating for c in run.calls] == [True, True, True, True, False, True, True, True, False]
    assert [c.seq for c in run.calls] == sorted(c.seq for c in run.calls)


CLI_CHANGE = """set -e
aws s3api create-bucket --bucket cli-bucket
echo "from the cli" > note.txt
aws s3 cp note.txt s3://cli-bucket/note.txt
aws s3 ls s3://cli-bucket/ --endpoint-url https://s3.amazonaws.com
aws sqs create-queue --queue-name cli-queue
aws dynamodb create-table --table-name cli-table --billing-mode PAY_PER_REQUEST \\
    --key-schema AttributeName=id,KeyType=HASH --attribute-definitions AttributeName=id,AttributeType=S \\
    --endpoint-url https://dynamodb.us-east-1.amazonaws.com
aws sts get-caller-identity --query Account --output text
"""


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_aws_cli_calls_reach_the_sandbox(fresh_prod, tmp_path: Path):
    from harness.isolation import run_isolated

    (tmp_path / "change.sh").write_text(CLI_CHANGE)
    run = run_isolated(["bash", "change.sh"], sandbox_endpoint=fresh_prod.endpoint, cwd=tmp_path, timeout=120)

    assert run.returncode == 0, run.stderr
    assert fresh_prod.account in run.stdout
    sandbox = fresh_prod.target()
    body = sandbox.client("s3").get_object(Bucket="cli-bucket", Key="note.txt")["Body"].read()
    assert body == b"from the cli\n"
    assert sandbox.client("sqs").get_queue_url(QueueName="cli-queue")["QueueUrl"]
    assert sandbox.client("dynamodb").describe_table(TableName="cli-table")["Table"]["TableName"] == "cli-table"
    trace = [(c.service, c.operation, c.hardwired) for c in run.calls]
    assert trace == [
        ("s3", "CreateBucket", False),
        ("s3", "PutObject", False),
        ("s3", "ListObjectsV2", True),
        # AWS CLI v1 sends SQS to queue.amazonaws.com whatever AWS_ENDPOINT_URL says (its
        # "SSL common name" override); the proxy catches it, and the trace says so.
        ("sqs", "CreateQueue", True),
        ("dynamodb", "CreateTable", True),
        ("sts", "GetCallerIdentity", False),
    ]
    assert run.egress == []
