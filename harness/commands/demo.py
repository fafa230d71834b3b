"""``shadow demo``: build a sample estate, capture it, seed a sandbox, simulate the scenarios."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console


def _default_scenarios() -> str:
    """The repository's scenarios folder (next to the package), else ./scenarios."""
    here = Path(__file__).resolve().parents[2] / "scenarios"
    return str(here if here.is_dir() else Path("scenarios"))


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="run the end-to-end demo on an embedded sample estate",
                       description="Build a sample production estate on a private moto server, capture it, "
                                   "seed a sandbox from the snapshot, then simulate every scenario (incident "
                                   "replays and benign changes) and print the verdicts and a report.")
    p.add_argument("--out", default="shadow-demo", help="folder for the snapshot and reports (default %(default)s)")
    p.add_argument("--scenarios", default=_default_scenarios(), help="scenarios folder (default %(default)s)")
    p.add_argument("--all", action="store_true", help="also run the slow Terraform replays")
    p.add_argument("--only", action="append", help="simulate only this scenario (repeatable)")
    p.add_argument("--no-scenarios", action="store_true", help="stop after the capture/sandbox round trip")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from harness.demo.run import run_demo, run_scenarios

    console = Console()
    out = Path(args.out)
    result = run_demo(out, console)
    if not args.no_scenarios:
        run_scenarios(result, out, console, scenarios_dir=Path(args.scenarios), include_slow=args.all,
                      only=args.only)
    return 0 if result.ok else 1
