"""``shadow bench``: time sandbox start, capture and seeding on scaled estates."""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from harness.commands.common import positive_int


def _sizes(text: str) -> list[int]:
    try:
        return [positive_int(v) for v in text.split(",") if v.strip()]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of positive whole "
                                         "numbers") from None


def _pairs(text: str) -> list[tuple[int, int]]:
    try:
        pairs = [tuple(positive_int(x) for x in v.split("x")) for v in text.split(",") if v.strip()]
    except argparse.ArgumentTypeError:
        pairs = [()]
    if any(len(p) != 2 for p in pairs):
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of RESOURCESxITEMS "
                                         "(like 1000x100000)")
    return pairs  # type: ignore[return-value]


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="benchmark sandbox start, capture, seeding, clones and verdicts",
                       description="Build scaled estates on a private moto server, time capture, seeding, "
                                   "templates and clones, one-call verdicts cold and warm, and the throughput of "
                                   "many bundles; print a table and optionally write the figures as JSON. "
                                   "Exits 1 if an estate was not captured whole (fewer resources or items than built, "
                                   "gaps) or not seeded whole.")
    p.add_argument("--sizes", type=_sizes, help="resource counts (default 100,1000,5000,10000; '' for none)")
    p.add_argument("--items", type=_sizes, help="DynamoDB item counts in one table (default 10000,100000; '' for none)")
    p.add_argument("--combined", type=_pairs, help="estates of resources and items together, for the verdict "
                                                   "figures (default 1000x100000; '' for none)")
    p.add_argument("--runs", type=positive_int, help="runs of a cheap estate, median reported (default 3)")
    p.add_argument("--bundles", type=positive_int, help="one-call bundles for the throughput figure (default 100)")
    p.add_argument("-j", "--jobs", type=positive_int, help="bundles at a time for the throughput figure "
                                                           "(default: the number of cores)")
    p.add_argument("--quick", action="store_true", help="small sizes and single runs (a smoke test)")
    p.add_argument("--json", dest="json_path", metavar="FILE", help="write the figures to FILE as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from harness.bench.report import render
    from harness.bench.run import BenchPlan, run_bench
    from harness.fsutil import atomic_write

    plan = BenchPlan.quick() if args.quick else BenchPlan()
    if args.sizes is not None:
        plan.sizes = args.sizes
    if args.items is not None:
        plan.items = args.items
    if args.combined is not None:
        plan.combined = args.combined
    if args.runs:
        plan.runs = args.runs
    if args.bundles:
        plan.throughput_bundles = args.bundles
    if args.jobs:
        plan.jobs = args.jobs
    console = Console()
    err = Console(stderr=True)
    doc = run_bench(plan, progress=lambda msg: err.print(f"[dim]bench: {msg}[/]"))
    render(doc, console)
    if args.json_path:
        atomic_write(args.json_path, json.dumps(doc, indent=2) + "\n")
        console.print(f"figures written to {args.json_path}")
    broken = {k: e["shortfalls"] for k, e in doc["estates"].items() if e["shortfalls"]}
    for key, shortfalls in broken.items():
        err.print(f"[red]{key}: {'; '.join(shortfalls)}: its figures measured an incomplete run[/]")
    return 1 if broken else 0
