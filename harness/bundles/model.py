"""The bundle model: what an agent submits (BUNDLE.md), parsed and validated."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACTIONS = ("create", "update", "delete", "replace")
_BOUND = re.compile(r"^\s*(<=|>=|<|>|==)?\s*([0-9]+)\s*$")


@dataclass(frozen=True)
class Bound:
    """A data bound such as ``<=100`` or ``0``; ``None`` op means any number."""

    op: str | None
    value: int = 0

    @classmethod
    def parse(cls, raw: int | str) -> Bound:
        if isinstance(raw, int):
            return cls("==", raw)
        text = raw.strip()
        if text in ("*", "any"):
            return cls(None)
        match = _BOUND.match(text)
        if not match:  # the schema already refuses this; keep the model total
            raise ValueError(f"bad bound {raw!r}")
        return cls(match[1] or "==", int(match[2]))

    def allows(self, n: float) -> bool:
        if self.op is None:
            return True
        return {
            "==": n == self.value,
            "<=": n <= self.value,
            ">=": n >= self.value,
            "<": n < self.value,
            ">": n > self.value,
        }[self.op]

    def __str__(self) -> str:
        return "any" if self.op is None else f"{'' if self.op == '==' else self.op}{self.value}"


@dataclass(frozen=True)
class DataBounds:
    inserted: Bound | None = None
    updated: Bound | None = None
    deleted: Bound | None = None

    def bound(self, kind: str) -> Bound | None:
        return getattr(self, kind)


@dataclass(frozen=True)
class Effect:
    """A declared effect: an action on resources matching an address glob."""

    action: str
    resource: str
    fields: tuple[str, ...] | None = None
    data: DataBounds | None = None
    optional: bool = False
    reason: str = ""
    index: int = 0  # position in intent.effects (for messages: intent.effects[2])

    @property
    def where(self) -> str:
        return f"intent.effects[{self.index}]"


@dataclass(frozen=True)
class AccessGrantDecl:
    """A grant the change may add: principal, actions, resource (globs allowed)."""

    principal: str
    actions: tuple[str, ...]
    resource: str


@dataclass
class Intent:
    summary: str
    effects: list[Effect] = field(default_factory=list)
    access: list[AccessGrantDecl] = field(default_factory=list)
    assumes_exists: list[str] = field(default_factory=list)
    assumes_absent: list[str] = field(default_factory=list)
    accepts: list[str] = field(default_factory=list)


@dataclass
class Bundle:
    """A loaded, validated bundle with every file it carries and its digest."""

    path: Path  # the bundle file
    root: Path  # the bundle folder; every carried path is inside it
    name: str
    author: str
    description: str
    intent: Intent
    kind: str
    change: dict[str, Any]
    files: dict[str, Path]  # relative path -> absolute path, every carried file
    digest: str
    manifest: dict[str, Any]
    raw: dict[str, Any]

    @property
    def timeout(self) -> int | None:
        value = self.change.get("timeout")
        return int(value) if value is not None else None

    def file(self, rel: str) -> Path:
        """The absolute path of a carried file or folder named in the change."""
        return self.root / rel


def parse_intent(raw: dict[str, Any]) -> Intent:
    effects = []
    for i, e in enumerate(raw.get("effects") or []):
        data = e.get("data")
        bounds = None
        if data is not None:
            bounds = DataBounds(**{k: Bound.parse(v) for k, v in data.items()})
        effects.append(Effect(
            action=e["action"], resource=e["resource"],
            fields=tuple(e["fields"]) if "fields" in e else None,
            data=bounds, optional=bool(e.get("optional", False)), reason=e.get("reason", ""), index=i,
        ))
    access = [AccessGrantDecl(a["principal"], tuple(a["actions"]), a["resource"]) for a in raw.get("access") or []]
    assumes = raw.get("assumes") or {}
    return Intent(
        summary=raw["summary"], effects=effects, access=access,
        assumes_exists=list(assumes.get("exists") or []), assumes_absent=list(assumes.get("absent") or []),
        accepts=list(raw.get("accepts") or []),
    )
