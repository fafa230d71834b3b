"""``diff_s``: how long the diff of two captures takes for a DynamoDB table of 10k / 100k / 1M items.

The two snapshots are built synthetically (a table's per-item hash map, the shape the
collector writes, plus a few small resources): what is measured is ``diff.engine.diff``
alone. Between them 1% of the items are updated, 0.5% deleted and 0.5% inserted, and
one table setting changes, so the diff walks every item and reports field changes too.
"""

from __future__ import annotations

import gc
import hashlib
import time
from typing import Any

from harness.bench.stats import linear_fit, median
from harness.diff.engine import diff
from harness.estate.snapshot import Resource, Snapshot, Source

SIZES = (10_000, 100_000, 1_000_000)
TARGET_1M_S = 10.0
UPDATED, DELETED, INSERTED = 0.01, 0.005, 0.005


def _key(i: int) -> str:
    return f'{{"pk":{{"S":"item-{i:09d}"}}}}'


def _hash(i: int, version: int = 0) -> str:
    return hashlib.sha256(b"%d:%d" % (i, version)).hexdigest()[:16]


def _table(hashes: dict[str, str], billing: str) -> Resource:
    config = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
              "BillingModeSummary": {"BillingMode": billing}, "TableStatus": "ACTIVE",
              "DeletionProtectionEnabled": True}
    data = {"unit": "items", "count": len(hashes), "count_exact": True, "key": ["pk"], "hashes": hashes,
            "sample": [], "truncated": False}
    return Resource("dynamodb:table/orders", "dynamodb", "table", "orders", "us-east-1",
                    arn="arn:aws:dynamodb:us-east-1:210987654321:table/orders", config=config,
                    tags={"team": "orders"}, data=data, identity={"TableId": "t-1", "CreationDateTime": "2026"})


def _others() -> list[Resource]:
    """A few small resources around the table (a queue, a bucket, a role), unchanged."""
    return [
        Resource("sqs:queue/orders", "sqs", "queue", "orders", "us-east-1",
                 arn="arn:aws:sqs:us-east-1:210987654321:orders", config={"Attributes": {"VisibilityTimeout": "30"}},
                 data={"unit": "messages", "count": 3}),
        Resource("s3:bucket/app-logs", "s3", "bucket", "app-logs", "us-east-1", arn="arn:aws:s3:::app-logs",
                 config={"Versioning": {}}, data={"unit": "objects", "count": 0, "bytes": 0, "objects": {},
                                                  "truncated": False}),
        Resource("iam:role/app", "iam", "role", "app", "us-east-1", arn="arn:aws:iam::210987654321:role/app",
                 policies={"AssumeRolePolicy": {"Statement": []}}),
    ]


def snapshots(items: int) -> tuple[Snapshot, Snapshot]:
    """Before and after: ``items`` items, with the documented share updated, deleted and inserted."""
    before_hashes = {_key(i): _hash(i) for i in range(items)}
    after_hashes = dict(before_hashes)
    for i in range(0, int(items * UPDATED)):
        after_hashes[_key(i)] = _hash(i, 1)
    for i in range(items - int(items * DELETED), items):
        del after_hashes[_key(i)]
    for i in range(items, items + int(items * INSERTED)):
        after_hashes[_key(i)] = _hash(i)
    source = Source("210987654321", ["us-east-1"], "moto", "http://127.0.0.1:1")

    def snap(hashes: dict[str, str], billing: str) -> Snapshot:
        resources = {r.address: r for r in [*_others(), _table(hashes, billing)]}
        return Snapshot(source, resources, services=["dynamodb", "iam", "s3", "sqs"])

    return snap(before_hashes, "PROVISIONED"), snap(after_hashes, "PAY_PER_REQUEST")


def time_diff(items: int, runs: int = 3) -> list[float]:
    """Seconds per ``diff`` of the two snapshots, ``runs`` times (snapshots built once, outside the timing)."""
    before, after = snapshots(items)
    out = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        changes = diff(before, after)
        out.append(time.perf_counter() - started)
        effect = changes.changes["dynamodb:table/orders"].data
        expected = (int(items * INSERTED), int(items * UPDATED), int(items * DELETED))
        if effect is None or (effect.inserted, effect.updated, effect.deleted) != expected:
            raise AssertionError(f"diff of {items} items measured {effect}, expected {expected}")
    return out


def diff_details(sizes: tuple[int, ...] = SIZES, runs: int = 3) -> dict[str, Any]:
    """Every run per size, the medians, and whether time grows linearly with items."""
    per_size = {f"items_{n}": time_diff(n, runs) for n in sizes}
    medians = {k: median(v) for k, v in per_size.items()}
    doc: dict[str, Any] = {"diff_s": medians, "diff_runs": per_size}
    if len(set(sizes)) >= 2:
        fit = linear_fit([float(n) for n in sizes], [medians[f"items_{n}"] for n in sizes])
        doc["diff_slope_s_per_million_items"] = fit.slope * 1_000_000
        doc["diff_linear"] = fit.linear
    largest = f"items_{max(sizes)}"
    if max(sizes) >= 1_000_000:
        doc["diff_target"] = {"value": medians[largest], "limit": TARGET_1M_S, "met": medians[largest] <= TARGET_1M_S}
    return doc


def diff_figures(sizes: tuple[int, ...] = SIZES, runs: int = 3) -> dict[str, float]:
    """The medians with their stable names: ``diff_s.items_10000``, ``diff_s.items_100000``, ..."""
    return {f"diff_s.{k}": v for k, v in diff_details(sizes, runs)["diff_s"].items()}
