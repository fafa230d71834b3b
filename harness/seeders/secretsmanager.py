"""Secrets Manager seeder: secrets with a placeholder value (the real value is never
captured, so it never exists in a sandbox), the recorded version stages, KMS key,
resource policy, rotation, tags and a scheduled deletion."""

from __future__ import annotations

import json
from typing import Any

from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder, tag_list, waiting_days

PLACEHOLDER = "shadow-placeholder"
_CURRENT, _PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"


class SecretsManagerSeeder(Seeder):
    service = "secretsmanager"
    after = ("kms", "lambda")  # the KMS key and the rotation function must exist first

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        ctx.map(lambda r: self._secret(ctx, r), resources)

    def _secret(self, ctx: SeedContext, res: Resource) -> None:
        sm = ctx.client("secretsmanager", res.region)
        cfg = ctx.ref(res.config)
        params: dict[str, Any] = {"Name": res.name, "SecretString": PLACEHOLDER}
        for name in ("Description", "KmsKeyId"):
            if cfg.get(name):
                params[name] = cfg[name]
        if res.tags:
            params["Tags"] = tag_list(res.tags)
        created = ctx.attempt(res, "CreateSecret", lambda: sm.create_secret(**params))
        if created is None:
            return
        arn = created["ARN"]
        ctx.ids.record(res, sandbox_arn=arn)
        self._versions(ctx, res, sm, arn, [v.get("Stages") or [] for v in cfg.get("Versions") or []])
        policy = ctx.ref(res.policies.get("ResourcePolicy"))
        if policy:
            ctx.attempt(res, "PutResourcePolicy", lambda: sm.put_resource_policy(
                SecretId=arn, ResourcePolicy=json.dumps(policy)))
        if cfg.get("RotationEnabled"):
            rotation: dict[str, Any] = {"SecretId": arn, "RotateImmediately": False}
            if cfg.get("RotationLambdaARN"):
                rotation["RotationLambdaARN"] = cfg["RotationLambdaARN"]
            if cfg.get("RotationRules"):
                rotation["RotationRules"] = cfg["RotationRules"]
            ctx.attempt(res, "RotateSecret", lambda: sm.rotate_secret(**rotation))
        if cfg.get("DeletedDate"):
            days = waiting_days(cfg["DeletedDate"], ctx.snapshot.captured_at)
            ctx.attempt(res, "DeleteSecret", lambda: sm.delete_secret(SecretId=arn, RecoveryWindowInDays=days))

    def _versions(self, ctx: SeedContext, res: Resource, sm: Any, arn: str, recorded: list[list[str]]) -> None:
        """Placeholder versions in the recorded stages (CreateSecret made the AWSCURRENT one)."""
        if any(_PREVIOUS in stages for stages in recorded):
            ctx.attempt(res, "PutSecretValue", lambda: sm.put_secret_value(SecretId=arn, SecretString=PLACEHOLDER))
        labelled: dict[str, list[str]] = {}
        for stages in recorded:
            extra = [s for s in stages if s not in (_CURRENT, _PREVIOUS)]
            home = _CURRENT if _CURRENT in stages else _PREVIOUS if _PREVIOUS in stages else None
            if home:
                labelled.setdefault(home, []).extend(extra)
            elif extra:
                ctx.attempt(res, "PutSecretValue", lambda e=extra: sm.put_secret_value(
                    SecretId=arn, SecretString=PLACEHOLDER, VersionStages=e))
        if not any(labelled.values()):
            return
        described = ctx.attempt(res, "DescribeSecret", lambda: sm.describe_secret(SecretId=arn)) or {}
        version_of = {stage: vid for vid, stages in (described.get("VersionIdsToStages") or {}).items()
                      for stage in stages}
        for home, extra in labelled.items():
            for stage in extra:
                ctx.attempt(res, "UpdateSecretVersionStage", lambda s=stage, h=home: sm.update_secret_version_stage(
                    SecretId=arn, VersionStage=s, MoveToVersionId=version_of.get(h, "")))
