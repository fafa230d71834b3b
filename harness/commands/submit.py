"""``shadow submit``: simulate a bundle and record it in the gate (promoted bundles join the queue)."""

from __future__ import annotations

import argparse

from harness.commands.gatecommon import add_store_arg, add_token_arg, caller, open_gate
from harness.commands.run import add_simulation_args, simulation_inputs
from harness.gate.intake import simulate_and_submit
from harness.verdict import EXIT_CODES


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="simulate a bundle and queue it for human review",
                       description="Run the simulation (like `shadow run`) and record the bundle's exact bytes, the "
                                   "snapshot and the report in the gate. Promoted bundles wait for approvals. "
                                   "Exit code: 0 promoted, 1 rejected, 2 bad input, 3 inconclusive.")
    add_simulation_args(p)
    add_store_arg(p)
    add_token_arg(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    gate = open_gate(args)
    actor = caller(args, gate)
    bundle, snapshot, options = simulation_inputs(args)
    sub = simulate_and_submit(gate, actor, bundle, snapshot, **options)
    print(sub.report["headline"])
    print(f"submission {sub.id}: {sub.status}" + (f" ({sub.status_note})" if sub.status_note else ""))
    if sub.outcome == "promoted":
        print(f"needs {sub.approvals_required} approval(s): shadow gate show {sub.id}")
    return EXIT_CODES[sub.outcome]
