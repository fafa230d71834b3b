"""``shadow validate``: check a bundle against the contract without running it."""

from __future__ import annotations

import argparse

from harness.bundles import load_bundle


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="validate a change bundle (exit 0 valid, 2 invalid)",
                       description="Parse and validate a bundle strictly (unknown fields, paths leaving the "
                                   "bundle folder, sizes, call names) and print its digest.")
    p.add_argument("bundle", help="bundle.yaml, or the folder that holds it")
    p.add_argument("--snapshot", help="also check the intent's `assumes` against this snapshot")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    bundle = load_bundle(args.bundle)
    print(f"valid: {bundle.name} by {bundle.author} ({bundle.kind}, {len(bundle.files)} carried files)")
    print(f"digest {bundle.digest}")
    if args.snapshot:
        from harness.estate.snapshot import load
        from harness.intent.match import check_assumes

        problems = check_assumes(bundle.intent, load(args.snapshot))
        for f in problems:
            print(f"{f.rule}: {f.message}")
        return 1 if problems else 0
    return 0
