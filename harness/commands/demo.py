"""``shadow demo``: build a sample estate, capture it, seed a sandbox, show the result."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="run the end-to-end demo on an embedded sample estate",
                       description="Build a sample production estate on a private moto server, "
                                   "capture it, seed a sandbox from the snapshot and show the result.")
    p.add_argument("--out", default="shadow-demo", help="folder for the snapshot and reports "
                                                       "(default %(default)s)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from harness.demo.run import run_demo

    result = run_demo(Path(args.out), Console())
    return 0 if not result.differing else 1
