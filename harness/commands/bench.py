"""``shadow bench``: time sandbox start, capture and seeding on scaled estates."""

from __future__ import annotations

import argparse
import json

from rich.console import Console


def _sizes(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None
    if any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: sizes must be positive")
    return values


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="benchmark sandbox start, capture and seeding on scaled estates",
                       description="Build scaled estates on a private moto server, time capture and "
                                   "seeding, print a table and optionally write the figures as JSON. "
                                   "Exits 1 if an estate was not captured whole (fewer resources or items than built, "
                                   "gaps) or not seeded whole.")
    p.add_argument("--sizes", type=_sizes, help="resource counts (default 100,1000,5000; '' for none)")
    p.add_argument("--items", type=_sizes, help="DynamoDB item counts in one table (default 10000,100000; '' for none)")
    p.add_argument("--runs", type=int, help="runs of a cheap estate, median reported (default 3)")
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
    if args.runs:
        plan.runs = args.runs
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
