"""DynamoDB: tables (keys, attributes, indexes, billing, streams, SSE, PITR, TTL,
deletion protection, tags) and item data: a count, a content hash of every item up to
``limits.items_hashed`` and whole items up to ``limits.items_sample`` (seeded into
sandboxes).
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import orjson

from harness.collectors.base import CARRY_DATA, CaptureContext, Collector, Focus, ServiceRules, tags_dict
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
GET_BATCH = 100  # BatchGetItem takes at most 100 keys
GET_ATTEMPTS = 8  # rounds of UnprocessedKeys before falling back to a scan


def item_key(item: dict[str, Any], key_names: list[str]) -> str:
    """A stable text key for an item from its primary key attributes."""
    return canonical_text({k: item.get(k) for k in key_names})


def _has_binary(item: dict[str, Any]) -> bool:
    return any(isinstance(v, dict) and ("B" in v or "BS" in v or "M" in v or "L" in v) for v in item.values())


def item_entry(raw: dict[str, Any], key_names: list[str]) -> tuple[str, str, dict[str, Any]]:
    """(key text, content hash, item as kept in the sample) of an item as Scan or GetItem return it."""
    item = jsonable(raw) if _has_binary(raw) else raw
    return item_key(item, key_names), short_hash(item), item


def wire_key(key: dict[str, Any]) -> str:
    """The key text of a key as a request carries it (JSON wire form: ``{"pk": {"S": "a"}}``)."""
    return canonical_text(key)


def normal_key(key: dict[str, Any]) -> str:
    """A key text that does not depend on how a number or binary was written (``1.0`` = ``1``).

    Works on the wire form (binary as base64 text) and on the captured form (binary as
    ``{"$b64": ...}``), so that a deleted item's request key finds its captured entry.
    """
    out: dict[str, Any] = {}
    for name, typed in key.items():
        if isinstance(typed, dict) and "N" in typed:
            with contextlib.suppress(ArithmeticError):
                typed = {"N": format(Decimal(str(typed["N"])).normalize(), "f")}
        elif isinstance(typed, dict) and "B" in typed:
            value = typed["B"]
            typed = {"B": value.get("$b64") if isinstance(value, dict) else value}
        out[name] = typed
    return canonical_text(out)


def request_key(text: str) -> dict[str, Any]:
    """A wire-form key text as the boto3 client takes it (binary as bytes)."""
    key = orjson.loads(text)
    return {name: ({"B": base64.b64decode(typed["B"])} if isinstance(typed, dict) and isinstance(typed.get("B"), str)
                   else typed) for name, typed in key.items()}


def _typed(text: str) -> bool:
    """True when a key text holds a number or a binary (whose text form may vary)."""
    return '"N"' in text or '"B"' in text


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
        names = [n for n in names if not ctx.carry(ctx.address("table", n))]
        yield from (r for r in ctx.map(lambda n: self._table(ctx, n), names) if r)

    def _table(self, ctx: CaptureContext, name: str) -> Resource | None:
        ddb = ctx.client()
        address = ctx.address("table", name)
        focus, before = ctx.focus(address), ctx.known(address)
        if before is not None and not focus.config:  # only items changed: the settings are carried
            data = before.data if focus.data == CARRY_DATA else self._by_key(ctx, name, address, focus, before)
            if data is not None:
                return replace(before, data=data)
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
        if before is not None and focus.data == CARRY_DATA:
            data = before.data
        else:
            data = self._by_key(ctx, name, address, focus, before) if before is not None else None
            data = data or self._items(ctx, name, address, key_names, table.get("ItemCount", 0))
        return ctx.resource(
            "table", name,
            arn=arn,
            config=config,
            tags=tags_dict(tags),
            data=data,
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
                    if len(hashes) >= ctx.limits.items_hashed:
                        truncated = True
                        break
                    key, digest, item = item_entry(raw, key_names)
                    hashes[key] = digest
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

    def _by_key(self, ctx: CaptureContext, name: str, address: str, focus: Focus,
                before: Resource) -> dict[str, Any] | None:
        """The previous item data with the focused keys read again; None when only a scan can tell.

        Needs whole previous hashes (not truncated) and the key schema. Items read are
        updated in the hash map and the sample (replaced in place, appended while the
        sample has room); keys no longer found are removed. A table holding more items
        than ``limits.items_sample`` may get a different sample from a scan (which picks
        the first items in the emulator's order); the diff never reads the sample.
        """
        data = before.data or {}
        key_names = [k["AttributeName"] for k in before.config.get("KeySchema") or []]
        if (not isinstance(focus.data, frozenset) or data.get("unit") != "items" or data.get("truncated")
                or not isinstance(data.get("hashes"), dict) or not key_names or data.get("key") != key_names):
            return None
        found = self._get_items(ctx, name, sorted(focus.data))
        if found is None:
            return None
        hashes = dict(data["hashes"])
        sample = list(data.get("sample") or [])
        at = {item_key(item, key_names): i for i, item in enumerate(sample)}
        present: set[str] = set()
        for raw in found:
            key, digest, item = item_entry(raw, key_names)
            present.add(normal_key(orjson.loads(key)))
            hashes[key] = digest
            if key in at:
                sample[at[key]] = item
            elif len(sample) < ctx.limits.items_sample:
                at[key] = len(sample)
                sample.append(item)
        gone: set[str] = set()
        for text in focus.data:
            if normal_key(orjson.loads(text)) in present:
                continue
            if text in hashes:
                gone.add(text)
            elif _typed(text):  # a number or binary may be written differently than captured
                gone.add(normal_key(orjson.loads(text)))
        if gone:
            if any(g not in hashes for g in gone):
                by_normal = {normal_key(orjson.loads(k)): k for k in hashes}
                gone = {g if g in hashes else by_normal.get(g, g) for g in gone}
            for key in gone:
                hashes.pop(key, None)
            sample = [item for item in sample if item_key(item, key_names) not in gone]
        if len(hashes) > ctx.limits.items_hashed:
            return None
        return {**data, "count": len(hashes), "count_exact": True, "hashes": hashes, "sample": sample}

    def _get_items(self, ctx: CaptureContext, name: str, keys: list[str]) -> list[dict[str, Any]] | None:
        """The items at ``keys`` (wire-form key texts), read consistently; None if a read failed."""
        ddb = ctx.client()
        batches = [keys[i:i + GET_BATCH] for i in range(0, len(keys), GET_BATCH)]

        def read(batch: list[str]) -> list[dict[str, Any]] | None:
            out: list[dict[str, Any]] = []
            pending: dict[str, Any] = {name: {"Keys": [request_key(k) for k in batch], "ConsistentRead": True}}
            for _attempt in range(GET_ATTEMPTS):
                got = ctx.call(ddb, "BatchGetItem", RequestItems=pending, record=False)
                if got is None:
                    return None
                out.extend(got.get("Responses", {}).get(name, []))
                pending = got.get("UnprocessedKeys") or {}
                if not pending:
                    return out
            return None

        results = ctx.map(read, batches)
        if any(r is None for r in results):
            return None
        return [item for r in results if r is not None for item in r]
