"""Small builders for change sets and intents used by unit tests of intent and policies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from harness.bundles.model import AccessGrantDecl, Intent, parse_intent
from harness.config import Config
from harness.diff.model import ChangeSet, DataEffect, FieldChange, Grant, ResourceChange
from harness.estate.snapshot import Resource, Snapshot, Source
from harness.intent.match import match
from harness.policies import ExecutionFacts, PolicyContext, apply_config, evaluate


def res(address: str, *, data: dict[str, Any] | None = None, config: dict[str, Any] | None = None,
        refs: dict[str, str] | None = None) -> Resource:
    service, rest = address.split(":", 1)
    rtype, name = rest.split("/", 1)
    return Resource(address=address, service=service, type=rtype, name=name, region="us-east-1",
                    config=config or {}, data=data, refs=refs or {})


def change(address: str, action: str, *, fields: list[tuple[str, Any, Any]] = (), deleted: int = 0,
           inserted: int = 0, updated: int = 0, unit: str = "items", grants: list[Grant] = (),
           before_data: dict[str, Any] | None = None, before_config: dict[str, Any] | None = None,
           refs: dict[str, str] | None = None) -> ResourceChange:
    before = None if action == "create" else res(address, data=before_data, config=before_config, refs=refs)
    after = None if action == "delete" else res(address)
    data = None
    if deleted or inserted or updated:
        data = DataEffect(unit=unit, inserted=inserted, updated=updated, deleted=deleted,
                          production={"inserted": inserted, "updated": updated, "deleted": deleted})
    rtype = address.split(":", 1)[1].split("/", 1)[0]
    return ResourceChange(address=address, service=address.split(":", 1)[0], type=rtype, action=action,
                          fields=[FieldChange(p, b, a) for p, b, a in fields], data=data,
                          grants_added=list(grants), before=before, after=after)


def changeset(*changes: ResourceChange) -> ChangeSet:
    return ChangeSet(changes={c.address: c for c in changes})


def intent(effects: list[dict[str, Any]] | None = None, access: list[dict[str, Any]] | None = None,
           **extra: Any) -> Intent:
    raw: dict[str, Any] = {"summary": "test", "effects": effects or []}
    if access:
        raw["access"] = access
    raw.update(extra)
    return parse_intent(raw)


def snapshot(*resources: Resource) -> Snapshot:
    return Snapshot(source=Source("210987654321", ["us-east-1"]), resources={r.address: r for r in resources})


def findings_for(cs: ChangeSet, it: Intent, *, config: Config | None = None,
                 execution: ExecutionFacts | None = None, now: dt.datetime | None = None,
                 production: Snapshot | None = None) -> list:
    result = match(it, cs)
    ctx = PolicyContext(cs, it, result, production or snapshot(), None, execution or ExecutionFacts(),
                        config or Config(), now or dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
    return apply_config(result.findings + evaluate(ctx), ctx)


def rules(findings: list, *, blocking: bool | None = None) -> set[str]:
    return {f.rule for f in findings if blocking is None or f.blocking == blocking}


__all__ = ["AccessGrantDecl", "Grant", "change", "changeset", "findings_for", "intent", "res", "rules",
           "snapshot"]
