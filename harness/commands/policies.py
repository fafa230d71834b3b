"""``shadow policies``: list every rule id with its title, default severity and doc line."""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="list the guardrail rules (ids to grep, waive and link to)",
                       description="Every finding id shadow can produce, with its default severity. "
                                   "Severities and waivers are set in shadow.toml / [tool.shadow].")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from harness.policies import OTHER_RULES, POLICIES

    rows = [{"id": name, "title": p.title, "severity": p.severity, "waivable": p.waivable, "doc": p.doc}
            for name, p in POLICIES.items()]
    rows += [{"id": rule, "title": doc.split(".")[0], "severity": "block", "waivable": True, "doc": doc}
             for rule, doc in OTHER_RULES.items()]
    rows.sort(key=lambda r: r["id"])
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        lock = "" if r["waivable"] else " (not waivable)"
        print(f"{r['id']:<24} {r['severity']:<6}{lock}  {r['doc']}")
    return 0
