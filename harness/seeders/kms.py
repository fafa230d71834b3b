"""KMS seeder: customer managed keys with their policy, rotation, aliases and tags, then
the recorded state (disabled, or pending deletion with the remaining waiting period)."""

from __future__ import annotations

import json
from typing import Any

from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder, tag_list, waiting_days


class KMSSeeder(Seeder):
    service = "kms"

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        ctx.map(lambda r: self._key(ctx, r), resources)

    def _key(self, ctx: SeedContext, res: Resource) -> None:
        kms = ctx.client("kms", res.region)
        cfg = ctx.ref(res.config)
        params: dict[str, Any] = {"Description": cfg.get("Description") or ""}
        for name in ("KeyUsage", "KeySpec", "MultiRegion"):
            if cfg.get(name) is not None:
                params[name] = cfg[name]
        if cfg.get("Origin") == "EXTERNAL":  # key material is never captured: the key waits for import
            params["Origin"] = "EXTERNAL"
        policy = ctx.ref(res.policies.get("KeyPolicy"))
        if policy:
            params["Policy"] = json.dumps(policy)
        if res.tags:
            params["Tags"] = tag_list(res.tags, "TagKey", "TagValue")
        created = ctx.attempt(res, "CreateKey", lambda: kms.create_key(**params))
        if created is None:
            return
        meta = created["KeyMetadata"]
        key_id = meta["KeyId"]
        ctx.ids.record(res, sandbox_id=key_id, sandbox_arn=meta.get("Arn"))
        if cfg.get("KeyRotationEnabled"):
            period = {"RotationPeriodInDays": cfg["RotationPeriodInDays"]} if cfg.get("RotationPeriodInDays") else {}
            ctx.attempt(res, "EnableKeyRotation", lambda: kms.enable_key_rotation(KeyId=key_id, **period))
        for alias in cfg.get("Aliases") or []:
            ctx.attempt(res, "CreateAlias", lambda a=alias: kms.create_alias(AliasName=a, TargetKeyId=key_id))
        state = cfg.get("KeyState")
        if state == "Disabled":
            ctx.attempt(res, "DisableKey", lambda: kms.disable_key(KeyId=key_id))
        elif state == "PendingDeletion":
            days = waiting_days(cfg.get("DeletionDate"), ctx.snapshot.captured_at)
            ctx.attempt(res, "ScheduleKeyDeletion", lambda: kms.schedule_key_deletion(
                KeyId=key_id, PendingWindowInDays=days))
