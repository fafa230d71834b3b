"""Seed a sandbox from a snapshot: seeders in dependency order, services of one level
in parallel, resources of one service on a bounded pool."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from harness.aws import Target
from harness.collectors.base import Limits
from harness.estate.snapshot import Resource, Snapshot
from harness.seeders.base import IdMap, SeedContext, Seeder, SeedProblem


@dataclass
class SeedResult:
    """What seeding produced: the id map, production units, and what failed."""

    ids: IdMap
    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[SeedProblem] = field(default_factory=list)
    unseeded_services: list[str] = field(default_factory=list)

    def problem_addresses(self) -> set[str]:
        return {p.address for p in self.problems}


def levels(seeders: dict[str, Seeder]) -> list[list[str]]:
    """Topological levels of services by their ``after`` dependencies."""
    remaining = dict(seeders)
    done: set[str] = set()
    out: list[list[str]] = []
    while remaining:
        ready = sorted(n for n, s in remaining.items()
                       if all(d in done or d not in seeders for d in s.after))
        if not ready:  # a cycle: seed the rest in name order rather than hang
            ready = sorted(remaining)
        out.append(ready)
        done.update(ready)
        for n in ready:
            remaining.pop(n)
    return out


def seed(target: Target, snapshot: Snapshot, *, limits: Limits | None = None,
         workers: int = 8) -> SeedResult:
    """Recreate ``snapshot`` in the sandbox behind ``target``."""
    from harness.seeders import REGISTRY

    ctx = SeedContext(target, snapshot, limits, workers)
    by_service: dict[str, list[Resource]] = {}
    for res in snapshot.resources.values():
        by_service.setdefault(res.service, []).append(res)
    unseeded = sorted(s for s in by_service if s not in REGISTRY)
    for service in unseeded:
        for res in by_service[service]:
            ctx.problem(res.address, "seed", f"no seeder for service {service!r}")
    seeders = {s: REGISTRY.get(s) for s in by_service if s in REGISTRY}
    owned = _stacks_first(ctx, seeders, by_service)
    for level in levels(seeders):
        with ThreadPoolExecutor(max_workers=max(1, len(level))) as pool:
            futures = [pool.submit(seeders[s].seed, ctx, by_service[s]) for s in level]
            for f in futures:
                f.result()
    for address in sorted(owned):
        res = snapshot.resources.get(address)
        seeder = REGISTRY.get(res.service) if res is not None and res.service in REGISTRY else None
        if res is not None and seeder is not None:
            seeder.seed_data(ctx, res)
    return SeedResult(ids=ctx.ids, units=ctx.units, problems=ctx.problems,
                      unseeded_services=unseeded)


def _stacks_first(ctx: SeedContext, seeders: dict[str, Seeder], by_service: dict[str, list[Resource]]) -> set[str]:
    """Seed CloudFormation stacks before anything else; the resources a stack alone creates
    are taken out of their own seeders' lists (their data is seeded after the others)."""
    stacks = seeders.pop("cloudformation", None)
    if stacks is None:
        return set()
    stacks.seed(ctx, by_service["cloudformation"])
    owned = {a for a in stacks.owned(by_service["cloudformation"])
             if a not in {p.address for p in ctx.problems}}
    for service, resources in by_service.items():
        if service != "cloudformation":
            by_service[service] = [r for r in resources if r.address not in owned]
    return owned
