"""Run scenarios and compare the verdict and findings with what each one expects."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.bundles import load_bundle
from harness.bundles.model import Bundle
from harness.config import Config, load_config, parse_time
from harness.errors import ShadowError
from harness.estate.snapshot import Snapshot, load
from harness.fsutil import atomic_write
from harness.scenarios.estates import patch, production_snapshot
from harness.scenarios.model import Scenario

TOOLS = {"terraform": "terraform"}


@dataclass
class ScenarioResult:
    scenario: Scenario
    outcome: str | None = None
    findings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    report: dict[str, Any] | None = None
    duration_s: float = 0.0
    skipped: str | None = None

    @property
    def passed(self) -> bool:
        return self.skipped is None and not self.problems


def check(s: Scenario, doc: dict[str, Any]) -> list[str]:
    """Mismatches between a report and the scenario's expectation."""
    problems = []
    outcome = doc["verdict"]["outcome"]
    if outcome != s.verdict:
        why = "; ".join(doc["verdict"]["reasons"][:3])
        problems.append(f"verdict {outcome}, expected {s.verdict} ({why})")
    found = {f["rule"] for f in doc["findings"]}
    missing = [r for r in s.findings if r not in found]
    if missing:
        problems.append(f"missing findings {', '.join(missing)} (found: {', '.join(sorted(found)) or 'none'})")
    unexpected = [r for r in s.absent if r in found]
    if unexpected:
        problems.append(f"findings that must not appear: {', '.join(unexpected)}")
    if s.approvals is not None and doc["verdict"]["approvals_required"] != s.approvals:
        problems.append(f"needs {doc['verdict']['approvals_required']} approvers, expected {s.approvals}")
    named = " ".join(line["text"] for line in doc["blast_radius"])
    folded = {a for line in doc["blast_radius"] for a in line.get("covers", [])}  # "and its 2 subnets"
    for address in s.blast_radius:
        if address not in named and address not in folded:
            problems.append(f"blast radius does not name {address}")
    return problems


def prepare(s: Scenario) -> tuple[Bundle, Snapshot, Config, dt.datetime]:
    """What a scenario simulates: its bundle, its production snapshot, its config and its time."""
    bundle = load_bundle(s.bundle)
    snapshot = load(s.snapshot) if s.snapshot else production_snapshot(s.estate or "demo")
    snapshot = patch(snapshot, s.production, str(s.folder / "scenario.yaml"))
    config = load_config(s.config) if s.config else Config()
    now = parse_time(s.at, f"{s.folder}/scenario.yaml: at") if s.at else dt.datetime.now(dt.UTC)
    return bundle, snapshot, config, now


def missing_tool(s: Scenario) -> str | None:
    """The first tool the scenario needs that is not installed (it is skipped then)."""
    return next((tool for tool in s.requires if shutil.which(TOOLS.get(tool, tool)) is None), None)


def simulate_scenario(s: Scenario, *, backend: str = "moto", backend_options: dict[str, Any] | None = None,
                      capture: str = "incremental") -> Any:
    """Load the scenario's bundle, production snapshot (with its facts), config and time; simulate."""
    from harness.simulate import simulate

    bundle, snapshot, config, now = prepare(s)
    return simulate(bundle, snapshot, config=config, backend=backend, backend_options=backend_options,
                    now=now, timeout=s.timeout, capture=capture)


def run_scenario(s: Scenario, *, backend: str = "moto", backend_options: dict[str, Any] | None = None,
                 report_dir: Path | None = None, capture: str = "incremental") -> ScenarioResult:
    from harness.report import EXTENSIONS, RENDERERS
    from harness.report.model import build

    result = ScenarioResult(s)
    tool = missing_tool(s)
    if tool is not None:
        result.skipped = f"{tool} is not installed"
        return result
    started = time.perf_counter()
    try:
        sim = simulate_scenario(s, backend=backend, backend_options=backend_options, capture=capture)
        doc = build(sim)
    except ShadowError as exc:
        result.problems.append(f"error: {exc}")
        result.duration_s = time.perf_counter() - started
        return result
    result.report = doc
    result.outcome = doc["verdict"]["outcome"]
    result.findings = sorted({f["rule"] for f in doc["findings"]})
    result.problems = check(s, doc)
    result.duration_s = time.perf_counter() - started
    if report_dir is not None:
        for fmt, ext in EXTENSIONS.items():
            atomic_write(report_dir / f"{s.name}.{ext}", RENDERERS.get(fmt)(doc))
    return result
