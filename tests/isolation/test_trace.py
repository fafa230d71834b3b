"""Operation identification from raw requests.

The requests are the ones botocore itself would send (captured in ``before-send``, never
sent), so the expectation is simply the operation that was called.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

import boto3
import pytest
from botocore.config import Config

from harness.isolation import catalog
from harness.isolation.trace import (
    Request,
    error_code,
    guess_target,
    identify,
    is_emulator_gap,
    is_mutating,
    split_s3_virtual_host,
)

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/{region}/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc")


class _Captured(Exception):
    pass


def _capture(request, **_kw):
    raise _Captured(request)


def botocore_request(service: str, operation: str, *, endpoint: str | None = None, style: str = "path",
                     region: str = "us-east-1", **params) -> Request:
    """The request botocore builds for ``operation`` (never sent anywhere)."""
    client = boto3.client(service, region_name=region, endpoint_url=endpoint, aws_access_key_id="AKIAEXAMPLE",
                          aws_secret_access_key="example", config=Config(s3={"addressing_style": style}))
    client.meta.events.register("before-send", _capture)
    with pytest.raises(_Captured) as caught:
        getattr(client, operation)(**params)
    sent = caught.value.args[0]
    url = urlsplit(sent.url)
    body = sent.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    headers = {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in sent.headers.items()}
    return Request(method=sent.method, host=url.hostname or "", path=url.path, query=url.query,
                   headers=headers, body=body or b"")


S3_CASES = [
    ("put_object", "PutObject", {"Bucket": "app-logs", "Key": "2026/01/a.log", "Body": b"x"}),
    ("delete_object", "DeleteObject", {"Bucket": "app-logs", "Key": "a.log"}),
    ("delete_bucket", "DeleteBucket", {"Bucket": "app-logs"}),
    ("get_object", "GetObject", {"Bucket": "app-logs", "Key": "dir/a b.log"}),
    ("put_bucket_policy", "PutBucketPolicy", {"Bucket": "app-logs", "Policy": "{}"}),
    ("put_bucket_lifecycle_configuration", "PutBucketLifecycleConfiguration",
     {"Bucket": "app-logs", "LifecycleConfiguration": {"Rules": []}}),
    ("copy_object", "CopyObject", {"Bucket": "app-logs", "Key": "b.log", "CopySource": "other/a.log"}),
    ("create_bucket", "CreateBucket", {"Bucket": "app-logs"}),
    ("list_objects_v2", "ListObjectsV2", {"Bucket": "app-logs"}),
    ("delete_objects", "DeleteObjects", {"Bucket": "app-logs", "Delete": {"Objects": [{"Key": "a"}]}}),
    ("upload_part", "UploadPart", {"Bucket": "app-logs", "Key": "a", "PartNumber": 1, "UploadId": "u", "Body": b"x"}),
]


@pytest.mark.parametrize("style, endpoint", [("path", "http://127.0.0.1:4580"), ("virtual", None)])
@pytest.mark.parametrize("method, operation, params", S3_CASES, ids=[c[1] for c in S3_CASES])
def test_s3_path_and_virtual_host(style, endpoint, method, operation, params):
    request = botocore_request("s3", method, endpoint=endpoint, style=style, **params)
    if style == "virtual":
        assert request.host == "app-logs.s3.amazonaws.com"  # the case under test really is virtual-host
    found = identify(request)
    assert (found.service, found.operation, found.target) == ("s3", operation, "app-logs")
    assert found.params["Bucket"] == "app-logs"
    if "Key" in params:
        assert found.params["Key"] == params["Key"]


def test_s3_delete_objects_names_its_keys():
    keys = ["a", "dir/b & c.log", "<odd>", "ü"]
    request = botocore_request("s3", "delete_objects", endpoint="http://127.0.0.1:4580", Bucket="app-logs",
                               Delete={"Objects": [{"Key": k} for k in keys]})
    assert identify(request).params["Delete"] == {"Objects": [{"Key": k} for k in keys]}


def test_s3_virtual_host_names():
    assert split_s3_virtual_host("my.bucket.s3.us-west-2.amazonaws.com") == ("my.bucket", "s3.us-west-2.amazonaws.com")
    assert split_s3_virtual_host("logs.s3-eu-west-1.amazonaws.com") == ("logs", "s3-eu-west-1.amazonaws.com")
    assert split_s3_virtual_host("s3.amazonaws.com") == (None, "s3.amazonaws.com")
    assert split_s3_virtual_host("123456789012.s3-control.us-east-1.amazonaws.com")[0] is None


@pytest.mark.parametrize("service, method, operation, params, target", [
    ("dynamodb", "put_item", "PutItem", {"TableName": "orders", "Item": {"id": {"S": "1"}}}, "orders"),
    ("dynamodb", "delete_table", "DeleteTable", {"TableName": "orders"}, "orders"),
    ("sqs", "send_message", "SendMessage",
     {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/210987654321/orders", "MessageBody": "m"}, "orders"),
    ("sqs", "create_queue", "CreateQueue", {"QueueName": "orders-dlq"}, "orders-dlq"),
    ("iam", "attach_role_policy", "AttachRolePolicy",
     {"RoleName": "deployer", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, "deployer"),
    ("iam", "create_user", "CreateUser", {"UserName": "mallory"}, "mallory"),
    ("ec2", "create_vpc", "CreateVpc", {"CidrBlock": "10.0.0.0/16"}, None),
    ("ec2", "terminate_instances", "TerminateInstances", {"InstanceIds": ["i-0abc"]}, "i-0abc"),
    ("ec2", "authorize_security_group_ingress", "AuthorizeSecurityGroupIngress",
     {"GroupId": "sg-1", "CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}, "sg-1"),
    ("lambda", "invoke", "Invoke", {"FunctionName": "resize"}, "resize"),
    ("lambda", "delete_function", "DeleteFunction", {"FunctionName": "resize"}, "resize"),
    ("lambda", "update_function_configuration", "UpdateFunctionConfiguration",
     {"FunctionName": "resize", "Timeout": 30}, "resize"),
    ("sts", "get_caller_identity", "GetCallerIdentity", {}, None),
    ("sts", "assume_role", "AssumeRole",
     {"RoleArn": "arn:aws:iam::1:role/deployer", "RoleSessionName": "sess"}, "deployer"),
    ("rds", "delete_db_instance", "DeleteDBInstance",
     {"DBInstanceIdentifier": "prod-db", "SkipFinalSnapshot": True}, "prod-db"),
    ("dynamodbstreams", "list_streams", "ListStreams", {}, None),
])
@pytest.mark.parametrize("endpoint", [None, "http://127.0.0.1:4580"])
def test_services_by_protocol(service, method, operation, params, target, endpoint):
    found = identify(botocore_request(service, method, endpoint=endpoint, **params))
    assert (found.service, found.operation, found.region) == (service, operation, "us-east-1")
    assert found.target == target


def test_json_params_are_parsed():
    found = identify(botocore_request("dynamodb", "delete_item", TableName="orders", Key={"id": {"S": "7"}}))
    assert found.params == {"TableName": "orders", "Key": {"id": {"S": "7"}}}


def test_sqs_query_protocol():
    """Older SDKs speak the query protocol to SQS: Action= in a form body."""
    body = urlencode({"Action": "DeleteQueue", "Version": "2012-11-05",
                      "QueueUrl": "https://sqs.eu-west-1.amazonaws.com/210987654321/orders"}).encode()
    request = Request("POST", "eu-west-1.queue.amazonaws.com", "/", "",
                      {"authorization": AUTH.format(region="eu-west-1", service="sqs"),
                       "content-type": "application/x-www-form-urlencoded; charset=utf-8"}, body)
    found = identify(request)
    assert (found.service, found.operation, found.region, found.target) == ("sqs", "DeleteQueue", "eu-west-1",
                                                                            "orders")
    assert "Action" not in found.params and "Version" not in found.params


def test_query_action_in_query_string():
    request = Request("GET", "127.0.0.1", "/", "Action=ListUsers&Version=2010-05-08",
                      {"authorization": AUTH.format(region="us-east-1", service="iam")})
    assert (identify(request).service, identify(request).operation) == ("iam", "ListUsers")


def test_presigned_url_names_its_service():
    request = Request("GET", "reports.s3.amazonaws.com", "/q1.csv",
                      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-west-2%2Fs3"
                      "%2Faws4_request&X-Amz-Signature=abc", {})
    found = identify(request)
    assert (found.service, found.operation, found.region, found.target) == ("s3", "GetObject", "us-west-2", "reports")


def test_unsigned_request_to_unknown_host_stays_unknown():
    found = identify(Request("GET", "127.0.0.1", "/", "", {}))
    assert (found.service, found.operation) == ("unknown", "unknown")


def test_unsigned_json_request_is_named_by_its_target_prefix():
    request = Request("POST", "127.0.0.1", "/", "", {"x-amz-target": "DynamoDB_20120810.DeleteTable"},
                      b'{"TableName": "orders"}')
    found = identify(request)
    assert (found.service, found.operation, found.target) == ("dynamodb", "DeleteTable", "orders")


def test_signing_name_differs_from_service_name():
    """CloudWatch signs as "monitoring"; the trace must still say "cloudwatch"."""
    found = identify(botocore_request("cloudwatch", "delete_alarms", endpoint="http://127.0.0.1:4580",
                                      AlarmNames=["cpu"]))
    assert (found.service, found.operation) == ("cloudwatch", "DeleteAlarms")


@pytest.mark.parametrize("service, params", [
    ("elbv2", {"LoadBalancerArn": "arn:aws:elasticloadbalancing:us-east-1:210987654321:loadbalancer/app/prod-alb/1"}),
    ("elb", {"LoadBalancerName": "legacy"}),
])
@pytest.mark.parametrize("endpoint", [None, "http://127.0.0.1:4580"])
def test_elb_and_elbv2_are_told_apart_by_api_version(service, params, endpoint):
    """Both sign as "elasticloadbalancing", share a host and call the operation
    DeleteLoadBalancer: only the request's Version says which API it was."""
    found = identify(botocore_request(service, "delete_load_balancer", endpoint=endpoint, **params))
    assert (found.service, found.operation) == (service, "DeleteLoadBalancer")


