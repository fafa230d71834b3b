"""S3: buckets (versioning, lifecycle, policy, ACL, public access block, encryption,
ownership, tags) and object metadata (key, size, etag, last-modified; version count).

Object contents are never read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from harness.collectors.base import (
    CARRY_DATA,
    CaptureContext,
    Collector,
    Focus,
    ServiceRules,
    parse_policy,
    tags_dict,
)
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
        buckets = [b for b in listing.get("Buckets", [])
                   if not ctx.carry(ctx.address("bucket", b["Name"], ctx.primary_region))]
        yield from (r for r in ctx.map(lambda b: self._bucket(ctx, b), buckets) if r)

    def _bucket(self, ctx: CaptureContext, bucket: dict[str, Any]) -> Resource | None:
        name = bucket["Name"]
        address = ctx.address("bucket", name, ctx.primary_region)
        focus, before = ctx.focus(address), ctx.known(address)
        if before is not None and not focus.config:  # only objects changed: the settings are carried
            s3 = ctx.client("s3", before.region) if before.region != ctx.region else ctx.client("s3")
            return replace(before, data=self._data(ctx, s3, name, address, focus, before))
        s3 = ctx.client("s3")
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
        if before is not None and focus.data == CARRY_DATA:
            data = before.data
        else:
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

    def _data(self, ctx: CaptureContext, s3: Any, name: str, address: str, focus: Focus,
              before: Resource) -> dict[str, Any] | None:
        """Object metadata of a bucket whose settings are carried: carried, per key, or listed whole."""
        data = before.data or {}
        if focus.data == CARRY_DATA:
            return before.data
        versioned = "versions" in data or (before.config.get("Versioning") or {}).get("Status") in (
            "Enabled", "Suspended")
        if isinstance(focus.data, frozenset) and not versioned:
            updated = self._objects_by_key(ctx, s3, name, address, data, focus.data)
            if updated is not None:
                return updated
        return self._objects(ctx, s3, name, address, versioned)

    def _objects_by_key(self, ctx: CaptureContext, s3: Any, name: str, address: str, data: dict[str, Any],
                        keys: frozenset[str]) -> dict[str, Any] | None:
        """The previous object metadata with ``keys`` read again; None when only a full listing can tell.

        A key's entry comes from ListObjectsV2 with the key as prefix: the key itself sorts
        first among the keys it prefixes, and the listing gives the same fields (and
        precision) as the full listing does.
        """
        if data.get("unit") != "objects" or data.get("truncated") or not isinstance(data.get("objects"), dict):
            return None
        objects = dict(data["objects"])

        def read(key: str) -> tuple[str, dict[str, Any] | None] | None:
            got = ctx.call(s3, "ListObjectsV2", Bucket=name, Prefix=key, MaxKeys=1, address=address, record=False)
            if got is None:
                return None
            first = (got.get("Contents") or [None])[0]
            return key, (jsonable(object_entry(first)) if first and first.get("Key") == key else None)

        for found in ctx.map(read, sorted(keys)):
            if found is None:
                return None  # unreadable: list the whole bucket instead (which records any gap)
            key, entry = found
            if entry is None:
                objects.pop(key, None)
            else:
                objects[key] = entry
        if len(objects) > ctx.limits.objects:
            return None
        objects = dict(sorted(objects.items()))
        return {**data, "count": len(objects), "bytes": sum(o.get("size", 0) for o in objects.values()),
                "objects": objects}

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
                        objects[obj["Key"]] = object_entry(obj)
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


def object_entry(obj: dict[str, Any]) -> dict[str, Any]:
    """An object's metadata as a listing gives it: size, etag, last-modified."""
    return {"size": obj.get("Size", 0), "etag": obj.get("ETag", "").strip('"'),
            "last_modified": obj.get("LastModified")}
