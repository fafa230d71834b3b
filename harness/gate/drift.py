"""Drift: has production changed, where the bundle acts, since the snapshot it was simulated on?

The production resources the bundle touches (the simulated change set, the addresses
its calls and declared effects name) are captured again with the same collectors and
limits and diffed against the simulated snapshot with the same engine. Any change,
and any resource that cannot be read now, counts as drift (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.aws import Target
from harness.bundles.model import Bundle
from harness.collectors.base import Limits
from harness.collectors.capture import capture
from harness.diff.calls import AddressIndex, addresses_of
from harness.diff.engine import diff
from harness.diff.model import ChangeSet
from harness.estate.address import matches
from harness.estate.snapshot import Snapshot


def touched(bundle: Bundle, snapshot: Snapshot, report: dict[str, Any]) -> set[str]:
    """Addresses the bundle acts on: measured changes, named by its calls, declared in its intent."""
    out = {c["address"] for c in report.get("changes", [])}
    index = AddressIndex([snapshot])
    for call in bundle.change.get("calls") or []:
        out.update(addresses_of(call["service"], dict(call.get("params") or {}), index))
    for effect in bundle.intent.effects:
        out.update(a for a in snapshot.resources if matches(effect.resource, a))
        if not any(ch in effect.resource for ch in "*?["):
            out.add(effect.resource)
    return out


def services_of(addresses: set[str]) -> list[str]:
    return sorted({a.split(":", 1)[0] for a in addresses})


def limits_of(snapshot: Snapshot) -> Limits:
    return Limits(**{k: v for k, v in snapshot.limits.items() if k in Limits.__dataclass_fields__})


def watched_services(snapshot: Snapshot, addresses: set[str]) -> list[str]:
    """Every service the snapshot covers (so that apply sees effects anywhere), else those of ``addresses``."""
    from harness.collectors import REGISTRY

    wanted = set(snapshot.services) | set(services_of(addresses)) if snapshot.services else set(services_of(addresses))
    return sorted(s for s in wanted if s in REGISTRY)


def recapture(target: Target, snapshot: Snapshot, addresses: set[str]) -> Snapshot:
    """Production now, read like the original snapshot (same collectors, regions and limits)."""
    return capture(target, regions=list(snapshot.source.regions), services=watched_services(snapshot, addresses),
                   limits=limits_of(snapshot))


def restrict(snapshot: Snapshot, addresses: set[str]) -> Snapshot:
    """The part of ``snapshot`` about ``addresses`` (and the gaps that could hide them)."""
    services = {a.split(":", 1)[0] for a in addresses}
    return Snapshot(source=snapshot.source, captured_at=snapshot.captured_at, services=snapshot.services,
                    limits=snapshot.limits,
                    resources={a: r for a, r in snapshot.resources.items() if a in addresses},
                    gaps=[g for g in snapshot.gaps if g.address in addresses or
                          (g.address is None and g.service in services)])


@dataclass
class Drift:
    """What differs between the simulated snapshot and production now, where the bundle acts."""

    addresses: list[str]
    changes: ChangeSet
    problems: list[str] = field(default_factory=list)  # wrong account, unreadable resources

    @property
    def drifted(self) -> bool:
        return bool(self.changes.changes or self.changes.unknown or self.problems)

    def lines(self) -> list[str]:
        out = list(self.problems)
        for address, change in sorted(self.changes.changes.items()):
            if change.action != "update":
                verb = {"create": "now exists (absent in the snapshot)", "delete": "no longer exists",
                        "replace": "was deleted and recreated"}[change.action]
                out.append(f"{address} {verb}")
            for f in change.fields:
                out.append(f"{address} {f.path}: {_short(f.before)} -> {_short(f.after)}")
            if change.data:
                d = change.data
                out.append(f"{address} data: {d.inserted} {d.unit} added, {d.updated} changed, {d.deleted} removed")
            for g in change.grants_added:
                out.append(f"{address} grant added: {g}")
            for g in change.grants_removed:
                out.append(f"{address} grant removed: {g}")
        for unknown in self.changes.unknown:
            out.append(f"{unknown.address or unknown.service}: {unknown.reason} (cannot tell whether it changed)")
        return out

    def to_json(self) -> dict[str, Any]:
        return {"addresses": self.addresses, "drifted": self.drifted, "lines": self.lines()}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check(target: Target, snapshot: Snapshot, addresses: set[str]) -> tuple[Drift, Snapshot]:
    """Compare production now with the simulated snapshot over ``addresses``; also return the capture."""
    now = recapture(target, snapshot, addresses)
    drift = Drift(sorted(addresses), diff(restrict(snapshot, addresses), restrict(now, addresses)))
    if now.source.account != snapshot.source.account:
        drift.problems.append(f"the target is account {now.source.account}, but the simulation ran on a snapshot "
                              f"of account {snapshot.source.account}")
    return drift, now