@pytest.mark.parametrize("operation, method, expected", [
    ("PutObject", "PUT", True), ("DeleteTable", "POST", True), ("AttachRolePolicy", "POST", True),
    ("CreateQueue", "POST", True), ("GetObject", "GET", False), ("ListTables", "POST", False),
    ("DescribeInstances", "POST", False), ("HeadObject", "HEAD", False), ("Query", "POST", False),
    ("BatchGetItem", "POST", False), ("BatchWriteItem", "POST", True), ("ReceiveMessage", "POST", True),
    ("unknown", "GET", False), ("unknown", "POST", True), ("unknown", "DELETE", True),
])
def test_mutating_rule(operation, method, expected):
    assert is_mutating(operation, method) is expected


@pytest.mark.parametrize("params, expected", [
    ({"QueueUrl": "http://127.0.0.1:4580/210987654321/orders-dlq"}, "orders-dlq"),
    ({"TopicArn": "arn:aws:sns:us-east-1:210987654321:alerts"}, "alerts"),
    ({"ResourceArn": "arn:aws:dynamodb:us-east-1:210987654321:table/orders"}, "orders"),
    ({"DBClusterIdentifier": "prod-cluster"}, "prod-cluster"),
    ({"SomethingName": "x"}, "x"),
    ({"Count": 3}, None),
])
def test_guess_target(params, expected):
    assert guess_target(params) == expected


