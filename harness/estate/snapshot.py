"""The snapshot document (``shadow.snapshot/v1``): model, validation, load and save.

A snapshot is what production looked like: every resource by address with its
configuration, tags, policies and data metadata, plus the gaps the capture could not
read. Its digest is the sha256 of its canonical JSON without the ``digest`` field.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as pkg_resources
from pathlib import Path
from typing import Any

import orjson

from harness.errors import SnapshotError
from harness.estate.canonical import canonical_bytes, digest_of
from harness.fsutil import atomic_write

FORMAT = "shadow.snapshot/v1"
MAX_SNAPSHOT_BYTES = 2 * 1024**3


@dataclass
class Source:
    """Where a snapshot was read from."""

    account: str
    regions: list[str]
    endpoint_kind: str = "aws"
    endpoint: str | None = None

    @property
    def primary_region(self) -> str:
        return self.regions[0]


@dataclass
class Gap:
    """Something the capture could not read; the resource is unknown, not absent."""

    service: str
    region: str
    operation: str
    reason: str  # access-denied | unsupported | error
    message: str = ""
    address: str | None = None


@dataclass
class Resource:
    """One resource: configuration, tags, policies, data metadata and identity.

    ``identity`` holds values that change when a resource is deleted and recreated
    (creation times, generated ids); it is compared only to detect replacement.
    ``refs`` names related resources by address (a snapshot's database, ...).
    """

    address: str
    service: str
    type: str
    name: str
    region: str
    id: str | None = None
    arn: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    policies: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] | None = None
    identity: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "service": self.service,
            "type": self.type,
            "name": self.name,
            "region": self.region,
            "id": self.id,
            "arn": self.arn,
            "config": self.config,
            "tags": self.tags,
            "policies": self.policies,
            "data": self.data,
            "identity": self.identity,
        }
        if self.refs:
            doc["refs"] = self.refs
        return doc

    @classmethod
    def from_json(cls, address: str, doc: dict[str, Any]) -> Resource:
        return cls(
            address=address,
            service=doc["service"],
            type=doc["type"],
            name=doc["name"],
            region=doc["region"],
            id=doc.get("id"),
            arn=doc.get("arn"),
            config=doc.get("config") or {},
            tags=doc.get("tags") or {},
            policies=doc.get("policies") or {},
            data=doc.get("data"),
            identity=doc.get("identity") or {},
            refs=doc.get("refs") or {},
        )


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Snapshot:
    """A versioned capture of an estate."""

    source: Source
    resources: dict[str, Resource] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)
    captured_at: str = field(default_factory=now_iso)
    services: list[str] = field(default_factory=list)
    limits: dict[str, Any] = field(default_factory=dict)

    def to_json(self, *, with_digest: bool = True) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "format": FORMAT,
            "captured_at": self.captured_at,
            "source": {
                "account": self.source.account,
                "regions": list(self.source.regions),
                "endpoint_kind": self.source.endpoint_kind,
                "endpoint": self.source.endpoint,
            },
            "services": list(self.services),
            "limits": dict(self.limits),
            "resources": {a: r.to_json() for a, r in sorted(self.resources.items())},
            "gaps": [gap_to_json(g) for g in self.gaps],
        }
        if with_digest:
            doc["digest"] = digest_of(doc)
        return doc

    @property
    def digest(self) -> str:
        return digest_of(self.to_json(with_digest=False))

    def gaps_for(self, address: str, service: str, region: str | None = None) -> list[Gap]:
        """Gaps that make ``address`` unknown: its own, or its whole service's listing."""
        return [
            g
            for g in self.gaps
            if g.address == address
            or (g.address is None and g.service == service and (region is None or g.region in (region, "global")))
        ]

    @classmethod
    def from_json(cls, doc: Any, *, where: str = "snapshot") -> Snapshot:
        validate(doc, where=where)
        src = doc["source"]
        snapshot = cls(
            source=Source(src["account"], list(src["regions"]), src["endpoint_kind"], src.get("endpoint")),
            resources={a: Resource.from_json(a, r) for a, r in doc["resources"].items()},
            gaps=[Gap(**g) for g in doc.get("gaps", [])],
            captured_at=doc["captured_at"],
            services=list(doc.get("services", [])),
            limits=dict(doc.get("limits", {})),
        )
        stored = doc.get("digest")
        if stored and stored != snapshot.digest:
            raise SnapshotError(
                "the digest does not match the content (the file was edited after capture)",
                where=f"{where}: digest",
                hint="Recapture, or delete the digest field if the edit is intended",
            )
        return snapshot


def gap_to_json(gap: Gap) -> dict[str, Any]:
    return {
        "service": gap.service,
        "region": gap.region,
        "operation": gap.operation,
        "reason": gap.reason,
        "message": gap.message,
        "address": gap.address,
    }


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(
        pkg_resources.files("harness.estate").joinpath("snapshot.schema.json").read_text()
    )
    return jsonschema.Draft202012Validator(schema)


def validate(doc: Any, *, where: str = "snapshot") -> None:
    """Check ``doc`` against shadow.snapshot/v1; the first error names the field and why."""
    if not isinstance(doc, dict):
        raise SnapshotError(
            f"expected a JSON object, found {type(doc).__name__}",
            where=where,
            hint="A snapshot is the JSON object written by `shadow capture`",
        )
    fmt = doc.get("format")
    if fmt != FORMAT:
        raise SnapshotError(
            f"unsupported format {fmt!r} (this shadow reads {FORMAT!r})",
            where=f"{where}: format",
            hint="Recapture with `shadow capture`, or upgrade shadow",
        )
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        fields = [str(p) for p in err.absolute_path]
        message = err.message
        if err.validator == "required" and isinstance(err.instance, dict):
            missing = [f for f in err.validator_value if f not in err.instance]
            fields.append(missing[0])
            message = "required field is missing"
        path = ".".join(fields) or "(top level)"
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise SnapshotError(
            f"{message}{more}",
            where=f"{where}: {path}",
            hint="Fix the field or recapture with `shadow capture`",
        )


def load(path: str | Path) -> Snapshot:
    """Read and validate a snapshot file; any problem is a SnapshotError (exit 2)."""
    p = Path(path)
    where = str(p)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise SnapshotError("file not found", where=where,
                            hint="Check the path, or capture one with `shadow capture -o FILE`") from None
    except OSError as exc:
        raise SnapshotError(f"cannot read the file ({exc.strerror})", where=where) from None
    if p.is_dir():
        raise SnapshotError("is a folder, not a snapshot file", where=where)
    if size > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(f"file is {size} bytes, above the {MAX_SNAPSHOT_BYTES} byte limit", where=where)
    raw = p.read_bytes()
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        line, col = _line_col(raw, exc.pos)
        raise SnapshotError(
            f"not valid JSON ({exc.msg})",
            where=f"{where}:{line}:{col}",
            hint="The file may be truncated or hand-edited; recapture with `shadow capture`",
        ) from None
    return Snapshot.from_json(doc, where=where)


def _line_col(raw: bytes, pos: int) -> tuple[int, int]:
    head = raw[:pos]
    line = head.count(b"\n") + 1
    col = pos - (head.rfind(b"\n") + 1) + 1
    return line, col


def save(snapshot: Snapshot, path: str | Path) -> Path:
    """Write the snapshot (pretty, with its digest) atomically."""
    doc = snapshot.to_json()
    return atomic_write(path, orjson.dumps(doc, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n")


def dumps(snapshot: Snapshot) -> bytes:
    return canonical_bytes(snapshot.to_json())
