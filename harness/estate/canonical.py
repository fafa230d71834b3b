"""Canonical JSON and sha256 digests: the same document always hashes the same.

Canonical form: UTF-8, keys sorted, no insignificant whitespace (orjson with
OPT_SORT_KEYS). ``jsonable`` turns what boto3 returns (datetimes, Decimals, bytes)
into plain JSON values first, so a digest never depends on how a value was read.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import orjson


def jsonable(value: Any) -> Any:
    """Recursively convert boto3 values to JSON-safe ones (UTC ISO times, ints, str keys)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=canonical_text) if isinstance(value, set | frozenset) else items
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    if hasattr(value, "read"):  # StreamingBody and friends: never inline content
        return {"$stream": True}
    return value


def substitute(value: Any, mapping: dict[str, str]) -> Any:
    """``value`` with every string that is a key of ``mapping`` replaced (recursively)."""
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, dict):
        return {k: substitute(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, mapping) for v in value]
    return value


def canonical_bytes(value: Any) -> bytes:
    """The canonical UTF-8 JSON encoding of ``value``."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def canonical_text(value: Any) -> str:
    return canonical_bytes(value).decode()


def digest_of(value: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``value``."""
    return "sha256:" + hashlib.sha256(canonical_bytes(value)).hexdigest()


def digest_bytes(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def short_hash(value: Any) -> str:
    """A compact content hash (first 16 hex chars of sha256) for per-item hashes."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()[:16]
