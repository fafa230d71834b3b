"""DynamoDB seeder: tables with keys, indexes, billing, streams, SSE, PITR, TTL,
deletion protection and tags; the sampled items, written in 25-item batches."""

from __future__ import annotations

from typing import Any

from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder


def _throughput(value: dict[str, Any] | None) -> dict[str, int] | None:
    if not value:
        return None
    read, write = value.get("ReadCapacityUnits", 0), value.get("WriteCapacityUnits", 0)
    return {"ReadCapacityUnits": read, "WriteCapacityUnits": write} if read or write else None


def create_table_params(res: Resource, cfg: dict[str, Any]) -> dict[str, Any]:
    """CreateTable parameters from a captured table configuration."""
    billing = (cfg.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"
    params: dict[str, Any] = {
        "TableName": res.name,
        "KeySchema": cfg["KeySchema"],
        "AttributeDefinitions": cfg["AttributeDefinitions"],
        "BillingMode": billing,
    }
    if billing == "PROVISIONED":
        params["ProvisionedThroughput"] = _throughput(cfg.get("ProvisionedThroughput")) or {
            "ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    gsis = []
    for ix in cfg.get("GlobalSecondaryIndexes") or []:
        gsi = {k: ix[k] for k in ("IndexName", "KeySchema", "Projection") if k in ix}
        if billing == "PROVISIONED":
            gsi["ProvisionedThroughput"] = _throughput(ix.get("ProvisionedThroughput")) or {
                "ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
        gsis.append(gsi)
    if gsis:
        params["GlobalSecondaryIndexes"] = gsis
    lsis = [{k: ix[k] for k in ("IndexName", "KeySchema", "Projection") if k in ix}
            for ix in cfg.get("LocalSecondaryIndexes") or []]
    if lsis:
        params["LocalSecondaryIndexes"] = lsis
    stream = cfg.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        params["StreamSpecification"] = stream
    sse = cfg.get("SSEDescription")
    if sse and sse.get("Status") in ("ENABLED", "ENABLING"):
        spec: dict[str, Any] = {"Enabled": True, "SSEType": sse.get("SSEType", "KMS")}
        if sse.get("KMSMasterKeyArn"):
            spec["KMSMasterKeyId"] = sse["KMSMasterKeyArn"]
        params["SSESpecification"] = spec
    table_class = (cfg.get("TableClassSummary") or {}).get("TableClass")
    if table_class:
        params["TableClass"] = table_class
    if cfg.get("DeletionProtectionEnabled"):
        params["DeletionProtectionEnabled"] = True
    if res.tags:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in res.tags.items()]
    return params


class DynamoDBSeeder(Seeder):
    service = "dynamodb"
    after = ("kms",)

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        ctx.map(lambda r: self._table(ctx, r), resources)

    def _table(self, ctx: SeedContext, res: Resource) -> None:
        ddb = ctx.client("dynamodb", res.region)
        cfg = ctx.ref(res.config)
        created = ctx.attempt(res, "CreateTable", lambda: ddb.create_table(**create_table_params(res, cfg)))
        if created is None:
            return
        desc = created["TableDescription"]
        ctx.ids.record(res, sandbox_arn=desc.get("TableArn"))
        pitr = ((cfg.get("ContinuousBackups") or {}).get("PointInTimeRecoveryDescription") or {})
        if pitr.get("PointInTimeRecoveryStatus") == "ENABLED":
            ctx.attempt(res, "UpdateContinuousBackups", lambda: ddb.update_continuous_backups(
                TableName=res.name,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}))
        ttl = cfg.get("TimeToLive") or {}
        if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") and ttl.get("AttributeName"):
            ctx.attempt(res, "UpdateTimeToLive", lambda: ddb.update_time_to_live(
                TableName=res.name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}))
        self._items(ctx, ddb, res)

    def seed_data(self, ctx: SeedContext, resource: Resource) -> None:
        self._items(ctx, ctx.client("dynamodb", resource.region), resource)

    def _items(self, ctx: SeedContext, ddb: Any, res: Resource) -> None:
        data = res.data or {}
        items = data.get("sample") or []
        for start in range(0, len(items), 25):
            batch = [{"PutRequest": {"Item": _typed(i)}} for i in items[start:start + 25]]
            request = {res.name: batch}
            for _attempt in range(8):
                out = ctx.attempt(res, "BatchWriteItem", lambda r=request: ddb.batch_write_item(RequestItems=r))
                if out is None:
                    return
                request = out.get("UnprocessedItems") or {}
                if not request:
                    break
        if data:
            ctx.record_units(res, len(items))


def _typed(item: dict[str, Any]) -> dict[str, Any]:
    """Undo ``jsonable`` for binary attributes (``{"$b64": ...}`` -> bytes)."""
    import base64

    def conv(v: Any) -> Any:
        if isinstance(v, dict):
            if set(v) == {"$b64"}:
                return base64.b64decode(v["$b64"])
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v

    return conv(item)
