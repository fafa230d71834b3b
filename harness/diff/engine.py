"""Diff two captures of a sandbox into a change set.

Across resources, a canonical hash of each resource's comparable form skips the
unchanged ones; inside a changed resource, DeepDiff gives the changed field paths.
Data is compared item by item through per-item hashes (DynamoDB), object metadata
(S3) or counts (SQS, rows). A resource whose identity (creation time, generated id)
changed, or that the trace shows deleted and then created, is a ``replace`` even when
its end state looks identical. Resources behind a capture gap are ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deepdiff import DeepDiff

from harness.collectors import rules_for
from harness.diff.access import Resolver, grants_of
from harness.diff.calls import AddressIndex, addresses_of, is_create, is_delete
from harness.diff.masks import drop_paths, rules_paths
from harness.diff.model import ChangeSet, DataEffect, FieldChange, ResourceChange, Unknown
from harness.estate.canonical import digest_of
from harness.estate.snapshot import Resource, Snapshot


@dataclass
class TracedCall:
    """The part of a traced call the diff needs (decoupled from the isolation layer)."""

    seq: int
    service: str
    operation: str
    params: dict[str, Any] = field(default_factory=dict)
    ok: bool = True
    mutating: bool = True


def config_view(res: Resource) -> dict[str, Any]:
    """What counts as the resource's settings: config, tags, policies; volatile paths dropped."""
    doc = {"config": res.config, "tags": res.tags, "policies": res.policies}
    paths = [p for p in rules_paths(res) if p.split(".", 1)[0] in doc]
    view = drop_paths(doc, paths)
    flat = dict(view["config"])
    flat["Tags"] = view["tags"]
    flat["Policies"] = view["policies"]
    return flat


def field_changes(before: Resource, after: Resource) -> list[FieldChange]:
    """Changed dot paths (``Attributes.RedrivePolicy``) with before/after values."""
    a, b = config_view(before), config_view(after)
    if digest_of(a) == digest_of(b):
        return []
    delta = DeepDiff(a, b, ignore_order=True, view="tree", verbose_level=2)
    out: list[FieldChange] = []
    for levels in delta.values():
        for level in levels:
            path = ".".join(str(p) for p in level.path(output_format="list"))
            t1 = None if _missing(level.t1) else level.t1
            t2 = None if _missing(level.t2) else level.t2
            out.extend(_leaves(path, t1, t2))
    out.sort(key=lambda f: f.path)
    return out