@pytest.mark.parametrize("status, headers, body, expected", [
    (400, {"x-amzn-errortype": "ResourceNotFoundException:http://internal.amazon.com/"}, b"",
     "ResourceNotFoundException"),
    (400, {}, json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ResourceInUseException"}).encode(),
     "ResourceInUseException"),
    (404, {}, b"<?xml version='1.0'?><Error><Code>NoSuchBucket</Code></Error>", "NoSuchBucket"),
    (200, {}, b"<Code>NotAnError</Code>", None),
])
def test_error_codes(status, headers, body, expected):
    assert error_code(status, headers, body) == expected


@pytest.mark.parametrize("status, code, headers, body, method, expected", [
    (500, None, {"content-type": "text/html"}, b"<title>500 Internal Server Error</title>", "POST", True),
    (501, "NotImplemented", {}, b"", "POST", True),
    (400, None, {}, b"The DescribeX action has not been implemented", "POST", True),
    (404, None, {"content-type": "text/html"}, b"<!doctype html><title>404 Not Found</title>", "POST", True),
    (404, None, {"content-type": "text/html"}, b"", "HEAD", False),
    (404, "NoSuchKey", {"content-type": "application/xml"}, b"<Code>NoSuchKey</Code>", "GET", False),
    (200, None, {}, b"object text mentioning NotImplemented", "GET", False),
    (400, "ValidationException", {}, b"{}", "POST", False),
])
def test_emulator_gap(status, code, headers, body, method, expected):
    assert is_emulator_gap(status, code, headers, body, method) is expected


@pytest.mark.parametrize("service", ["s3", "sqs", "cloudwatch", "dynamodbstreams", "s3control", "lambda"])
def test_catalog_reads_the_same_metadata_as_the_full_model(service):
    full = catalog._loader().load_service_model(service, "service-2")["metadata"]
    info = catalog.index().services[service]
    assert info.endpoint_prefix == full["endpointPrefix"]
    assert info.signing_name == full.get("signingName", full["endpointPrefix"])
    assert info.target_prefix == full.get("targetPrefix")
