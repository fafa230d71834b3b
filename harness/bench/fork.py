"""Seed once, fork many, measured: template seeding, clone cost, verdicts cold and warm, throughput.

Figures for one snapshot (stable names; seconds, medians of the runs):

- ``seed_s``: seeding a template the way shadow seeds one (in process, no HTTP);
  ``template_capture_s``: the template's one capture (every clone's before-state).
- ``clone_s``: from asking the template for a clone until the clone answers HTTP.
- ``verdict_cold_s``: one one-call bundle judged in a process with no template yet
  (seed, capture, clone, run, after-capture, diff, judge); ``verdict_warm_s``: the same
  bundle once the template exists. ``verdict_parts_s`` splits a warm verdict.
- ``throughput_bundles_per_min``: N one-call bundles against one snapshot, side by side
  on ``jobs`` clones (default: one per core), as ``shadow run B1 ... BN`` runs them.

The one-call bundle creates an SQS queue and declares it, so every estate can run it and
its verdict must be ``promoted``; any other verdict is a shortfall, not a figure.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.bench.stats import median
from harness.bundles import load_bundle
from harness.bundles.model import Bundle
from harness.errors import SandboxFailure
from harness.estate.snapshot import Snapshot
from harness.sandbox.templates import TemplateCache

BUNDLE = """\
apiVersion: shadow/v1
kind: ChangeBundle
metadata: {{name: {name}, author: "agent:bench"}}
intent:
  summary: a queue for the benchmark
  effects: [{{action: create, resource: "sqs:queue/{queue}"}}]
change:
  kind: aws-calls
  calls:
    - {{service: sqs, operation: CreateQueue, params: {{QueueName: {queue}}}}}
