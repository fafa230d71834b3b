"""``shadow submit``: simulate a bundle and record it in the gate (promoted bundles join the queue)."""

from __future__ import annotations

import argparse
import datetime as dt

from harness.bundles import load_bundle
from harness.commands.gatecommon import add_store_arg, add_token_arg, caller, open_gate
from harness.commands.run import add_backend_args, backend_options
from harness.config import load_config, parse_time
from harness.estate.snapshot import load
from harness.gate.intake import simulate_and_submit

EXIT = {"promoted": 0, "rejected": 1, "inconclusive": 3}


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="simulate a bundle and queue it for human review",
                       description="Run the simulation (like `shadow run`) and record the bundle's exact bytes, the "
                                   "snapshot and the report in the gate. Promoted bundles wait for approvals. "
                                   "Exit code: 0 promoted, 1 rejected, 2 bad input, 3 inconclusive.")
    p.add_argument("bundle", help="bundle.yaml, or the folder that holds it")
    p.add_argument("--snapshot", required=True, help="production snapshot from `shadow capture`")
    add_backend_args(p)
    p.add_argument("--config", help="shadow.toml (default: ./shadow.toml or ./pyproject.toml [tool.shadow])")
    p.add_argument("--at", help="evaluate time-based policies as of this ISO time")
    p.add_argument("--timeout", type=int, help="seconds before the change is killed")
    add_store_arg(p)
    add_token_arg(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    gate = open_gate(args)
    actor = caller(args, gate)
    bundle = load_bundle(args.bundle)
    snapshot = load(args.snapshot)
    now = parse_time(args.at, "--at") if args.at else dt.datetime.now(dt.UTC)
    sub = simulate_and_submit(gate, actor, bundle, snapshot, config=load_config(args.config), now=now,
                              backend=args.backend, backend_options=backend_options(args), timeout=args.timeout)
    print(sub.report["headline"])
    print(f"submission {sub.id}: {sub.status}" + (f" ({sub.status_note})" if sub.status_note else ""))
    if sub.outcome == "promoted":
        print(f"needs {sub.approvals_required} approval(s): shadow gate show {sub.id}")
    return EXIT[sub.outcome]
