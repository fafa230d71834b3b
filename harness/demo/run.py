"""``shadow demo``: sample production on a private moto server -> capture -> sandbox
-> simulate the scenarios (incident replays and benign changes) -> verdicts and reports.

Prints what a new user needs to see: what was captured (and that no secret was), that
a sandbox seeded from the snapshot reads back the same, each scenario's verdict next to
the one expected from the incident, the first screen of an incident report, and where
all reports (text, Markdown, HTML, JSON) were written.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    scenarios: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differing and all(r.passed or r.skipped for r in self.scenarios)


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


def run_scenarios(result: DemoResult, out_dir: Path, console: Console, *, scenarios_dir: Path,
                  include_slow: bool = False, only: list[str] | None = None) -> None:
    """Simulate every scenario against the captured demo estate and show the verdicts."""
    from harness.report.text import render_to
    from harness.scenarios import discover, run_scenario
    from harness.scenarios.estates import prime

    prime("demo", result.snapshot)
    chosen = [s for s in discover(scenarios_dir) if (include_slow or not s.requires)
              and (not only or s.name in only)]
    reports = out_dir / "reports"
    console.print(f"[bold]4. scenarios[/]: {len(chosen)} change bundles simulated against the captured estate"
                  + ("" if include_slow else " (Terraform replays: --all)"))
    table = Table(title="verdicts")
    for col in ("scenario", "kind", "expected", "verdict", "", "findings"):
        table.add_column(col)
    for s in chosen:
        began = time.perf_counter()
        r = run_scenario(s, report_dir=reports)
        result.scenarios.append(r)
        result.timings[f"scenario_{s.name}_s"] = time.perf_counter() - began
        mark = "[yellow]skip[/]" if r.skipped else "[green]as expected[/]" if r.passed else "[red]MISMATCH[/]"
        colour = {"promoted": "green", "rejected": "red", "inconclusive": "yellow"}.get(r.outcome or "", "white")
        table.add_row(s.name, s.kind, s.verdict, f"[{colour}]{r.outcome or '-'}[/]", mark,
                      ", ".join(x.removeprefix("SHD-") for x in r.findings) or r.skipped or "")
    console.print(table)
    for r in result.scenarios:
        if r.problems:
            console.print(f"   [red]{r.scenario.name}[/]: " + "; ".join(r.problems))
    incidents = sorted((r for r in result.scenarios if r.report and r.scenario.kind == "incident"),
                       key=lambda r: (r.scenario.name != "stale-state-destroy", r.scenario.name))
    shown = incidents[0] if incidents else None
    if shown is not None and shown.report is not None:
        console.rule(f"report: {shown.scenario.name} (first screen)")
        render_to(console, shown.report, full=False)
        console.rule()
    console.print(f"reports: {reports}/<scenario>.txt | .md | .html | .json")
