"""Match a measured change set against the bundle's declared intent (BUNDLE.md).

Rules: every changed resource is covered by a declared effect with the same action
(address globs allowed); ``fields`` limits an update to those paths (``*`` = one
segment; a path covers everything below it); data changes need ``data`` bounds,
counted in production units (a declared delete or replace implies the loss of the
resource's data); every declared effect happened unless ``optional``; ``assumes`` is
checked against the production snapshot before anything runs.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from harness.bundles.model import Effect, Intent
from harness.diff.model import ChangeSet, ResourceChange
from harness.estate.address import matches
from harness.estate.snapshot import Snapshot
from harness.findings import Finding

DATA_KINDS = ("inserted", "updated", "deleted")


@dataclass
class EffectRow:
    """One declared effect and the measured changes it covers (intent vs effect)."""

    effect: Effect
    covered: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.covered:
            return "happened"
        return "optional, did not happen" if self.effect.optional else "missing"

    def to_json(self) -> dict[str, Any]:
        e = self.effect
        return {"index": e.index, "action": e.action, "resource": e.resource,
                "fields": list(e.fields) if e.fields is not None else None,
                "data": {k: str(b) for k in DATA_KINDS if (b := e.data.bound(k)) is not None} if e.data else None,
                "optional": e.optional, "status": self.status, "covered": self.covered}


@dataclass
class IntentResult:
    rows: list[EffectRow]
    findings: list[Finding]
    undeclared: list[str]  # addresses of changes no effect covers


def field_covered(path: str, declared: tuple[str, ...]) -> bool:
    """True when a declared path (``*`` per segment) is ``path`` or one of its ancestors."""
    parts = path.split(".")
    for pattern in declared:
        pat = pattern.split(".")
        if len(pat) <= len(parts) and all(fnmatch.fnmatchcase(p, q) for p, q in zip(parts, pat, strict=False)):
            return True
    return False


def check_assumes(intent: Intent, snapshot: Snapshot) -> list[Finding]:
    """SHD-STALE-ASSUMPTION for each false belief about production."""
    out: list[Finding] = []
    addresses = list(snapshot.resources)
    for pattern in intent.assumes_exists:
        if not any(matches(pattern, a) for a in addresses):
            out.append(Finding("SHD-STALE-ASSUMPTION", "block",
                               f"the bundle assumes {pattern} exists, but production has no such resource "
                               f"(snapshot {snapshot.captured_at})", address=pattern,
                               title="an assumption about production is false"))
    for pattern in intent.assumes_absent:
        hits = [a for a in addresses if matches(pattern, a)]
        if hits:
            out.append(Finding("SHD-STALE-ASSUMPTION", "block",
                               f"the bundle assumes {pattern} is absent, but production has "
                               f"{', '.join(hits[:5])}", address=hits[0],
                               title="an assumption about production is false"))
    return out


def match(intent: Intent, changes: ChangeSet) -> IntentResult:
    rows = [EffectRow(e) for e in intent.effects]
    findings: list[Finding] = []
    undeclared: list[str] = []
    for address, change in sorted(changes.changes.items()):
        candidates = [r for r in rows if matches(r.effect.resource, address)]
        same = [r for r in candidates if r.effect.action == change.action]
        if not same:
            undeclared.append(address)
            declared = sorted({r.effect.action for r in candidates})
            if declared:
                msg = (f"{address} was {_past(change.action)}, but the intent declares "
                       f"{' / '.join(declared)} ({', '.join(r.effect.where for r in candidates)})")
            else:
                msg = f"{address} was {_past(change.action)}, and no declared effect covers it"
            findings.append(Finding("SHD-UNDECLARED-CHANGE", "block", msg, address=address,
                                    title="a change the intent does not declare"))
            continue
        for r in same:
            r.covered.append(address)
        findings.extend(_fields(change, same))
        findings.extend(_data(change, same))
    for row in rows:
        if not row.covered and not row.effect.optional:
            findings.append(Finding(
                "SHD-EFFECT-MISSING", "block",
                f"declared {row.effect.action} of {row.effect.resource} ({row.effect.where}) did not happen",
                address=row.effect.resource, title="a declared effect did not happen"))
    return IntentResult(rows, findings, undeclared)


def _past(action: str) -> str:
    return {"create": "created", "update": "updated", "delete": "deleted", "replace": "replaced"}[action]


def _fields(change: ResourceChange, effects: list[EffectRow]) -> list[Finding]:
    if change.action != "update":
        return []
    declared = [r.effect.fields for r in effects]
    if any(f is None for f in declared):
        return []
    allowed = tuple(p for fs in declared for p in (fs or ()))
    out = []
    for fc in change.fields:
        if not field_covered(fc.path, allowed):
            out.append(Finding(
                "SHD-UNDECLARED-FIELD", "block",
                f"{change.address}: {fc.path} changed ({_short(fc.before)} -> {_short(fc.after)}), "
                f"outside the declared fields [{', '.join(allowed)}]",
                address=change.address, path=fc.path, title="an update outside the declared fields"))
    return out


def _data(change: ResourceChange, effects: list[EffectRow]) -> list[Finding]:
    data = change.data
    if data is None:
        return []
    bounds = next((r.effect.data for r in effects if r.effect.data is not None), None)
    out = []
    for kind in DATA_KINDS:
        n = data.in_production(kind)
        if n == 0 or (kind == "deleted" and change.action in ("delete", "replace")):
            continue
        bound = bounds.bound(kind) if bounds else None
        if bound is not None and bound.allows(n):
            continue
        approx = "" if data.exact else "about "
        limit = f"the declared bound is {bound}" if bound is not None else (
            "the intent declares no data changes" if bounds is None else f"the intent allows no {kind} {data.unit}")
        out.append(Finding(
            "SHD-DATA-BOUND", "block",
            f"{change.address}: {approx}{n} {data.unit} {kind} (production units); {limit}",
            address=change.address, path=data.unit, title="data changed beyond the declared bounds"))
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
