"""What an incremental after-capture plans to read for each kind of call (no emulator needed:
the plan is a function of the previous snapshot and the traced calls)."""

from __future__ import annotations

import json

import pytest

from harness.collectors.base import CARRY_DATA, FULL_DATA, READ_ALL, Focus
from harness.collectors.dynamodb import normal_key, wire_key
from harness.collectors.plan import SETTINGS, plan_capture
from harness.estate.snapshot import Resource, Snapshot, Source
from harness.isolation.models import Call

ACCOUNT = "210987654321"


def arn(service: str, rest: str, region: str = "us-east-1") -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{rest}"


def res(address: str, **fields) -> Resource:
    service, rest = address.split(":", 1)
    rtype, name = rest.split("/", 1)
    return Resource(address, service, rtype, name.split("@")[0], fields.pop("region", "us-east-1"), **fields)


TEMPLATE = {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}}}}


@pytest.fixture
def before() -> Snapshot:
    resources = [
        res("s3:bucket/logs", arn="arn:aws:s3:::logs"),
        res("dynamodb:table/orders", arn=arn("dynamodb", "table/orders"),
            config={"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"},
                                  {"AttributeName": "n", "KeyType": "RANGE"}]}),
        res("sqs:queue/orders", arn=arn("sqs", "orders"),
            config={"Attributes": {"RedrivePolicy": {"deadLetterTargetArn": "@sqs:queue/orders-dlq#arn",
                                                     "maxReceiveCount": "3"}}}),
        res("sqs:queue/orders-dlq", arn=arn("sqs", "orders-dlq")),
        res("sqs:queue/audit", arn=arn("sqs", "audit")),
        res("sqs:queue/orders@us-west-2", arn=arn("sqs", "orders", "us-west-2"), region="us-west-2"),
        res("sns:topic/events", arn=arn("sns", "events"),
            config={"Subscriptions": [{"Protocol": "sqs", "Endpoint": "@sqs:queue/audit#arn"}]}),
        res("iam:policy/read", arn=f"arn:aws:iam::{ACCOUNT}:policy/read"),
        res("iam:role/app", arn=f"arn:aws:iam::{ACCOUNT}:role/app",
            config={"AttachedManagedPolicies": ["@iam:policy/read#arn"]}),
        res("cloudformation:stack/orders", id=arn("cloudformation", "stack/orders/1"),
            arn=arn("cloudformation", "stack/orders/1"), config={"Template": TEMPLATE}),
    ]
    return Snapshot(Source(ACCOUNT, ["us-east-1", "us-west-2"], "moto"), {r.address: r for r in resources},
                    services=["cloudformation", "dynamodb", "iam", "s3", "sns", "sqs"])


def call(service: str, operation: str, status: int = 200, *, region: str = "us-east-1", gap: bool = False,
         **params) -> Call:
    mutating = not operation.startswith(("Get", "List", "Describe"))
    return Call(service, operation, region, status, None, params, None, "127.0.0.1", False, mutating, gap, 1.0, 1)


def test_refused_calls_and_reads_count_for_nothing(before):
    plan = plan_capture(before, [call("sqs", "DeleteQueue", 400, QueueUrl="http://h/1/orders"),
                                 call("sqs", "GetQueueAttributes", QueueUrl="http://h/1/orders")])
    assert plan.services() == set() and not plan.focus


@pytest.mark.parametrize("status, gap", [(500, False), (502, False), (200, False), (404, True), (301, False)])
def test_calls_that_may_have_acted_count(before, status, gap):
    plan = plan_capture(before, [call("sqs", "DeleteQueue", status, gap=gap, QueueUrl="http://h/1/orders")])
    assert "sqs:queue/orders" in plan.focus


def test_item_writes_read_only_their_keys(before):
    key = {"id": {"S": "a"}, "n": {"N": "1"}}
    calls = [
        call("dynamodb", "PutItem", TableName="orders", Item={**key, "v": {"S": "x"}}),
        call("dynamodb", "DeleteItem", TableName="orders", Key={"id": {"S": "b"}, "n": {"N": "2"}}),
        call("dynamodb", "BatchWriteItem", RequestItems={arn("dynamodb", "table/orders"): [
            {"DeleteRequest": {"Key": {"id": {"S": "c"}, "n": {"N": "3"}}}}]}),
        call("dynamodb", "TransactWriteItems", TransactItems=[
            {"Update": {"TableName": "orders", "Key": {"id": {"S": "d"}, "n": {"N": "4"}}}}]),
    ]
    plan = plan_capture(before, calls)
    keys = {wire_key(k) for k in (key, {"id": {"S": "b"}, "n": {"N": "2"}}, {"id": {"S": "c"}, "n": {"N": "3"}},
                                  {"id": {"S": "d"}, "n": {"N": "4"}})}
    assert plan.focus == {"dynamodb:table/orders": Focus(config=False, data=frozenset(keys))}
    assert plan.listed == {"dynamodb"} and not plan.whole


