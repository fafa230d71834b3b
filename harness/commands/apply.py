"""``shadow apply``: apply an approved submission to production, drift-checked and verified."""

from __future__ import annotations

import argparse

from harness.commands.common import add_target_args, target_from_args
from harness.commands.gatecommon import add_store_arg, add_token_arg, caller, open_gate


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="apply an approved submission to production",
                       description="Refuses without valid approvals. Captures production again where the bundle "
                                   "acts and refuses on any drift (voiding the approvals); runs exactly the "
                                   "simulated bundle; captures again and compares the real effect with the "
                                   "simulation. Exit code: 0 applied and verified, 1 refused, 2 bad input, "
                                   "4 ran but the effect differs (or the change failed) in production.")
    p.add_argument("submission", type=int)
    add_target_args(p)
    p.add_argument("--timeout", type=int, help="seconds before the change is killed (default: the bundle's or 300)")
    add_store_arg(p)
    add_token_arg(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from harness.gate.apply import apply_submission

    gate = open_gate(args)
    user = caller(args, gate)
    sub = gate.get(args.submission)
    region = (gate.snapshot_doc(sub.snapshot_digest) or {}).get("source", {}).get("regions", ["us-east-1"])[0]
    result = apply_submission(gate, user, sub.id, target_from_args(args, region), timeout=args.timeout)
    print(f"submission {sub.id} applied; the real effect matches the simulation "
          f"({len(result.real.changes)} change{'s' if len(result.real.changes) != 1 else ''}):")
    for address, change in sorted(result.real.changes.items()):
        print(f"  {change.action} {address}")
    return 0
