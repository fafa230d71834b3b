"""Secrets Manager: secret metadata (description, KMS key, rotation, version stages,
scheduled deletion, tags) and the resource policy. Never a secret value.

This collector calls only ListSecrets, DescribeSecret and GetResourcePolicy; it never
calls GetSecretValue, so the value cannot reach a snapshot. The version ids it records
change when the value changes, which is how a change to a value still shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, parse_policy, tags_dict
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    volatile={"secret": ("config.LastChangedDate", "config.LastAccessedDate", "config.LastRotatedDate",
                         "config.NextRotationDate")},
    identity={"secret": ("CreatedDate",)},
    reseeded={"secret": ("config.Versions.*.VersionId", "config.DeletedDate")},
    why={
        "config.Last*Date": "moved by reads, writes and rotations of the value, which are not configuration",
        "config.NextRotationDate": "moves with time and with every rotation",
        "config.Versions.*.VersionId": "values are never captured; a sandbox holds placeholder versions with new "
                                       "ids in the same stages",
        "config.DeletedDate": "a seeded sandbox schedules the deletion when it is seeded",
    },
)

_DROP = frozenset({"ARN", "Name", "CreatedDate", "VersionIdsToStages", "SecretVersionsToStages", "Tags",
                   "ResponseMetadata"})


def versions(stages: dict[str, list[str]]) -> list[dict[str, Any]]:
    """``[{"VersionId", "Stages"}]`` ordered by stage names (AWSCURRENT, AWSPENDING, AWSPREVIOUS, ...)."""
    out = [{"VersionId": vid, "Stages": sorted(names)} for vid, names in stages.items()]
    return sorted(out, key=lambda v: (v["Stages"], v["VersionId"]))


class SecretsManagerCollector(Collector):
    service = "secretsmanager"
    client_name = "secretsmanager"
    types = ("secret",)
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        yield from self.each_listed(ctx, "ListSecrets", "SecretList", lambda s: self._secret(ctx, s),
                                    address=lambda s: (ctx.address("secret", s["Name"]), s["ARN"]),
                                    IncludePlannedDeletion=True)

    def _secret(self, ctx: CaptureContext, listed: dict[str, Any]) -> Resource | None:
        sm = ctx.client()
        name, arn = listed["Name"], listed["ARN"]
        address = ctx.address("secret", name)
        got = ctx.call(sm, "DescribeSecret", SecretId=arn, address=address, absent=("ResourceNotFoundException",))
        if got is None:
            return None
        config = {k: v for k, v in got.items() if k not in _DROP}
        config["Versions"] = versions(got.get("VersionIdsToStages") or {})
        policy = ctx.call(sm, "GetResourcePolicy", SecretId=arn, address=address) or {}
        return ctx.resource(
            "secret", name,
            arn=arn,
            config=config,
            tags=tags_dict(got.get("Tags")),
            policies={"ResourcePolicy": parse_policy(policy["ResourcePolicy"])}
            if policy.get("ResourcePolicy") else {},
            identity={"CreatedDate": got.get("CreatedDate")},
        )
