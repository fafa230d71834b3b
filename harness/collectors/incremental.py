"""Incremental after-capture: read only what a change can have touched, carry the rest.

``capture_incremental`` returns the snapshot a full capture of the sandbox would (the
one ``Sandbox.capture`` returns, at production addresses), reading only what
``plan.plan_capture`` names: the called services' listings, the focused resources, and
services read whole. Everything else comes from ``before``, the capture taken before
the change. References are then linked exactly as a full capture links them: to a
resource the change deleted, or gave another id or ARN, they read as the raw value
again; ids of resources the change created are linked wherever they appear, carried
resources included.

A resource found gone from a listing makes what references it (and what it
references) read again, round after round; after ``MAX_ROUNDS`` everything is read whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from harness.aws import Target
from harness.collectors.base import Limits, Partial
from harness.collectors.capture import Collected, capture, collect, link_ids, sort_gaps
from harness.collectors.cascades import EVENTBRIDGE
from harness.collectors.plan import SETTINGS, CapturePlan, PlanContext, References, merge, plan_capture, service_of
from harness.diff.masks import drop_paths, rules_paths, sort_unordered
from harness.errors import SandboxFailure
from harness.estate.canonical import canonical_text, substitute
from harness.estate.snapshot import Gap, Resource, Snapshot, Source

if TYPE_CHECKING:
    from harness.seeders.base import IdMap

MAX_ROUNDS = 4
MODES = ("incremental", "full", "verify")


def capture_incremental(target: Target, before: Snapshot, calls: Iterable[Any], *, ids: IdMap | None = None,
                        limits: Limits | None = None, workers: int = 8,
                        plan: CapturePlan | None = None) -> Snapshot:
    """The sandbox after ``calls``, as a full capture would read it, reading only what they can have touched.

    ``before``: the capture of the same sandbox before the calls (production addresses);
    ``calls``: the traced calls (isolation ``Call`` or anything with service, operation,
    params, mutating and status); ``ids``: the sandbox's id map (its aliases name
    resources whose sandbox address differs from production's).
    """
    limits = limits or limits_of(before)
    if plan is None:
        plan = plan_capture(before, calls, notifications=Notifications(target, before))
    if plan.everything:
        return full_capture(target, before, ids=ids, limits=limits, workers=workers)
    return _Incremental(target, before, plan, ids, limits, workers).run()


def full_capture(target: Target, before: Snapshot, *, ids: IdMap | None = None, limits: Limits | None = None,
                 workers: int = 8) -> Snapshot:
    """A full capture of the services ``before`` holds, at production addresses (as ``Sandbox.capture``)."""
    after = capture(target, regions=list(before.source.regions), services=before.services or None,
                    limits=limits or limits_of(before), workers=workers)
    if ids is not None:
        after.resources = ids.production_view(after.resources)
    return after


def limits_of(snapshot: Snapshot) -> Limits:
    return Limits(**{k: v for k, v in snapshot.limits.items() if k in Limits.__dataclass_fields__})


class Notifications:
    """Bucket name -> the ARNs its event notifications go to (``EVENTBRIDGE`` for EventBridge);
    None when they cannot be read."""

    def __init__(self, target: Target, before: Snapshot):
        self.target = target
        self.before = before

    def __call__(self, bucket: str) -> list[str] | None:
        from botocore.exceptions import BotoCoreError, ClientError

        res = self.before.resources.get(f"s3:bucket/{bucket}")
        region = res.region if res is not None else self.target.region
        try:
            got = self.target.client("s3", region).get_bucket_notification_configuration(Bucket=bucket)
        except (ClientError, BotoCoreError):
            return None
        arns = [c["QueueArn"] for c in got.get("QueueConfigurations") or []]
        arns += [c["TopicArn"] for c in got.get("TopicConfigurations") or []]
        if "EventBridgeConfiguration" in got:
            arns.append(EVENTBRIDGE)
        return arns


class _Incremental:
    """One incremental capture: rounds of focused collection, then the merge with ``before``."""

    def __init__(self, target: Target, before: Snapshot, plan: CapturePlan, ids: IdMap | None, limits: Limits,
                 workers: int):
        from harness.collectors import REGISTRY

        self.registry = REGISTRY
        self.target, self.before, self.plan, self.limits, self.workers = target, before, plan, limits, workers
        self.ids = ids
        aliases = ids.aliases if ids is not None else {}
        self.prod_of = {sb: prod for sb, (prod, _name) in aliases.items()}
        self.sb_of = {prod: sb for sb, prod in self.prod_of.items()}
        self.captured = set(before.services) or set(REGISTRY.names())
        self.regions = list(before.source.regions)
        self.whole = {s for s in plan.whole if s in self.captured}
        # a service whose listing had a gap before is read whole: its gaps cannot be told apart per resource
        self.whole |= {g.service for g in before.gaps if g.address is None and g.service in plan.services()}
        self.focus = dict(plan.focus)
        self.read: dict[str, Collected] = {}

    def run(self) -> Snapshot:
        pending = {s for s in self.plan.services() if s in self.captured}
        handled: set[str] = set()
        for _round in range(MAX_ROUNDS):
            if pending:
                self._collect(pending)
            gone = self._gone() - handled
            handled |= gone
            pending = self._around(gone)
            if not pending:
                return self._merge()
        self.plan.read_everything(f"deletions kept cascading after {MAX_ROUNDS} rounds")
        return full_capture(self.target, self.before, ids=self.ids, limits=self.limits, workers=self.workers)

    def _collect(self, services: set[str]) -> None:
        partials: dict[tuple[str, str], Partial] = {}
        for service in services - self.whole:
            collector = self.registry.get(service)
            for region in [self.regions[0]] if collector.is_global else self.regions:
                known = {self.sb_of.get(a, a): r for a, r in self.before.resources.items()
                         if r.service == service and (collector.is_global or r.region == region)}
                focus = {self.sb_of.get(a, a): f for a, f in self.focus.items() if service_of(a) == service}
                partials[(service, region)] = Partial(known, focus)
        got = collect(self.target, [self.registry.get(s) for s in sorted(services)], regions=self.regions,
                      account=self.before.source.account, limits=self.limits, workers=self.workers,
                      partials=partials)
        for service in services:
            part = Collected()
            part.resources = {a: r for a, r in got.resources.items() if r.service == service}
            part.gaps = [g for g in got.gaps if g.service == service]
            part.kept = {k: v for k, v in got.kept.items() if k[0] == service}
            self.read[service] = part

    def _present(self) -> set[str]:
        """Production addresses of what the services read so far hold (read or carried)."""
        out = {self.prod_of.get(a, a) for part in self.read.values() for a in part.resources}
        out |= {self.prod_of.get(a, a) for part in self.read.values() for kept in part.kept.values() for a in kept}
        return out

    def _gone(self) -> set[str]:
        present = self._present()
        return {a for a, r in self.before.resources.items() if r.service in self.read and a not in present}

    def _around(self, gone: set[str]) -> set[str]:
        """Focus what references (or is referenced by) a deleted resource and was not read; their services."""
        if not gone:
            return set()
        refs = References(self.before)
        services: set[str] = set()
        for address in sorted(gone):
            for other in refs.around(address):
                service = service_of(other)
                if service not in self.captured or service in self.whole or (
                        other in self.focus and self.focus[other].config):
                    continue
                self.focus[other] = merge(self.focus.get(other, SETTINGS), SETTINGS)
                self.plan.add(other, SETTINGS, f"references {address}, found deleted")
                services.add(service)
        return services

    def _merge(self) -> Snapshot:
        kept = {a for part in self.read.values() for keep in part.kept.values() for a in keep}
        combined: dict[str, Resource] = {}
        for part in self.read.values():
            combined.update(part.resources)
        for address, res in self.before.resources.items():
            if res.service not in self.read or self.sb_of.get(address, address) in kept:
                combined[address] = replace(res)  # a copy: linking rebinds its config, never before's
        now = {self.prod_of.get(a, a): r for a, r in combined.items()}
        unlink: dict[str, str] = {}
        for address, res in self.before.resources.items():
            # references to a deleted resource, or to an id or ARN a resource no longer has (a new task
            # definition revision), read as the raw value again, as in a full capture
            after = now.get(address)
            if res.id and len(res.id) >= 6 and (after is None or after.id != res.id):
                unlink[f"@{address}"] = res.id
            if res.arn and res.arn != res.id and (after is None or after.arn != res.arn):
                unlink[f"@{address}#arn"] = res.arn
        if unlink:
            for res in combined.values():
                res.config = substitute(res.config, unlink)
                res.policies = substitute(res.policies, unlink)
        link_ids(combined)
        for res in combined.values():
            sort_unordered(res)
        resources = self.ids.production_view(combined) if self.ids is not None else combined
        gaps: list[Gap] = [g for part in self.read.values() for g in part.gaps]
        gaps += [g for g in self.before.gaps if g.service not in self.read
                 or (g.address is not None and g.address in kept)]
        src = self.before.source
        return Snapshot(
            source=Source(src.account, list(src.regions), self.target.kind, self.target.endpoint_url),
            resources=dict(sorted(resources.items())),
            gaps=sort_gaps(gaps),
            services=list(self.before.services),
            limits=dict(self.before.limits),
        )


def capture_after(box: Any, sim: Any, mode: str = "incremental") -> Snapshot:
    """The after-capture of a simulation's sandbox, by ``mode``.

    ``full`` reads everything (``box.capture()``); ``incremental`` reads what the change
    can have touched; ``verify`` does both, keeps the full one as the result, stores the
    incremental one on ``sim.after_incremental`` and notes every difference.
    """
    check_mode(mode)
    if mode == "full" or sim.before is None:
        return box.capture()
    if not box.backend.health():
        raise SandboxFailure("the sandbox stopped answering", where=box.endpoint)
    ids = box.seeded.ids if box.seeded is not None else None
    plan = plan_capture(sim.before, sim.calls, notifications=Notifications(box.target(), sim.before))
    incremental = capture_incremental(box.target(), sim.before, sim.calls, ids=ids, plan=plan)
    if mode == "incremental":
        return incremental
    full = box.capture()
    sim.after_incremental = incremental
    for difference in differences(full, incremental):
        sim.notes.append(f"incremental after-capture differs from the full one: {difference}")
    return full


def check_mode(mode: str) -> None:
    """An unknown capture mode is bad input (before anything runs)."""
    if mode not in MODES:
        from harness.errors import BadInput

        raise BadInput(f"unknown capture mode {mode!r}", hint=f"Use one of: {', '.join(MODES)}")


def comparable(res: Resource) -> dict[str, Any]:
    """A resource as compared for equivalence: everything but its volatile paths (they move with time,
    ``ServiceRules.volatile``), a DynamoDB sample as a set (its order is the emulator's)."""
    doc = drop_paths(res.to_json(), rules_paths(res))
    data = doc.get("data")
    if isinstance(data, dict) and isinstance(data.get("sample"), list):
        doc["data"] = {**data, "sample": sorted(canonical_text(i) for i in data["sample"])}
    return doc


def differences(full: Snapshot, incremental: Snapshot,
                view: Callable[[Resource], dict[str, Any]] = comparable) -> list[str]:
    """Where two captures of the same state disagree, resource by resource (and in their gaps)."""
    out: list[str] = []
    for address in sorted(set(full.resources) | set(incremental.resources)):
        a, b = full.resources.get(address), incremental.resources.get(address)
        if a is None or b is None:
            out.append(f"{address}: only in the {'incremental' if a is None else 'full'} capture")
        elif view(a) != view(b):
            x, y = view(a), view(b)
            keys = sorted(k for k in set(x) | set(y) if x.get(k) != y.get(k))
            out.append(f"{address}: {', '.join(keys)} differ")
    gaps_a = sorted(canonical_text(g.__dict__) for g in full.gaps)
    gaps_b = sorted(canonical_text(g.__dict__) for g in incremental.gaps)
    if gaps_a != gaps_b:
        out.append(f"gaps differ: {len(gaps_a)} in the full capture, {len(gaps_b)} in the incremental one")
    return out


__all__ = ["MODES", "PlanContext", "capture_after", "capture_incremental", "differences", "full_capture"]
