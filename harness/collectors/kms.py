"""KMS: customer managed keys (usage, spec, state incl. a scheduled deletion, rotation,
key policy, aliases, tags), addressed by their first alias in name order.

AWS managed keys (KeyManager ``AWS``, aliases ``alias/aws/*``) are skipped: every account
has them. Key ids and ARNs are random, so they go into ``id``/``arn`` where
``capture.link_ids`` and the seeders' IdMap translate them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, parse_policy, tags_dict
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    identity={"key": ("CreationDate",)},
    reseeded={"key": ("config.DeletionDate",)},
    why={
        "config.DeletionDate": "a seeded sandbox schedules the deletion when it is seeded, with the "
                               "remaining waiting period rounded up to whole days (7 to 30)",
    },
)

ALIAS_PREFIX = "alias/"
AWS_ALIAS_PREFIX = "alias/aws/"
_DROP = frozenset({"KeyId", "Arn", "AWSAccountId", "CreationDate", "KeyManager", "CustomerMasterKeySpec"})


def key_name(key_id: str, aliases: list[str]) -> str:
    """The address name of a key: its first alias (name order) without ``alias/``, else its id."""
    return sorted(aliases)[0][len(ALIAS_PREFIX):] if aliases else key_id


def rotates(meta: dict[str, Any]) -> bool:
    """Automatic rotation applies only to symmetric keys with KMS-made key material."""
    return meta.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT" and meta.get("Origin") == "AWS_KMS"


class KMSCollector(Collector):
    service = "kms"
    client_name = "kms"
    types = ("key",)
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        kms = ctx.client()
        keys = ctx.paginate(kms, "ListKeys", "Keys")
        aliases = ctx.paginate(kms, "ListAliases", "Aliases")
        if keys is None or aliases is None:  # without aliases no key can be named: all unknown
            return
        by_key: dict[str, list[str]] = {}
        for alias in aliases:
            if alias.get("TargetKeyId"):
                by_key.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
        customer = [k["KeyId"] for k in keys
                    if not (by_key.get(k["KeyId"]) and all(a.startswith(AWS_ALIAS_PREFIX)
                                                           for a in by_key[k["KeyId"]]))]
        customer = [k for k in customer if not self._carry(ctx, k, sorted(by_key.get(k, [])))]
        yield from (r for r in ctx.map(lambda k: self._key(ctx, k, sorted(by_key.get(k, []))), customer) if r)

    @staticmethod
    def _carry(ctx: CaptureContext, key_id: str, aliases: list[str]) -> bool:
        """Carry a key over only while the listing shows it with the aliases it had (they name it)."""
        address = ctx.address("key", key_name(key_id, aliases))
        before = ctx.known(address)
        return before is not None and before.config.get("Aliases") == aliases and ctx.carry(address, key_id)

    def _key(self, ctx: CaptureContext, key_id: str, aliases: list[str]) -> Resource | None:
        kms = ctx.client()
        address = ctx.address("key", key_name(key_id, aliases))
        got = ctx.call(kms, "DescribeKey", KeyId=key_id, address=address, absent=("NotFoundException",))
        if got is None:
            return None
        meta = got["KeyMetadata"]
        if meta.get("KeyManager") == "AWS":
            return None
        config: dict[str, Any] = {k: v for k, v in meta.items() if k not in _DROP}
        config["Aliases"] = aliases
        if rotates(meta):
            rotation = ctx.call(kms, "GetKeyRotationStatus", KeyId=key_id, address=address) or {}
            config["KeyRotationEnabled"] = rotation.get("KeyRotationEnabled")
            if rotation.get("RotationPeriodInDays"):
                config["RotationPeriodInDays"] = rotation["RotationPeriodInDays"]
        policy = ctx.call(kms, "GetKeyPolicy", KeyId=key_id, PolicyName="default", address=address)
        tags = ctx.paginate(kms, "ListResourceTags", "Tags", KeyId=key_id, address=address)
        return ctx.resource(
            "key", key_name(key_id, aliases),
            id=key_id, arn=meta.get("Arn"),
            config=config,
            tags=tags_dict(tags, key="TagKey", value="TagValue"),
            policies={"KeyPolicy": parse_policy(policy["Policy"])} if policy and policy.get("Policy") else {},
            identity={"CreationDate": meta.get("CreationDate")},
        )
