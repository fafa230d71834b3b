"""Property: random create/update/delete sequences on a real sandbox produce a change set
whose actions agree with what was done (hypothesis)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.collectors.capture import capture
from harness.diff.engine import TracedCall, diff
from harness.sandbox.moto import MotoBackend

KINDS = {"sqs": "queue", "s3": "bucket", "dynamodb": "table"}
NAMES = ["alpha", "bravo", "charlie"]
BASELINE = {("sqs", "alpha"), ("s3", "alpha"), ("dynamodb", "alpha"), ("sqs", "bravo")}
_values = itertools.count()


@pytest.fixture(scope="module")
def sandbox():
    with MotoBackend(account="210987654321") as backend:
        yield backend


def _bucket(name: str) -> str:
    return f"prop-{name}"


def create(t, service: str, name: str) -> dict:
    if service == "sqs":
        t.client("sqs").create_queue(QueueName=name)
        return {"QueueName": name}
    if service == "s3":
        t.client("s3").create_bucket(Bucket=_bucket(name))
        return {"Bucket": _bucket(name)}
    t.client("dynamodb").create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                                      KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                                      AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
    return {"TableName": name}


def delete(t, service: str, name: str) -> dict:
    if service == "sqs":
        url = t.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]
        t.client("sqs").delete_queue(QueueUrl=url)
        return {"QueueUrl": url}
    if service == "s3":
        t.client("s3").delete_bucket(Bucket=_bucket(name))
        return {"Bucket": _bucket(name)}
    t.client("dynamodb").delete_table(TableName=name)
    return {"TableName": name}


def tag(t, service: str, name: str) -> dict:
    value = f"v{next(_values)}"
    if service == "sqs":
        url = t.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]
        t.client("sqs").tag_queue(QueueUrl=url, Tags={"k": value})
        return {"QueueUrl": url}
    if service == "s3":
        t.client("s3").put_bucket_tagging(Bucket=_bucket(name), Tagging={"TagSet": [{"Key": "k", "Value": value}]})
        return {"Bucket": _bucket(name)}
    arn = t.client("dynamodb").describe_table(TableName=name)["Table"]["TableArn"]
    t.client("dynamodb").tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": value}])
    return {"ResourceArn": arn}


OPS = {"create": ("Create", create), "delete": ("Delete", delete), "tag": ("Tag", tag)}
OPERATION = {("sqs", "create"): "CreateQueue", ("sqs", "delete"): "DeleteQueue", ("sqs", "tag"): "TagQueue",
             ("s3", "create"): "CreateBucket", ("s3", "delete"): "DeleteBucket", ("s3", "tag"): "PutBucketTagging",
             ("dynamodb", "create"): "CreateTable", ("dynamodb", "delete"): "DeleteTable",
             ("dynamodb", "tag"): "TagResource"}


def address(service: str, name: str) -> str:
    return f"{service}:{KINDS[service]}/{_bucket(name) if service == 's3' else name}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_change_set_actions_agree_with_the_calls(sandbox, data):
    sandbox.reset()
    t = sandbox.target()
    for service, name in sorted(BASELINE):
        create(t, service, name)
    services = list(KINDS)
    before = capture(t, regions=["us-east-1"], services=services, workers=4)
    exists = set(BASELINE)
    deleted, tagged = set(), set()
    calls: list[TracedCall] = []
    steps = data.draw(st.lists(st.tuples(st.sampled_from(services), st.sampled_from(NAMES),
                                         st.sampled_from(["create", "delete", "tag"])), max_size=8))
    for seq, (service, name, op) in enumerate(steps):
        key = (service, name)
        if (op == "create") == (key in exists):
            continue  # not applicable in the current state
        params = OPS[op][1](t, service, name)
        calls.append(TracedCall(seq, service, OPERATION[(service, op)], params))
        if op == "create":
            exists.add(key)
        elif op == "delete":
            exists.discard(key)
            deleted.add(key)
        else:
            tagged.add(key)
    after = capture(t, regions=["us-east-1"], services=services, workers=4)
    got = {a: c.action for a, c in diff(before, after, calls=calls).changes.items()}

    expected = {}
    for service in services:
        for name in NAMES:
            key = (service, name)
            was, now = key in BASELINE, key in exists
            if was and now and key in deleted:
                expected[address(*key)] = "replace"
            elif was and not now:
                expected[address(*key)] = "delete"
            elif not was and now:
                expected[address(*key)] = "create"
            elif was and now and key in tagged:
                expected[address(*key)] = "update"
    assert got == expected