@pytest.mark.parametrize("calls, focus, whole", [
    ([call("dynamodb", "PutItem", TableName="orders", Item={"id": {"S": "a"}})],  # no sort key: which item?
     Focus(config=False, data=FULL_DATA), False),
    ([call("dynamodb", "PutItem")], None, True),  # a body too large to parse: no table named
    ([call("dynamodb", "ExecuteStatement", Statement="DELETE FROM orders")], None, True),
    ([call("dynamodb", "UpdateTimeToLive", TableName="orders")], READ_ALL, False),
    ([call("dynamodb", "TagResource", ResourceArn=arn("dynamodb", "table/orders"))], SETTINGS, False),
], ids=["key-missing", "no-params", "partiql", "ttl", "tags"])
def test_table_calls_without_item_keys(before, calls, focus, whole):
    plan = plan_capture(before, calls)
    assert plan.focus.get("dynamodb:table/orders") == focus
    assert ("dynamodb" in plan.whole) is whole


@pytest.mark.parametrize("operation, params, focus", [
    ("PutObject", {"Key": "a/b.log"}, Focus(config=False, data=frozenset({"a/b.log"}))),
    ("DeleteObjects", {"Delete": {"Objects": [{"Key": "x"}, {"Key": "y"}]}},
     Focus(config=False, data=frozenset({"x", "y"}))),
    ("DeleteObjects", {"delete": ""}, READ_ALL),  # keys not parsed: list the bucket
    ("PutBucketPolicy", {"policy": ""}, Focus(config=True, data=CARRY_DATA)),
    ("PutBucketLifecycleConfiguration", {}, READ_ALL),  # lifecycle may expire objects
    ("PutBucketVersioning", {}, READ_ALL),
])
def test_bucket_calls(before, operation, params, focus):
    plan = plan_capture(before, [call("s3", operation, Bucket="logs", **params)],
                        notifications=lambda _bucket: [])
    assert plan.focus["s3:bucket/logs"] == focus


def test_object_write_reaches_the_queues_the_bucket_notifies(before):
    plan = plan_capture(before, [call("s3", "PutObject", Bucket="logs", Key="k")],
                        notifications=lambda _bucket: [arn("sns", "events")])
    assert plan.focus["sqs:queue/audit"] == READ_ALL  # through the topic's subscription
    unknown = plan_capture(before, [call("s3", "PutObject", Bucket="logs", Key="k")], notifications=None)
    assert "sqs" in unknown.whole


def test_publish_reads_subscribed_queues_and_receive_reads_the_dead_letter_queue(before):
    plan = plan_capture(before, [call("sns", "Publish", TopicArn=arn("sns", "events"), Message="m"),
                                 call("sqs", "ReceiveMessage", QueueUrl="http://h/1/orders")])
    assert {"sqs:queue/audit", "sqs:queue/orders-dlq"} <= set(plan.focus)


def test_a_deletion_reads_what_references_it(before):
    plan = plan_capture(before, [call("sqs", "DeleteQueue", QueueUrl="http://h/1/orders-dlq")])
    assert plan.focus["sqs:queue/orders"] == SETTINGS
    assert "references sqs:queue/orders-dlq" in plan.why["sqs:queue/orders"][0]


def test_a_name_outside_the_primary_region_is_that_regions_resource(before):
    plan = plan_capture(before, [call("sqs", "PurgeQueue", region="us-west-2", QueueName="orders")])
    assert set(plan.focus) == {"sqs:queue/orders@us-west-2"}


def test_iam_changes_read_the_attached_policies(before):
    plan = plan_capture(before, [call("iam", "DeleteRolePermissionsBoundary", RoleName="app")])
    assert set(plan.focus) == {"iam:role/app", "iam:policy/read"}


@pytest.mark.parametrize("calls, everything", [
    ([call("logs", "CreateLogGroup", logGroupName="x")], True),  # not captured: effects unbounded
    ([call("lambda", "Invoke", FunctionName="f")], True),
    ([call("sts", "AssumeRole", RoleArn="r")], False),  # no state
])
def test_calls_whose_effects_cannot_be_bounded(before, calls, everything):
    before.services.append("lambda")
    assert (plan_capture(before, calls).everything is not None) is everything


def test_stack_changes_read_every_service_of_old_and_new_templates(before):
    body = json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {}}}})
    plan = plan_capture(before, [call("cloudformation", "UpdateStack", StackName="orders", TemplateBody=body)])
    assert plan.everything is None
    assert {"sqs", "dynamodb"} <= set(plan.whole)
    by_url = plan_capture(before, [call("cloudformation", "UpdateStack", StackName="orders", TemplateURL="s3://x")])
    assert by_url.everything is not None
    custom = json.dumps({"Resources": {"C": {"Type": "Custom::Thing", "Properties": {}}}})
    assert plan_capture(before, [call("cloudformation", "CreateStack", StackName="n",
                                      TemplateBody=custom)]).everything is not None


def test_a_call_naming_nothing_reads_its_service_whole(before):
    plan = plan_capture(before, [call("sqs", "CreateQueue")])
    assert "sqs" in plan.whole


@pytest.mark.parametrize("a, b", [
    ({"n": {"N": "1.50"}}, {"n": {"N": "1.5"}}),
    ({"n": {"N": "100"}}, {"n": {"N": "1E+2"}}),
    ({"b": {"B": "AAE="}}, {"b": {"B": {"$b64": "AAE="}}}),  # request form, captured form
])
def test_a_key_written_two_ways_is_one_key(a, b):
    assert normal_key(a) == normal_key(b)
    assert normal_key({"n": {"N": "1.5"}}) != normal_key({"n": {"N": "15"}})
