"""Run the benchmark plan and build the result document (stable JSON names).

Names the issue asks for: ``ready_s.cold`` / ``ready_s.warm``, ``capture_s.<estate>``,
``seed_s.<estate>`` with estates ``resources_<N>``, ``items_<M>`` and
``resources_<N>_items_<M>``, ``capture_slope_ms_per_resource`` and ``capture_linear``;
from ``harness.bench.fork``: ``clone_s``, ``verdict_cold_s``, ``verdict_warm_s`` per
estate and ``throughput_bundles_per_min``. ``seed_s`` is a template's seeding (how
shadow seeds the embedded sandbox); ``seed_http_s`` the same snapshot seeded through the
HTTP API (how LocalStack and endpoints are seeded), for cheap estates. Values are medians
over the runs; an estate is run ``runs`` times when cheap, once when large.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from harness.bench.diff import diff_details
from harness.bench.estate import bench_services
from harness.bench.fork import measure_fork, measure_throughput
from harness.bench.measure import EstateRun, measure_estate, ready_cold, ready_warm
from harness.bench.overhead import measure_e2e, measure_overhead, overhead_targets
from harness.bench.stats import linear_fit, median
from harness.collectors.base import Limits
from harness.estate.snapshot import Snapshot

FORMAT = "shadow.bench/v1"
TARGET_READY_S = 1.0
TARGET_SEED_SIZE, TARGET_SEED_S = 1000, 10.0
TARGET_CLONE_S, TARGET_CLONE_SPREAD = 0.2, 2.0
TARGET_VERDICT = ("resources_1000_items_100000", 2.0)
TARGET_THROUGHPUT = (100, 2.0)  # bundles, minutes


@dataclass
class BenchPlan:
    """What to measure and how often."""

    sizes: list[int] = field(default_factory=lambda: [100, 1000, 5000, 10_000])
    items: list[int] = field(default_factory=lambda: [10_000, 100_000])
    combined: list[tuple[int, int]] = field(default_factory=lambda: [(1000, 100_000)])  # resources + items
    clones: int = 5  # clones timed per estate
    warm_runs: int = 3  # warm verdicts per estate (median)
    throughput_bundles: int = 100  # one-call bundles against the sample estate
    jobs: int | None = None  # simulations at a time (default: cores)
    runs: int = 3  # runs of a cheap estate (median reported)
    ready_runs: int = 5
    workers: int = 8
    cheap_resources: int = 1000  # estates up to this size are cheap
    cheap_items: int = 10_000
    judge_linear: bool = True  # off for tiny sizes, where fixed costs and noise dominate
    overhead_calls: tuple[int, ...] = (1, 50, 500)  # calls per bundle for overhead_ratio
    diff_items: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    terraform_resources: tuple[int, ...] = (1, 10, 50)  # () to leave Terraform out

    @classmethod
    def quick(cls) -> BenchPlan:
        """Small sizes for a smoke test: every figure, in seconds rather than minutes."""
        return cls(sizes=[3, 9], items=[50], combined=[(9, 50)], runs=1, ready_runs=2, judge_linear=False, clones=2,
                   warm_runs=1, throughput_bundles=4, overhead_calls=(1, 5), diff_items=(1000, 2000),
                   terraform_resources=())

    def runs_for(self, resources: int, items: int) -> int:
        return max(1, self.runs) if self.cheap(resources, items) else 1

    def http_seeds_for(self, resources: int, items: int) -> int:
        """Seeding over HTTP is only a comparison: cheap estates only."""
        return max(1, self.runs) if self.cheap(resources, items) else 0

    def cheap(self, resources: int, items: int) -> bool:
        return resources <= self.cheap_resources and items <= self.cheap_items


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
                                                   http_seed_runs=plan.http_seeds_for(n, 0), workers=plan.workers,
                                                   progress=progress)
    for m in plan.items:
        estates[f"items_{m}"] = measure_estate(f"items_{m}", items=m, runs=plan.runs_for(0, m),
                                               http_seed_runs=plan.http_seeds_for(0, m), workers=plan.workers,
                                               progress=progress)
    for n, m in plan.combined:
        estates[f"resources_{n}_items_{m}"] = measure_estate(f"resources_{n}_items_{m}", resources=n, items=m,
                                                             runs=1, http_seed_runs=0, workers=plan.workers,
                                                             progress=progress)
    for key, est in estates.items():
        assert est.snapshot is not None
        runs = plan.runs_for(est.resources_requested, est.items)
        est.fork = measure_fork(key, est.snapshot, runs=runs, clones=plan.clones,
                                warm_runs=plan.warm_runs, workers=plan.workers,
                                progress=progress)
    sample = _sample_snapshot()
    throughput = measure_throughput(sample, bundles=plan.throughput_bundles, jobs=plan.jobs, progress=progress)
    overhead = measure_overhead(sample, sizes=plan.overhead_calls, runs=max(1, plan.runs), progress=progress)
    e2e = measure_e2e(sample, runs=max(1, plan.runs), progress=progress)
    progress(f"diff of {', '.join(map(str, plan.diff_items))} items")
    diffs = diff_details(plan.diff_items, runs=max(1, plan.runs))
    terraform = _terraform(plan.terraform_resources, progress)
    forks = {k: e.fork.to_json() for k, e in estates.items() if e.fork}
    doc: dict[str, Any] = {
        "format": FORMAT,
        "ready_s": {"cold": median(cold), "warm": median(warm), "cold_runs": cold, "warm_runs": warm,
                    "cold_includes_moto_import": cold_includes_import},
        "capture_s": {k: median([c.wall_s for c in e.captures]) for k, e in estates.items()},
        "seed_s": {k: f["seed_s"] for k, f in forks.items()},
        "seed_http_s": {k: median([c.wall_s for c in e.seeds]) if e.seeds else None for k, e in estates.items()},
        "template_capture_s": {k: f["template_capture_s"] for k, f in forks.items()},
        "clone_s": {k: f["clone_s"] for k, f in forks.items()},
        "verdict_cold_s": {k: f["verdict_cold_s"] for k, f in forks.items()},
        "verdict_warm_s": {k: f["verdict_warm_s"] for k, f in forks.items()},
        "throughput_bundles_per_min": throughput.per_min,
        "throughput": throughput.to_json(),
        "overhead_ratio": {k: r["ratio"] for k, r in overhead.items()},
        "overhead": overhead,
        **e2e,
        **diffs,
        "terraform": terraform,
        "build_s": {k: e.build.wall_s if e.build else None for k, e in estates.items()},
        "estates": {k: e.to_json() for k, e in estates.items()},
    }
    doc.update(_capture_fit(plan, estates, doc["capture_s"]))
    doc["targets"] = {**_targets(doc), **overhead_targets(overhead, e2e)}
    if "diff_target" in diffs:
        doc["targets"]["diff_1m_items_under_10s"] = diffs["diff_target"]
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
        **_fork_targets(doc),
    }


def _fork_targets(doc: dict[str, Any]) -> dict[str, Any]:
    """clone_s under 0.2 s and flat (within 2x) over the resource estates; a warm one-call verdict
    on 1,000 resources + 100k items within 2 s; 100 bundles against one snapshot within 2 minutes."""
    clones = {k: v for k, v in doc["clone_s"].items() if v is not None and k.startswith("resources_")}
    spread = max(clones.values()) / min(clones.values()) if len(clones) > 1 and min(clones.values()) else None
    worst = max(clones.values()) if clones else None
    estate, limit = TARGET_VERDICT
    warm = doc["verdict_warm_s"].get(estate)
    bundles, minutes = TARGET_THROUGHPUT
    rate, measured = doc["throughput_bundles_per_min"], doc["throughput"]["bundles"]
    return {
        "clone_under_0.2s": {"value": worst, "limit": TARGET_CLONE_S,
                             "met": None if worst is None else worst < TARGET_CLONE_S},
        "clone_flat_within_2x": {"value": spread, "limit": TARGET_CLONE_SPREAD,
                                 "met": None if spread is None else spread <= TARGET_CLONE_SPREAD},
        "verdict_warm_1000_resources_100k_items_under_2s": {"value": warm, "limit": limit,
                                                             "met": None if warm is None else warm <= limit},
        "throughput_100_bundles_under_2min": {"value": rate, "limit": bundles / minutes,
                                              "met": None if measured < bundles else rate >= bundles / minutes},
    }


def _terraform(sizes: tuple[int, ...], progress: Callable[[str], None]) -> dict[str, Any]:
    """Terraform bundles of N resources simulated vs a bare ``terraform apply`` (issue 5), or why not."""
    if not sizes:
        return {"skipped": "not in this plan"}
    from harness.errors import ShadowError
    from harness.iac.bench import terraform_bench

    progress(f"terraform bundles of {', '.join(map(str, sizes))} resources")
    try:
        return {"rows": terraform_bench(tuple(sizes))}
    except ShadowError as exc:  # no terraform binary or provider mirror on this machine
        return {"skipped": str(exc)}


def _sample_snapshot() -> Snapshot:
    """The sample estate (``harness.demo.estate``) on a private moto, captured."""
    from harness.collectors.capture import capture
    from harness.demo.estate import PROD_ACCOUNT, build_estate
    from harness.sandbox.moto import MotoBackend

    with MotoBackend(account=PROD_ACCOUNT) as prod:
        build_estate(prod.target())
        return capture(prod.target(), regions=["us-east-1"])


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
