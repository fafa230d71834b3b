"""``overhead_ratio``: a whole verdict against a bare run of the same calls, and the demo's end-to-end time.

A bundle of N ``dynamodb PutItem`` calls (a small backfill into the sample estate's
``sessions`` table, declared with its bound, so it must be promoted) is judged by
``simulate`` on a warm template: clone, before-state, isolated child process behind the
tracing proxy, incremental after-capture, diff, judge. The baseline is the same N calls
made bare: one boto3 client in this process against a clone of the same seeded
template, no isolation, no trace, no capture. Both are measured in the same run,
alternating, and the medians are compared: ``overhead_ratio.calls_<N>``.

The bare baseline excludes a Python start (the change's child process pays ~0.3 s for
its interpreter and boto3), so the ratio is what shadow costs on top of the cheapest
possible execution, not on top of a typical script.

``e2e_demo_s`` is issue 3's figure: a one-call bundle on the sample estate from nothing
(sandbox start, seed, capture, execute, diff, verdict, the text report), and
``e2e_demo_ratio`` that against the bare call on an already-seeded sandbox.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from harness.bench.fork import ready_clone
from harness.bench.stats import median
from harness.bundles import load_bundle
from harness.bundles.model import Bundle
from harness.estate.snapshot import Snapshot
from harness.sandbox.templates import TemplateCache

SIZES = (1, 50, 500)
TABLE = "sessions"
TARGET_RATIO = 2.0  # for 50 and 500 calls
TARGET_E2E_S = 3.0


def calls(n: int, tag: str) -> list[dict[str, Any]]:
    """N PutItem calls writing new sessions (keys unique per ``tag``)."""
    return [{"service": "dynamodb", "operation": "PutItem",
             "params": {"TableName": TABLE, "Item": {"session_id": {"S": f"{tag}-{i:04d}"},
                                                     "user": {"S": f"u-{i % 17}"}, "expires_at": {"N": "4102444800"}}}}
            for i in range(n)]


def write_bundle(root: Path, n: int, tag: str) -> Bundle:
    """A declared N-item backfill: ``update dynamodb:table/sessions`` with exactly N inserts."""
    folder = root / f"{tag}-{n}"
    folder.mkdir(parents=True)
    doc = {"apiVersion": "shadow/v1", "kind": "ChangeBundle",
           "metadata": {"name": f"bench-backfill-{n}", "author": "agent:bench"},
           "intent": {"summary": f"Backfill {n} sessions.",
                      "effects": [{"action": "update", "resource": f"dynamodb:table/{TABLE}",
                                   "data": {"inserted": f"<={n}", "updated": 0, "deleted": 0}}]},
           "change": {"kind": "aws-calls", "calls": calls(n, tag)}}
    (folder / "bundle.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return load_bundle(folder)


def bare_s(template: Any, n: int, tag: str) -> float:
    """Seconds for the N calls made plainly against a fresh clone (client creation included)."""
    clone, _ready = ready_clone(template)
    try:
        began = time.perf_counter()
        client = clone.target().client("dynamodb")
        for call in calls(n, tag):
            client.put_item(**call["params"])
        return time.perf_counter() - began
    finally:
        clone.stop()


def measure_overhead(snapshot: Snapshot, *, sizes: tuple[int, ...] = SIZES, runs: int = 3,
                     progress: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """Warm verdicts and bare executions of N-call bundles, ``runs`` each, alternating."""
    from harness.simulate import simulate

    cache = TemplateCache()
    rows: dict[str, Any] = {}
    try:
        progress("overhead: seeding the template")
        template = cache.get(snapshot)
        with tempfile.TemporaryDirectory(prefix="shadow-bench-") as tmp:
            for n in sizes:
                verdicts, bare, outcomes, parts = [], [], [], []
                for r in range(runs):
                    progress(f"overhead: {n} calls, run {r + 1}/{runs}")
                    bundle = write_bundle(Path(tmp), n, f"v{r}")
                    began = time.perf_counter()
                    sim = simulate(bundle, snapshot, backend_options={"templates": cache})
                    verdicts.append(time.perf_counter() - began)
                    outcomes.append(sim.verdict.outcome if sim.verdict else "none")
                    parts.append({k: round(v, 3) for k, v in sim.timings.items()})
                    bare.append(bare_s(template, n, f"b{r}"))
                v, b = median(verdicts), median(bare)
                rows[f"calls_{n}"] = {"verdict_s": v, "bare_s": b, "ratio": v / b if b else None,
                                      "verdict_runs_s": verdicts, "bare_runs_s": bare, "outcomes": outcomes,
                                      "verdict_parts_s": parts[-1]}
    finally:
        cache.close()
    return rows


def measure_e2e(snapshot: Snapshot, *, runs: int = 3,
                progress: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """A one-call bundle on the sample estate from a cold start (its own template each run),
    report included, against that call made bare on an already-seeded sandbox."""
    from harness.report import RENDERERS
    from harness.report.model import build
    from harness.simulate import simulate

    total, bare, outcomes = [], [], []
    with tempfile.TemporaryDirectory(prefix="shadow-bench-") as tmp:
        for r in range(runs):
            progress(f"end-to-end demo verdict {r + 1}/{runs}")
            bundle = write_bundle(Path(tmp), 1, f"e{r}")
            cache = TemplateCache()
            try:
                began = time.perf_counter()
                sim = simulate(bundle, snapshot, backend_options={"templates": cache})
                RENDERERS.get("text")(build(sim))
                total.append(time.perf_counter() - began)
                outcomes.append(sim.verdict.outcome if sim.verdict else "none")
                bare.append(bare_s(cache.get(snapshot), 1, f"eb{r}"))
            finally:
                cache.close()
    t, b = median(total), median(bare)
    return {"e2e_demo_s": t, "e2e_demo_bare_s": b, "e2e_demo_ratio": t / b if b else None,
            "e2e_demo_runs_s": total, "e2e_demo_outcomes": outcomes}


def overhead_targets(rows: dict[str, Any], e2e: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n in (50, 500):
        row = rows.get(f"calls_{n}")
        if row:
            out[f"overhead_ratio_{n}_calls_at_most_2"] = {"value": row["ratio"], "limit": TARGET_RATIO,
                                                          "met": row["ratio"] is not None
                                                          and row["ratio"] <= TARGET_RATIO}
    if e2e:
        out["e2e_demo_under_3s"] = {"value": e2e["e2e_demo_s"], "limit": TARGET_E2E_S,
                                    "met": e2e["e2e_demo_s"] < TARGET_E2E_S}
    return out