def _leaves(path: str, before: Any, after: Any) -> list[FieldChange]:
    """Split a change of two mappings into per-key changes (``Tags`` -> ``Tags.env``)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[FieldChange] = []
        for key in sorted(set(before) | set(after), key=str):
            x, y = before.get(key), after.get(key)
            if x != y:
                out.extend(_leaves(f"{path}.{key}", x, y))
        return out
    kind = "added" if before is None else "removed" if after is None else "changed"
    return [FieldChange(path, before, after, kind)]


def _missing(value: Any) -> bool:
    return type(value).__name__ == "NotPresent"


def identity_changed(before: Resource, after: Resource) -> bool:
    """True when a value that only changes on re-creation differs."""
    keys = rules_for(before.service).identity.get(before.type, ()) or tuple(before.identity)
    for key in keys:
        x, y = before.identity.get(key), after.identity.get(key)
        if x is not None and y is not None and x != y:
            return True
    return False


def data_effect(before: Resource | None, after: Resource | None, production: Resource | None,
                *, recreated: bool) -> DataEffect | None:
    """Items/objects/messages/rows inserted, updated, deleted."""
    bd = (before.data if before else None) or {}
    ad = (after.data if after else None) or {}
    unit = bd.get("unit") or ad.get("unit")
    if not unit:
        return None
    b_count, a_count = bd.get("count"), ad.get("count")
    prod_count = ((production.data or {}).get("count") if production else None)
    effect = DataEffect(unit=unit, before_count=b_count, after_count=a_count, production_count=prod_count)
    if before is None or after is None or recreated:
        effect.deleted = int(b_count or 0) if before is not None else 0
        effect.inserted = int(a_count or 0) if after is not None else 0
        effect.exact = bool(bd.get("count_exact", True)) and not bd.get("truncated")
    else:
        _compare(bd, ad, effect)
    # production units: a deleted container loses everything production holds
    scale = 1.0
    if prod_count and b_count and prod_count != b_count:
        scale = prod_count / b_count
        effect.exact = False
    effect.production = {k: round(getattr(effect, k) * scale) for k in ("inserted", "updated", "deleted")}
    if (after is None or recreated) and before is not None and prod_count:
        effect.production["deleted"] = int(prod_count)
    return effect if effect.any else None


def _compare(bd: dict[str, Any], ad: dict[str, Any], effect: DataEffect) -> None:
    for key in ("hashes", "objects"):
        if key in bd and key in ad and not bd.get("truncated") and not ad.get("truncated"):
            effect.inserted, effect.updated, effect.deleted = count_changes(bd[key] or {}, ad[key] or {})
            return
    b, a = bd.get("count"), ad.get("count")
    if b is None or a is None:
        effect.exact = False
        return
    effect.inserted = max(0, int(a) - int(b))
    effect.deleted = max(0, int(b) - int(a))
    effect.exact = False


_MISSING = object()


def count_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[int, int, int]:
    """(inserted, updated, deleted) between two per-item maps, in one pass over ``before``.

    One lookup per item: the cost is memory-bound at a million items, so passes count.
    The same map (data an incremental capture carried over) is unchanged at no cost.
    """
    if before is after:
        return 0, 0, 0
    deleted = updated = 0
    get = after.get
    for key, value in before.items():
        other = get(key, _MISSING)
        if other is _MISSING:
            deleted += 1
        elif other != value:
            updated += 1
    return len(after) - (len(before) - deleted), updated, deleted


def _recreated_by_trace(calls: list[TracedCall], index: AddressIndex) -> dict[str, list[int]]:
    """Addresses that a successful delete and a later successful create both named."""
    deleted: dict[str, int] = {}
    out: dict[str, list[int]] = {}
    for call in calls:
        if not call.ok:
            continue
        for address in addresses_of(call.service, call.params, index):
            if is_delete(call.service, call.operation):
                deleted.setdefault(address, call.seq)
            elif is_create(call.service, call.operation) and address in deleted:
                out[address] = [deleted[address], call.seq]
    return out


def touched(calls: list[TracedCall], index: AddressIndex) -> dict[str, list[int]]:
    """Address -> seq numbers of the mutating calls that named it."""
    out: dict[str, list[int]] = {}
    for call in calls:
        if call.mutating:
            for address in addresses_of(call.service, call.params, index):
                out.setdefault(address, []).append(call.seq)
    return out


def _relink(after: Snapshot, before: Snapshot) -> None:
    """Let references to resources deleted by the change still read ``@address``."""
    from harness.collectors.capture import link_index
    from harness.estate.canonical import substitute

    gone = link_index(r for a, r in before.resources.items() if a not in after.resources)
    if not gone:
        return
    for res in after.resources.values():
        res.config = substitute(res.config, gone)
        res.policies = substitute(res.policies, gone)


def _gap_services(snap: Snapshot) -> set[str]:
    return {g.service for g in snap.gaps if g.address is None}


def diff(before: Snapshot, after: Snapshot, *, production: Snapshot | None = None,
         calls: list[TracedCall] | None = None) -> ChangeSet:
    """The change set between two captures of the same sandbox."""
    calls = calls or []
    _relink(after, before)
    index = AddressIndex([before, after])
    recreated = _recreated_by_trace(calls, index)
    by_call = touched(calls, index)
    resolve = Resolver(before, after)
    changes = ChangeSet()
    blind = _gap_services(before) | _gap_services(after)
    for service in sorted(blind):
        changes.unknown.append(Unknown(None, service, "the service could not be listed"))
    gap_addresses = {g.address for s in (before, after) for g in s.gaps if g.address}
    for address in sorted(gap_addresses):
        res = before.resources.get(address) or after.resources.get(address)
        changes.unknown.append(Unknown(address, res.service if res else address.split(":", 1)[0],
                                       "the resource could not be read completely"))
    for address in sorted(set(before.resources) | set(after.resources)):
        b, a = before.resources.get(address), after.resources.get(address)
        res = b or a
        assert res is not None
        if res.service in blind:
            continue
        prod = production.resources.get(address) if production else None
        change = _resource_change(address, b, a, prod, recreated, resolve, before, after)
        if change is not None:
            change.calls = by_call.get(address, [])
            changes.changes[address] = change
    return changes


def _resource_change(address: str, b: Resource | None, a: Resource | None, prod: Resource | None,
                     recreated: dict[str, list[int]], resolve: Resolver, before: Snapshot,
                     after: Snapshot) -> ResourceChange | None:
    res = b or a
    assert res is not None
    if b is None:
        action, why = "create", ""
    elif a is None:
        action, why = "delete", ""
    elif identity_changed(b, a):
        action, why = "replace", "identity"
    elif address in recreated:
        action, why = "replace", "trace"
    else:
        action, why = "update", ""
    fields = field_changes(b, a) if (b is not None and a is not None) else []
    data = data_effect(b, a, prod, recreated=action == "replace")
    g_before = grants_of(b, before, resolve) if b is not None else set()
    g_after = grants_of(a, after, resolve) if a is not None else set()
    added = sorted(g_after - g_before)
    removed = sorted(g_before - g_after)
    if action == "update" and not fields and data is None and not added and not removed:
        return None
    return ResourceChange(address=address, service=res.service, type=res.type, action=action,
                          fields=fields, data=data, grants_added=added, grants_removed=removed,
                          before=b, after=a, replaced_by=why)
