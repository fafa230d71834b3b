"""DynamoDB: tables (keys, attributes, indexes, billing, streams, SSE, PITR, TTL,
deletion protection, tags) and item data: a count, a content hash of every item up to
``limits.items_hashed`` and whole items up to ``limits.items_sample`` (seeded into
sandboxes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, tags_dict
from harness.estate.canonical import canonical_text, jsonable, short_hash
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    volatile={
        "table": (
            "config.TableStatus",
            "config.ProvisionedThroughput.NumberOfDecreasesToday",
            "config.ProvisionedThroughput.LastIncreaseDateTime",
            "config.ProvisionedThroughput.LastDecreaseDateTime",
            "config.GlobalSecondaryIndexes.*.IndexStatus",
            "config.GlobalSecondaryIndexes.*.ProvisionedThroughput.NumberOfDecreasesToday",
            "config.BillingModeSummary.LastUpdateToPayPerRequestDateTime",
            "config.ContinuousBackups.PointInTimeRecoveryDescription.EarliestRestorableDateTime",
            "config.ContinuousBackups.PointInTimeRecoveryDescription.LatestRestorableDateTime",
            "config.LatestStreamLabel",
            "config.LatestStreamArn",
        )
    },
    identity={"table": ("TableId", "CreationDateTime")},
    why={
        "config.TableStatus": "transient (CREATING/UPDATING/ACTIVE)",
        "config.LatestStreamLabel": "a timestamp label assigned when a stream is (re)enabled",
        "config.ContinuousBackups.PointInTimeRecoveryDescription.*RestorableDateTime": "moves with time",
    },
)

_DROP = ("TableSizeBytes", "ItemCount", "TableId", "CreationDateTime", "TableName", "TableArn")
_INDEX_DROP = ("IndexSizeBytes", "ItemCount", "IndexArn")


def item_key(item: dict[str, Any], key_names: list[str]) -> str:
    """A stable text key for an item from its primary key attributes."""
    return canonical_text({k: item.get(k) for k in key_names})


def _has_binary(item: dict[str, Any]) -> bool:
    return any(isinstance(v, dict) and ("B" in v or "BS" in v or "M" in v or "L" in v) for v in item.values())


class DynamoDBCollector(Collector):
    service = "dynamodb"
    client_name = "dynamodb"
    types = ("table",)
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        ddb = ctx.client()
        names = ctx.paginate(ddb, "ListTables", "TableNames")
        if names is None:
            return
        yield from (r for r in ctx.map(lambda n: self._table(ctx, n), names) if r)

    def _table(self, ctx: CaptureContext, name: str) -> Resource | None:
        ddb = ctx.client()
        address = ctx.address("table", name)
        described = ctx.call(ddb, "DescribeTable", TableName=name, address=address,
                             absent=("ResourceNotFoundException",))
        if described is None:
            return None
        table = described["Table"]
        config = {k: v for k, v in table.items() if k not in _DROP}
        for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if index_kind in config:
                config[index_kind] = sorted(
                    ({k: v for k, v in ix.items() if k not in _INDEX_DROP} for ix in config[index_kind]),
                    key=lambda ix: ix["IndexName"],
                )
        backups = ctx.call(ddb, "DescribeContinuousBackups", TableName=name, address=address)
        if backups:
            config["ContinuousBackups"] = backups.get("ContinuousBackupsDescription", {})
        ttl = ctx.call(ddb, "DescribeTimeToLive", TableName=name, address=address)
        if ttl:
            config["TimeToLive"] = ttl.get("TimeToLiveDescription", {})
        arn = table.get("TableArn")
        tags = ctx.paginate(ddb, "ListTagsOfResource", "Tags", ResourceArn=arn, address=address) if arn else []
        key_names = [k["AttributeName"] for k in table.get("KeySchema", [])]
        return ctx.resource(
            "table", name,
            arn=arn,
            config=config,
            tags=tags_dict(tags),
            data=self._items(ctx, name, address, key_names, table.get("ItemCount", 0)),
            identity={"TableId": table.get("TableId"), "CreationDateTime": table.get("CreationDateTime")},
        )

    def _items(self, ctx: CaptureContext, name: str, address: str, key_names: list[str],
               described_count: int) -> dict[str, Any] | None:
        hashes: dict[str, str] = {}
        sample: list[dict[str, Any]] = []
        truncated = False
        try:
            paginator = ctx.client().get_paginator("scan")
            for page in paginator.paginate(TableName=name):
                for raw in page.get("Items", []):
                    item = jsonable(raw) if _has_binary(raw) else raw
                    if len(hashes) >= ctx.limits.items_hashed:
                        truncated = True
                        break
                    hashes[item_key(item, key_names)] = short_hash(item)
                    if len(sample) < ctx.limits.items_sample:
                        sample.append(item)
                if truncated:
                    break
        except Exception as exc:
            ctx.gap("Scan", "error", str(exc), address)
            return None
        count = max(len(hashes), described_count) if truncated else len(hashes)
        return {
            "unit": "items",
            "count": count,
            "count_exact": not truncated,
            "key": key_names,
            "hashes": hashes,
            "sample": sample,
            "truncated": truncated,
        }
