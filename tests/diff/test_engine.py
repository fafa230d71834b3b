"""The diff engine on a real moto sandbox: actions, fields, data, grants, replace."""

from __future__ import annotations

import json

import pytest

from harness.collectors.capture import capture
from harness.demo.estate import PROD_ACCOUNT, build_estate
from harness.diff.engine import TracedCall, count_changes, diff
from harness.sandbox.session import Sandbox
from harness.seeders.dynamodb import create_table_params

SERVICES = ["s3", "dynamodb", "sqs"]


@pytest.fixture(scope="module")
def production(request):
    from harness.sandbox.moto import MotoBackend

    with MotoBackend(account=PROD_ACCOUNT) as prod:
        build_estate(prod.target(), services=tuple(SERVICES))
        yield capture(prod.target(), regions=["us-east-1"], services=SERVICES)


@pytest.fixture
def box(production):
    with Sandbox.open(production) as sandbox:
        yield sandbox


def test_no_change_means_empty_change_set(box, production):
    before = box.capture()
    after = box.capture()
    assert diff(before, after, production=production).changes == {}


def test_actions_fields_data_and_grants(box, production):
    before = box.capture()
    t = box.target()
    sqs = t.client("sqs")
    sqs.create_queue(QueueName="orders-dlq")
    url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
    dlq_arn = f"arn:aws:sqs:us-east-1:{PROD_ACCOUNT}:orders-dlq"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})})
    s3 = t.client("s3")
    s3.put_bucket_policy(Bucket="app-logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::app-logs/*"}]}))
    s3.delete_object(Bucket="app-logs", Key="2026/11/0001.log")
    ddb = t.client("dynamodb")
    ddb.update_item(TableName="orders", Key={"order_id": {"S": "o-0000003"}},
                    UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":s": {"S": "refunded"}})
    s3.delete_bucket_tagging(Bucket="customer-exports")
    changes = diff(before, box.capture(), production=production).changes

    assert changes["sqs:queue/orders-dlq"].action == "create"
    orders = changes["sqs:queue/orders"]
    assert orders.action == "update"
    assert [f.path for f in orders.fields] == ["Attributes.RedrivePolicy"]
    assert orders.fields[0].after["deadLetterTargetArn"] == "@sqs:queue/orders-dlq#arn"

    logs = changes["s3:bucket/app-logs"]
    assert logs.action == "update"
    assert logs.data.deleted == 1 and logs.data.inserted == 0
    assert [str(g) for g in logs.grants_added] == ["* -> s3:GetObject on arn:aws:s3:::app-logs/*"]
    assert logs.grants_added[0].public

    table = changes["dynamodb:table/orders"]
    assert (table.action, table.data.updated, table.data.deleted, table.fields) == ("update", 1, 0, [])

    exports = changes["s3:bucket/customer-exports"]
    assert {f.path for f in exports.fields} == {"Tags.env", "Tags.data-class"}
    assert set(changes) == {"sqs:queue/orders-dlq", "sqs:queue/orders", "s3:bucket/app-logs",
                            "dynamodb:table/orders", "s3:bucket/customer-exports"}


def test_recreated_table_is_a_replace_with_all_data_lost(box, production):
    before = box.capture()
    ddb = box.target().client("dynamodb")
    ddb.update_table(TableName="orders", DeletionProtectionEnabled=False)
    ddb.delete_table(TableName="orders")
    original = production.resources["dynamodb:table/orders"]
    ddb.create_table(**create_table_params(original, original.config))
    ddb.put_item(TableName="orders", Item={"order_id": {"S": "o-0000001"}, "customer_id": {"S": "c-0001"}})
    change = diff(before, box.capture(), production=production).changes["dynamodb:table/orders"]
    assert change.action == "replace"
    assert change.data.deleted == 200 and change.data.inserted == 1


def test_recreated_queue_is_a_replace_by_trace_even_if_identical(box, production):
    before = box.capture()
    sqs = box.target().client("sqs")
    url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)
    sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "60"}, tags={"env": "prod"})
    calls = [TracedCall(1, "sqs", "DeleteQueue", {"QueueUrl": url}),
             TracedCall(2, "sqs", "CreateQueue", {"QueueName": "orders"})]
    change = diff(before, box.capture(), production=production, calls=calls).changes["sqs:queue/orders"]
    assert change.action == "replace"


def test_production_units_scale_a_sample(box, production):
    import copy

    bigger = copy.deepcopy(production)
    bigger.resources["dynamodb:table/orders"].data["count"] = 2_000_000  # production holds 10,000x the sample
    before = box.capture()
    ddb = box.target().client("dynamodb")
    for i in range(2):
        ddb.delete_item(TableName="orders", Key={"order_id": {"S": f"o-{i:07d}"}})
    change = diff(before, box.capture(), production=bigger).changes["dynamodb:table/orders"]
    assert change.data.deleted == 2
    assert change.data.in_production("deleted") == 20_000
    assert change.data.exact is False


def test_service_gap_makes_resources_unknown_not_deleted(box, production):
    import copy

    from harness.estate.snapshot import Gap

    before = box.capture()
    after = copy.deepcopy(before)
    after.resources = {a: r for a, r in after.resources.items() if r.service != "sqs"}
    after.gaps.append(Gap("sqs", "us-east-1", "ListQueues", "access-denied", "denied"))
    changes = diff(before, after, production=production)
    assert not any(a.startswith("sqs:") for a in changes.changes)
    assert [(u.service, u.address) for u in changes.unknown] == [("sqs", None)]


def test_count_changes_in_one_pass():
    before = {"a": "1", "b": "2", "c": "3"}
    after = {"a": "1", "b": "9", "d": "4", "e": "5"}
    assert count_changes(before, after) == (2, 1, 1)  # inserted d, e; updated b; deleted c
    assert count_changes(before, before) == (0, 0, 0)
    objects = {"k": {"size": 1, "etag": "x"}}
    assert count_changes(objects, {"k": {"size": 2, "etag": "y"}}) == (0, 1, 0)
    assert count_changes({}, {"k": None}) == (1, 0, 0)
