"""``shadow audit``: show or verify the gate's hash-chained audit log."""

from __future__ import annotations

import argparse
import json

from harness.commands.gatecommon import add_store_arg, open_gate


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="show or verify the audit log", description="The audit log is append-only and "
                                                                            "hash-chained; verify names any edited, "
                                                                            "removed or reordered entry.")
    inner = p.add_subparsers(dest="audit_command", metavar="ACTION")
    inner.required = True
    verify = inner.add_parser("verify", help="check every hash and link (exit 0 intact, 1 tampered)")
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.set_defaults(handler=run_verify)
    show = inner.add_parser("show", help="print entries")
    show.add_argument("--submission", type=int, help="only entries about this submission")
    show.add_argument("--json", action="store_true", help="one JSON object per line")
    show.set_defaults(handler=run_show)
    for parser in (verify, show):
        add_store_arg(parser)


def run_verify(args: argparse.Namespace) -> int:
    result = open_gate(args).verify_audit()
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    elif result.ok:
        print(f"audit log intact: {result.count} entries, head {result.head}")
    else:
        print(f"audit log TAMPERED: {len(result.problems)} problem(s) in {result.count} entries")
        for problem in result.problems:
            print(f"  #{problem.seq} {problem.kind}: {problem.message}")
    return 0 if result.ok else 1


def run_show(args: argparse.Namespace) -> int:
    for entry in open_gate(args).audit_entries(submission_id=args.submission):
        if args.json:
            print(json.dumps(entry.to_json(), sort_keys=True))
            continue
        about = f" #{entry.submission_id}" if entry.submission_id is not None else ""
        detail = entry.data.get("headline") or entry.data.get("reason") or entry.data.get("comment") or ""
        print(f"{entry.seq:>6} {entry.at} {entry.actor:<24} {entry.action:<14}{about} {detail}".rstrip())
    return 0
