"""``shadow demo``: sample production on a private moto server -> capture -> sandbox.

Prints what a new user needs to see that the ground works: what was captured, that
the sandbox seeded from the snapshot reads back the same, and how long each step took.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from harness.collectors.capture import capture
from harness.demo.estate import PROD_ACCOUNT, SECRET_VALUE, build_estate
from harness.diff.masks import comparable
from harness.estate.snapshot import Snapshot, save
from harness.sandbox.moto import MotoBackend
from harness.sandbox.session import Sandbox


@dataclass
class DemoResult:
    snapshot: Snapshot
    snapshot_path: Path
    mirror: Snapshot
    differing: list[str]
    timings: dict[str, float] = field(default_factory=dict)


def run_demo(out_dir: Path, console: Console) -> DemoResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    console.print("[bold]1. production[/]: a sample estate on a private moto server "
                  f"(account {PROD_ACCOUNT})")
    with MotoBackend(account=PROD_ACCOUNT) as prod:
        began = time.perf_counter()
        build_estate(prod.target())
        timings["build_s"] = time.perf_counter() - began
        began = time.perf_counter()
        snapshot = capture(prod.target(), regions=["us-east-1"], progress=True)
        timings["capture_s"] = time.perf_counter() - began
    path = save(snapshot, out_dir / "snapshot.json")
    leaked = SECRET_VALUE.encode() in path.read_bytes()
    console.print(f"[bold]2. capture[/]: {len(snapshot.resources)} resources, {len(snapshot.gaps)} gaps "
                  f"in {timings['capture_s']:.1f} s -> {path}")
    console.print(f"   secret value in snapshot file: {'[red]YES (bug)[/]' if leaked else '[green]no[/]'}")
    console.print("[bold]3. sandbox[/]: embedded moto seeded from the snapshot")
    with Sandbox.open(snapshot) as box:
        timings.update(box.timings)
        began = time.perf_counter()
        mirror = box.capture()
        timings["recapture_s"] = time.perf_counter() - began
        back = box.seeded.ids.sandbox_to_prod() if box.seeded else {}
        problems = box.seeded.problems if box.seeded else []
    differing = [a for a, r in snapshot.resources.items()
                 if a not in mirror.resources
                 or comparable(r, reseeded=True) != comparable(mirror.resources[a], reseeded=True, id_map=back)]
    table = Table(title="production vs sandbox, by service")
    for col in ("service", "resources", "in sandbox", "equal"):
        table.add_column(col)
    counts = Counter(r.service for r in snapshot.resources.values())
    for service, n in sorted(counts.items()):
        addresses = [a for a, r in snapshot.resources.items() if r.service == service]
        present = sum(1 for a in addresses if a in mirror.resources)
        equal = sum(1 for a in addresses if a not in differing)
        table.add_row(service, str(n), str(present), f"{equal}/{n}")
    console.print(table)
    for p in problems:
        console.print(f"   [yellow]not seeded[/]: {p.address} ({p.operation}: {p.message})")
    console.print(f"   sandbox ready in {timings.get('ready_s', 0):.2f} s, seeded in "
                  f"{timings.get('seed_s', 0):.1f} s, recaptured in {timings['recapture_s']:.1f} s")
    return DemoResult(snapshot, path, mirror, differing, timings)
