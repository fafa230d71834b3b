"""Scaled estates for the benchmarks: N resources over the services, M items in one table.

A service is one small function in ``BUILDERS`` that creates ``count`` resources of that
service with names built from a prefix. ``scaled_estate`` spreads N resources
round-robin over the services that have both a builder and a registered collector and
seeder, so a new service joins the benchmark by adding one function here. Items go into
one DynamoDB table through BatchWriteItem (25 per request) on a bounded thread pool.
Like ``harness.demo.estate``, it is only ever aimed at an emulator ``Target``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from harness.aws import Target
from harness.errors import SandboxFailure

ITEMS_TABLE = "bench-items"
OBJECTS_PER_BUCKET = 3
BATCH = 25  # the BatchWriteItem limit


def _tags(i: int) -> list[dict[str, str]]:
    return [{"Key": "env", "Value": "bench"}, {"Key": "shard", "Value": str(i % 10)}]


def build_buckets(t: Target, names: list[str]) -> None:
    s3 = t.client("s3")
    for i, name in enumerate(names):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tags(i)})
        for k in range(OBJECTS_PER_BUCKET):
            s3.put_object(Bucket=name, Key=f"data/{k:02d}.bin", Body=b"x" * (64 * (k + 1)))


def build_tables(t: Target, names: list[str]) -> None:
    ddb = t.client("dynamodb")
    for i, name in enumerate(names):
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST", Tags=_tags(i))


def build_queues(t: Target, names: list[str]) -> None:
    sqs = t.client("sqs")
    for i, name in enumerate(names):
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": str(30 + i % 5)},
                         tags={"env": "bench"})


def build_topics(t: Target, names: list[str]) -> None:
    sns = t.client("sns")
    for i, name in enumerate(names):
        sns.create_topic(Name=name, Tags=_tags(i))


def build_roles(t: Target, names: list[str]) -> None:
    iam = t.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    for i, name in enumerate(names):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, Tags=_tags(i))


def build_keys(t: Target, names: list[str]) -> None:
    kms = t.client("kms")
    for i, name in enumerate(names):
        kms.create_key(Description=name, Tags=[{"TagKey": "env", "TagValue": "bench"},
                                               {"TagKey": "shard", "TagValue": str(i % 10)}])


def build_secrets(t: Target, names: list[str]) -> None:
    sm = t.client("secretsmanager")
    for i, name in enumerate(names):
        sm.create_secret(Name=name, SecretString=f"bench-secret-{i}", Tags=_tags(i))


# service -> builder(target, names); used only for services with a registered collector and seeder
BUILDERS: dict[str, Callable[[Target, list[str]], None]] = {
    "s3": build_buckets,
    "dynamodb": build_tables,
    "sqs": build_queues,
    "sns": build_topics,
    "iam": build_roles,
    "kms": build_keys,
    "secretsmanager": build_secrets,
}


@dataclass
class ScaledEstate:
    """What was built: resources per service and the items table (if any)."""

    per_service: dict[str, int] = field(default_factory=dict)
    items: int = 0

    @property
    def resources(self) -> int:
        return sum(self.per_service.values()) + (1 if self.items else 0)


def bench_services() -> list[str]:
    """Services that can take part: a builder here, a collector and a seeder registered."""
    from harness.collectors import REGISTRY as COLLECTORS
    from harness.seeders import REGISTRY as SEEDERS

    return [s for s in COLLECTORS.names() if s in BUILDERS and s in SEEDERS]


def spread(total: int, services: list[str]) -> dict[str, int]:
    """``total`` split round-robin over ``services`` (the first ones get the remainder)."""
    if not services:
        return {}
    base, extra = divmod(total, len(services))
    return {s: base + (1 if i < extra else 0) for i, s in enumerate(services)}


def scaled_estate(target: Target, *, resources: int = 0, items: int = 0, workers: int = 8,
                  services: list[str] | None = None) -> ScaledEstate:
    """Create ``resources`` resources over the services and ``items`` items in one table."""
    chosen = services if services is not None else bench_services()
    if resources and not chosen:
        raise SandboxFailure("no service has a benchmark builder, a collector and a seeder")
    plan = {s: n for s, n in spread(resources, chosen).items() if n}
    jobs: list[tuple[str, list[str]]] = []
    for service, count in plan.items():
        names = [f"bench-{service}-{i:06d}" for i in range(count)]
        step = max(1, -(-count // workers))  # one chunk per worker and service
        jobs.extend((service, names[k:k + step]) for k in range(0, count, step))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in [pool.submit(BUILDERS[s], target, chunk) for s, chunk in jobs]:
            future.result()
    if items:
        put_items(target, ITEMS_TABLE, items, workers=workers)
    return ScaledEstate(per_service=plan, items=items)


def item(i: int) -> dict[str, Any]:
    """The i-th benchmark item (DynamoDB wire format), about 100 bytes."""
    return {"pk": {"S": f"item-{i:08d}"}, "customer": {"S": f"c-{i % 997:04d}"},
            "total": {"N": str(10 + i % 90)}, "status": {"S": "shipped" if i % 3 else "open"}}


def put_items(target: Target, table: str, count: int, *, workers: int = 8) -> None:
    """Create ``table`` and write ``count`` items in 25-item batches on a bounded pool."""
    ddb = target.client("dynamodb")
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")

    def write(start: int) -> None:
        request: dict[str, Any] = {table: [{"PutRequest": {"Item": item(i)}}
                                           for i in range(start, min(start + BATCH, count))]}
        for _attempt in range(8):
            request = ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
            if not request:
                return
        raise SandboxFailure(f"{table}: items still unprocessed after 8 BatchWriteItem attempts")

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(write, range(0, count, BATCH)))
