"""S3: buckets (versioning, lifecycle, policy, ACL, public access block, encryption,
ownership, tags) and object metadata (key, size, etag, last-modified; version count).

Object contents are never read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, parse_policy, tags_dict
from harness.estate.canonical import jsonable
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    volatile={"bucket": ("config.Acl.Owner.DisplayName",)},
    identity={"bucket": ("CreationDate",)},
    reseeded={"bucket": ("data.objects.*.etag", "data.objects.*.last_modified")},
    why={
        "config.Acl.Owner.DisplayName": "display names are cosmetic and differ between accounts",
        "data.objects.*.etag": "a sandbox holds placeholder bodies of the same size, not the content",
        "data.objects.*.last_modified": "set by S3 when the object was written, also when seeded",
    },
)


class S3Collector(Collector):
    service = "s3"
    client_name = "s3"
    is_global = True
    types = ("bucket",)
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        s3 = ctx.client("s3")
        listing = ctx.call(s3, "ListBuckets")
        if listing is None:
            return
        yield from (r for r in ctx.map(lambda b: self._bucket(ctx, b), listing.get("Buckets", [])) if r)

    def _bucket(self, ctx: CaptureContext, bucket: dict[str, Any]) -> Resource | None:
        name = bucket["Name"]
        s3 = ctx.client("s3")
        address = ctx.address("bucket", name, ctx.primary_region)
        loc = ctx.call(s3, "GetBucketLocation", Bucket=name, address=address) or {}
        region = loc.get("LocationConstraint") or "us-east-1"
        if region == "EU":
            region = "eu-west-1"
        if region != ctx.region:
            s3 = ctx.client("s3", region)

        def get(op: str, key: str | None, absent: tuple[str, ...] = ()) -> Any:
            out = ctx.call(s3, op, Bucket=name, address=address, absent=absent)
            if out is None:
                return None
            out.pop("ResponseMetadata", None)
            return out.get(key) if key else out

        versioning = get("GetBucketVersioning", None) or {}
        config: dict[str, Any] = {
            "Versioning": {k: versioning[k] for k in ("Status", "MFADelete") if k in versioning},
            "Lifecycle": get("GetBucketLifecycleConfiguration", "Rules", ("NoSuchLifecycleConfiguration",)),
            "Acl": get("GetBucketAcl", None),
            "PublicAccessBlock": get(
                "GetPublicAccessBlock", "PublicAccessBlockConfiguration",
                ("NoSuchPublicAccessBlockConfiguration",),
            ),
            "Encryption": get(
                "GetBucketEncryption", "ServerSideEncryptionConfiguration",
                ("ServerSideEncryptionConfigurationNotFoundError",),
            ),
            "OwnershipControls": get(
                "GetBucketOwnershipControls", "OwnershipControls", ("OwnershipControlsNotFoundError",)
            ),
        }
        policy = get("GetBucketPolicy", "Policy", ("NoSuchBucketPolicy",))
        tags = get("GetBucketTagging", "TagSet", ("NoSuchTagSet",))
        data = self._objects(ctx, s3, name, address, versioning.get("Status") in ("Enabled", "Suspended"))
        return ctx.resource(
            "bucket", name, region=region, address=address,
            arn=f"arn:aws:s3:::{name}",
            config=config,
            tags=tags_dict(tags),
            policies={"BucketPolicy": parse_policy(policy)} if policy else {},
            data=data,
            identity={"CreationDate": bucket.get("CreationDate")},
        )

    def _objects(self, ctx: CaptureContext, s3: Any, name: str, address: str,
                 versioned: bool) -> dict[str, Any] | None:
        objects: dict[str, dict[str, Any]] = {}
        count = 0
        total = 0
        truncated = False
        try:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
                for obj in page.get("Contents", []):
                    count += 1
                    total += obj.get("Size", 0)
                    if len(objects) < ctx.limits.objects:
                        objects[obj["Key"]] = {
                            "size": obj.get("Size", 0),
                            "etag": obj.get("ETag", "").strip('"'),
                            "last_modified": obj.get("LastModified"),
                        }
                    else:
                        truncated = True
                if truncated:
                    break
        except Exception as exc:
            ctx.gap("ListObjectsV2", "error", str(exc), address)
            return None
        data: dict[str, Any] = {"unit": "objects", "count": count, "bytes": total,
                                "objects": objects, "truncated": truncated}
        if versioned:
            versions = ctx.paginate(s3, "ListObjectVersions", "Versions", Bucket=name, address=address)
            markers = ctx.paginate(s3, "ListObjectVersions", "DeleteMarkers", Bucket=name, address=address)
            data["versions"] = None if versions is None else len(versions)
            data["delete_markers"] = None if markers is None else len(markers)
        return jsonable(data)
