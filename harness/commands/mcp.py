"""``shadow mcp``: the MCP server agents use over stdio (submit, read verdicts; never approve or apply)."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.commands.gatecommon import add_store_arg, add_token_arg, admin_name, caller, open_gate
from harness.commands.run import add_backend_args, simulation_settings


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="MCP server for agents (stdio)",
                       description="Serve the tools submit_bundle, get_verdict, get_report and list_scenarios over "
                                   "stdio with the agent's token. There is no tool to approve, waive or apply.")
    p.add_argument("--snapshot", help="production snapshot that submitted bundles are simulated against")
    p.add_argument("--scenarios", default="scenarios", help="scenarios folder (default %(default)s)")
    p.add_argument("--config", help="shadow.toml for simulations")
    add_backend_args(p)
    add_store_arg(p)
    add_token_arg(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from harness.estate.snapshot import load
    from harness.server.mcp_server import build_server

    gate = open_gate(args)
    user = caller(args, gate)
    digest = gate.put_snapshot(load(args.snapshot), actor=admin_name()) if args.snapshot else None
    server = build_server(gate, user, snapshot=digest, scenarios=Path(args.scenarios),
                          simulation=simulation_settings(args))
    server.run("stdio")
    return 0