"""
PARTS = ("clone_s", "capture_before_s", "execute_s", "capture_after_s", "diff_s")


def one_call_bundle(root: Path, name: str) -> Bundle:
    """A bundle with one call (CreateQueue ``name``), declared: promoted on any estate."""
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "bundle.yaml").write_text(BUNDLE.format(name=name, queue=name))
    return load_bundle(folder)


@dataclass
class ForkRun:
    """Template, clone and verdict figures for one snapshot."""

    seeds: list[float] = field(default_factory=list)
    template_captures: list[float] = field(default_factory=list)
    clones: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    parts: list[dict[str, float]] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    seed_problems: int = 0

    def shortfalls(self) -> list[str]:
        wrong = sorted({o for o in self.outcomes if o != "promoted"})
        out = [f"the one-call bundle was {', '.join(wrong)}, not promoted"] if wrong else []
        if self.seed_problems:
            out.append(f"{self.seed_problems} template seed problems")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "seed_s": _median(self.seeds), "template_capture_s": _median(self.template_captures),
            "clone_s": _median(self.clones), "verdict_cold_s": _median(self.cold),
            "verdict_warm_s": _median(self.warm),
            "verdict_parts_s": {p: _median([t[p] for t in self.parts if p in t]) for p in PARTS},
            "runs": {"seed": len(self.seeds), "clone": len(self.clones), "cold": len(self.cold),
                     "warm": len(self.warm)},
            "clone_runs_s": self.clones, "warm_runs_s": self.warm,
            "shortfalls": self.shortfalls(),
        }


def _median(values: list[float]) -> float | None:
    return median(values) if values else None


def measure_fork(label: str, snapshot: Snapshot, *, runs: int = 1, clones: int = 5, warm_runs: int = 3,
                 cold_runs: int = 1, workers: int = 8,
                 progress: Callable[[str], None] = lambda _m: None) -> ForkRun:
    """Seed ``runs`` templates (keeping the last for clones), then judge the one-call bundle
    ``cold_runs`` times without a template and ``warm_runs`` times with one."""
    from harness.simulate import simulate

    run = ForkRun()
    for i in range(runs):
        progress(f"{label}: template {i + 1}/{runs}")
        cache = TemplateCache()
        try:
            template = cache.get(snapshot, workers=workers)
            run.seeds.append(template.timings["seed_s"])
            run.template_captures.append(template.timings["capture_before_s"])
            run.seed_problems = max(run.seed_problems, len(template.seeded().problems))
            if i == runs - 1:
                for k in range(clones):
                    progress(f"{label}: clone {k + 1}/{clones}")
                    run.clones.append(_clone_ready_s(template))
        finally:
            cache.close()
    with tempfile.TemporaryDirectory(prefix="shadow-bench-") as tmp:
        bundle = one_call_bundle(Path(tmp), "bench-one-call")
        for i in range(cold_runs):
            progress(f"{label}: cold verdict {i + 1}/{cold_runs}")
            cache = TemplateCache()
            try:
                began = time.perf_counter()
                sim = simulate(bundle, snapshot, backend_options={"templates": cache, "workers": workers})
                run.cold.append(time.perf_counter() - began)
                run.outcomes.append(sim.verdict.outcome if sim.verdict else "none")
                for k in range(warm_runs if i == cold_runs - 1 else 0):
                    progress(f"{label}: warm verdict {k + 1}/{warm_runs}")
                    began = time.perf_counter()
                    sim = simulate(bundle, snapshot, backend_options={"templates": cache, "workers": workers})
                    run.warm.append(time.perf_counter() - began)
                    run.outcomes.append(sim.verdict.outcome if sim.verdict else "none")
                    run.parts.append({p: sim.timings[p] for p in PARTS if p in sim.timings})
            finally:
                cache.close()
    return run


def ready_clone(template: Any) -> tuple[Any, float]:
    """A clone of ``template`` that answers HTTP, and the seconds that took (the caller stops it)."""
    began = time.perf_counter()
    clone = template.clone()
    try:
        while not clone.health():
            if not clone.alive():
                raise SandboxFailure("a benchmark clone died before answering")
    except BaseException:
        clone.stop()
        raise
    return clone, time.perf_counter() - began


def _clone_ready_s(template: Any) -> float:
    """Seconds from asking for a clone until it answers HTTP (then it is stopped)."""
    clone, seconds = ready_clone(template)
    clone.stop()
    return seconds


@dataclass
class Throughput:
    bundles: int
    jobs: int
    wall_s: float
    outcomes: list[str]
    per_bundle_s: list[float]

    @property
    def per_min(self) -> float:
        return self.bundles / self.wall_s * 60 if self.wall_s else 0.0

    def shortfalls(self) -> list[str]:
        wrong = sum(1 for o in self.outcomes if o != "promoted")
        return [f"{wrong} of {self.bundles} bundles were not promoted"] if wrong else []

    def to_json(self) -> dict[str, Any]:
        return {"throughput_bundles_per_min": self.per_min, "bundles": self.bundles, "jobs": self.jobs,
                "wall_s": self.wall_s, "bundle_s_median": _median(self.per_bundle_s),
                "shortfalls": self.shortfalls()}


def measure_throughput(snapshot: Snapshot, *, bundles: int = 100, jobs: int | None = None,
                       progress: Callable[[str], None] = lambda _m: None) -> Throughput:
    """``bundles`` one-call bundles against ``snapshot`` on ``jobs`` clones; the template is
    seeded first (outside the timing: throughput is the steady state of a warm process)."""
    from harness.parallel import default_jobs, run_parallel
    from harness.simulate import simulate

    jobs = jobs or default_jobs()
    cache = TemplateCache()
    try:
        progress(f"throughput: seeding the template for {bundles} bundles")
        cache.get(snapshot)
        with tempfile.TemporaryDirectory(prefix="shadow-bench-") as tmp:
            work = [one_call_bundle(Path(tmp), f"bench-queue-{i:04d}") for i in range(bundles)]
            progress(f"throughput: {bundles} bundles on {jobs} clones at a time")
            began = time.perf_counter()
            sims = list(run_parallel(lambda b: simulate(b, snapshot, backend_options={"templates": cache}),
                                     work, jobs))
            wall = time.perf_counter() - began
    finally:
        cache.close()
    return Throughput(bundles, jobs, wall, [s.verdict.outcome if s.verdict else "none" for s in sims],
                      [s.timings.get("total_s", 0.0) for s in sims])
