"""S3 seeder: buckets with their configuration, policy and tags; objects as
placeholder bodies of the recorded size (content is never captured)."""

from __future__ import annotations

import json
from typing import Any

from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder

MAX_PLACEHOLDER_BYTES = 1024 * 1024


class S3Seeder(Seeder):
    service = "s3"
    after = ("iam", "kms")

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        ctx.map(lambda r: self._bucket(ctx, r), resources)

    def _bucket(self, ctx: SeedContext, res: Resource) -> None:
        s3 = ctx.client("s3", res.region)
        cfg = ctx.ref(res.config)
        name = res.name
        create: dict[str, Any] = {"Bucket": name}
        if res.region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": res.region}
        if ctx.attempt(res, "CreateBucket", lambda: s3.create_bucket(**create)) is None:
            return
        ctx.ids.record(res, sandbox_arn=f"arn:aws:s3:::{name}")
        if (cfg.get("OwnershipControls") or None) is not None:
            ctx.attempt(res, "PutBucketOwnershipControls", lambda: s3.put_bucket_ownership_controls(
                Bucket=name, OwnershipControls=cfg["OwnershipControls"]))
        if cfg.get("PublicAccessBlock"):
            ctx.attempt(res, "PutPublicAccessBlock", lambda: s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=cfg["PublicAccessBlock"]))
        status = (cfg.get("Versioning") or {}).get("Status")
        if status:
            ctx.attempt(res, "PutBucketVersioning", lambda: s3.put_bucket_versioning(
                Bucket=name, VersioningConfiguration={"Status": status}))
        if cfg.get("Lifecycle"):
            ctx.attempt(res, "PutBucketLifecycleConfiguration", lambda: s3.put_bucket_lifecycle_configuration(
                Bucket=name, LifecycleConfiguration={"Rules": cfg["Lifecycle"]}))
        if cfg.get("Encryption"):
            ctx.attempt(res, "PutBucketEncryption", lambda: s3.put_bucket_encryption(
                Bucket=name, ServerSideEncryptionConfiguration=cfg["Encryption"]))
        acl = cfg.get("Acl")
        if acl and acl.get("Grants"):
            ctx.attempt(res, "PutBucketAcl", lambda: s3.put_bucket_acl(
                Bucket=name, AccessControlPolicy={"Grants": acl["Grants"], "Owner": acl.get("Owner", {})}))
        policy = ctx.ref(res.policies.get("BucketPolicy"))
        if policy:
            ctx.attempt(res, "PutBucketPolicy", lambda: s3.put_bucket_policy(
                Bucket=name, Policy=json.dumps(policy)))
        if res.tags:
            ctx.attempt(res, "PutBucketTagging", lambda: s3.put_bucket_tagging(
                Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in res.tags.items()]}))
        self._objects(ctx, s3, res)

    def _objects(self, ctx: SeedContext, s3: Any, res: Resource) -> None:
        data = res.data or {}
        objects: dict[str, dict[str, Any]] = data.get("objects") or {}

        def put(item: tuple[str, dict[str, Any]]) -> None:
            key, meta = item
            body = b"\0" * min(int(meta.get("size", 0)), MAX_PLACEHOLDER_BYTES)
            ctx.attempt(res, "PutObject", lambda: s3.put_object(Bucket=res.name, Key=key, Body=body))

        ctx.map(put, objects.items())
        if data:
            ctx.record_units(res, len(objects))
