"""Run the benchmark plan and build the result document (stable JSON names).

Names the issue asks for: ``ready_s.cold`` / ``ready_s.warm``, ``capture_s.<estate>``,
``seed_s.<estate>`` with estates ``resources_<N>`` and ``items_<M>``,
``capture_slope_ms_per_resource`` and ``capture_linear``. Values are medians over the
runs; an estate is run ``runs`` times when cheap, once when large.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from harness.bench.estate import bench_services
from harness.bench.measure import EstateRun, measure_estate, ready_cold, ready_warm
from harness.bench.stats import linear_fit, median
from harness.collectors.base import Limits

FORMAT = "shadow.bench/v1"
TARGET_READY_S = 1.0
TARGET_SEED_SIZE, TARGET_SEED_S = 1000, 10.0


@dataclass
class BenchPlan:
    """What to measure and how often."""

    sizes: list[int] = field(default_factory=lambda: [100, 1000, 5000])
    items: list[int] = field(default_factory=lambda: [10_000, 100_000])
    runs: int = 3  # runs of a cheap estate (median reported)
    ready_runs: int = 5
    workers: int = 8
    cheap_resources: int = 1000  # estates up to this size are cheap
    cheap_items: int = 10_000
    judge_linear: bool = True  # off for tiny sizes, where fixed costs and noise dominate

    @classmethod
    def quick(cls) -> BenchPlan:
        """Small sizes for a smoke test: every figure, in seconds rather than minutes."""
        return cls(sizes=[3, 9], items=[50], runs=1, ready_runs=2, judge_linear=False)

    def runs_for(self, resources: int, items: int) -> int:
        cheap = resources <= self.cheap_resources and items <= self.cheap_items
        return max(1, self.runs) if cheap else 1


def run_bench(plan: BenchPlan, progress: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """Measure everything in ``plan``; return the result document."""
    started = dt.datetime.now(dt.UTC)
    load_start = _load()
    progress("sandbox time-to-ready (cold)")
    cold, cold_includes_import = ready_cold(plan.ready_runs)
    progress("sandbox time-to-ready (warm)")
    warm = ready_warm(plan.ready_runs)
    estates: dict[str, EstateRun] = {}
    for n in plan.sizes:
        estates[f"resources_{n}"] = measure_estate(f"resources_{n}", resources=n, runs=plan.runs_for(n, 0),
                                                   workers=plan.workers, progress=progress)
    for m in plan.items:
        estates[f"items_{m}"] = measure_estate(f"items_{m}", items=m, runs=plan.runs_for(0, m),
                                               workers=plan.workers, progress=progress)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "ready_s": {"cold": median(cold), "warm": median(warm), "cold_runs": cold, "warm_runs": warm,
                    "cold_includes_moto_import": cold_includes_import},
        "capture_s": {k: median([c.wall_s for c in e.captures]) for k, e in estates.items()},
        "seed_s": {k: median([c.wall_s for c in e.seeds]) for k, e in estates.items()},
        "build_s": {k: e.build.wall_s if e.build else None for k, e in estates.items()},
        "estates": {k: e.to_json() for k, e in estates.items()},
    }
    doc.update(_capture_fit(plan, estates, doc["capture_s"]))
    doc["targets"] = _targets(doc)
    doc["environment"] = {
        "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration_s": (dt.datetime.now(dt.UTC) - started).total_seconds(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_avg_start": load_start,
        "load_avg_end": _load(),
        "moto": _version("moto"),
        "boto3": _version("boto3"),
        "services": bench_services(),
        "workers": plan.workers,
        "limits": Limits().to_json(),
    }
    return doc


def _capture_fit(plan: BenchPlan, estates: dict[str, EstateRun], capture_s: dict[str, float]) -> dict[str, Any]:
    """Slope of capture time over resources (ms per resource) and whether it is linear."""
    keys = [f"resources_{n}" for n in plan.sizes]
    xs = [float(estates[k].resources) for k in keys]
    if len(set(xs)) < 2:
        return {"capture_slope_ms_per_resource": None, "capture_linear": None, "capture_fit": None}
    fit = linear_fit(xs, [capture_s[k] for k in keys])
    cpu_points = [(x, estates[k].to_json()["cpu_s"]["capture"]) for x, k in zip(xs, keys, strict=True)]
    cpu_ys = [(c["client"] or 0.0) + (c["emulator"] or 0.0) for _x, c in cpu_points]
    cpu_fit = linear_fit(xs, cpu_ys)
    return {
        "capture_slope_ms_per_resource": fit.slope * 1000,
        "capture_linear": fit.linear if plan.judge_linear else None,
        "capture_fit": {
            "resources": xs,
            "intercept_s": fit.intercept,
            "r2": fit.r2,
            "segment_slopes_ms_per_resource": [s * 1000 for s in fit.segment_slopes],
            "cpu_slope_ms_per_resource": cpu_fit.slope * 1000,
            "cpu_r2": cpu_fit.r2,
            "cpu_linear": cpu_fit.linear if plan.judge_linear else None,
        },
    }


def _targets(doc: dict[str, Any]) -> dict[str, Any]:
    seed_key = f"resources_{TARGET_SEED_SIZE}"
    seed_value = doc["seed_s"].get(seed_key)
    return {
        "ready_cold_under_1s": {"value": doc["ready_s"]["cold"], "limit": TARGET_READY_S,
                                "met": doc["ready_s"]["cold"] < TARGET_READY_S},
        "seed_1000_resources_under_10s": {"value": seed_value, "limit": TARGET_SEED_S,
                                          "met": None if seed_value is None else seed_value < TARGET_SEED_S},
        "capture_linear_in_resources": {"value": doc["capture_slope_ms_per_resource"],
                                        "met": doc["capture_linear"]},
    }


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None
