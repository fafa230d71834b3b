"""The change set: the normalized, measured effect of a change.

Per resource: the action (create/update/delete/replace), changed field paths with
before/after values, data effects (in sandbox and production units) and access
grants added or removed. ``unknown`` marks a resource whose state could not be read
before or after: the tri-state UNKNOWN that makes a verdict inconclusive when the
change touched it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.estate.snapshot import Resource


@dataclass(frozen=True)
class FieldChange:
    """One changed path inside a resource (``Attributes.RedrivePolicy``)."""

    path: str
    before: Any
    after: Any
    kind: str = "changed"  # changed | added | removed

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "before": self.before, "after": self.after}


@dataclass
class DataEffect:
    """Data written or lost: items, objects, messages or rows.

    ``inserted``/``updated``/``deleted`` are what the sandbox measured;
    ``production`` holds the same figures in production units: equal when the
    sandbox held all the data, scaled (production count / sandbox count) when it held
    a sample, and the whole production count when the resource itself was deleted.
    ``exact`` is False when the figures are estimates (a sample, or counts only).
    """

    unit: str
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    before_count: int | None = None
    after_count: int | None = None
    production_count: int | None = None
    production: dict[str, int] = field(default_factory=dict)
    exact: bool = True

    @property
    def any(self) -> bool:
        return bool(self.inserted or self.updated or self.deleted or any(self.production.values()))

    def in_production(self, kind: str) -> int:
        return int(self.production.get(kind, getattr(self, kind)))

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit, "inserted": self.inserted, "updated": self.updated, "deleted": self.deleted,
            "before_count": self.before_count, "after_count": self.after_count,
            "production_count": self.production_count, "exact": self.exact,
            "production": {k: self.in_production(k) for k in ("inserted", "updated", "deleted")},
        }


@dataclass(frozen=True, order=True)
class Grant:
    """An access grant: ``principal`` may do ``action`` on ``resource``.

    ``source`` says where it comes from (``iam:role/deployer`` policy ``admin``,
    a bucket policy, a security group rule). ``public`` marks grants to everyone
    (``*`` principals, 0.0.0.0/0, ::/0, AllUsers).
    """

    principal: str
    action: str
    resource: str
    source: str = ""
    conditional: bool = False
    public: bool = False

    def key(self) -> tuple[str, str, str]:
        return (self.principal, self.action, self.resource)

    def to_json(self) -> dict[str, Any]:
        return {"principal": self.principal, "action": self.action, "resource": self.resource,
                "source": self.source, "conditional": self.conditional, "public": self.public}

    def __str__(self) -> str:
        return f"{self.principal} -> {self.action} on {self.resource}"


@dataclass
class ResourceChange:
    """The measured change of one resource."""

    address: str
    service: str
    type: str
    action: str  # create | update | delete | replace
    fields: list[FieldChange] = field(default_factory=list)
    data: DataEffect | None = None
    grants_added: list[Grant] = field(default_factory=list)
    grants_removed: list[Grant] = field(default_factory=list)
    before: Resource | None = None
    after: Resource | None = None
    calls: list[int] = field(default_factory=list)  # seq numbers of trace calls that touched it
    replaced_by: str = ""  # why it is a replace: "identity" | "trace"

    @property
    def destructive(self) -> bool:
        return self.action in ("delete", "replace") or bool(self.data and self.data.in_production("deleted"))

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address, "service": self.service, "type": self.type, "action": self.action,
            "fields": [f.to_json() for f in self.fields],
            "data": self.data.to_json() if self.data else None,
            "grants_added": [g.to_json() for g in self.grants_added],
            "grants_removed": [g.to_json() for g in self.grants_removed],
            "calls": self.calls, "replaced_by": self.replaced_by,
        }


@dataclass
class Unknown:
    """A resource (or a whole service) whose state could not be read."""

    address: str | None
    service: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "service": self.service, "reason": self.reason}


@dataclass
class ChangeSet:
    """Every measured change, plus what could not be measured."""

    changes: dict[str, ResourceChange] = field(default_factory=dict)
    unknown: list[Unknown] = field(default_factory=list)

    def by_action(self, action: str) -> list[ResourceChange]:
        return [c for c in self.changes.values() if c.action == action]

    @property
    def destructive(self) -> bool:
        return any(c.destructive for c in self.changes.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "changes": [c.to_json() for _, c in sorted(self.changes.items())],
            "unknown": [u.to_json() for u in self.unknown],
        }
