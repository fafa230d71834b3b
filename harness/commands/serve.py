"""``shadow serve``: the review pages and the JSON API (loopback by default)."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.commands.gatecommon import add_store_arg, admin_name, open_gate
from harness.commands.run import add_backend_args, simulation_settings


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="serve the review pages and the API",
                       description="Start the gate's web app: review pages for people, a JSON API (OpenAPI at "
                                   "/openapi.json) for agents. Binds 127.0.0.1 unless told otherwise.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s)")
    p.add_argument("--port", type=int, default=8787, help="port (default %(default)s)")
    p.add_argument("--snapshot", help="production snapshot that submitted bundles are simulated against")
    p.add_argument("--scenarios", default="scenarios", help="scenarios folder agents may submit by name")
    p.add_argument("--config", help="shadow.toml for simulations")
    add_backend_args(p)
    add_store_arg(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from harness.estate.snapshot import load
    from harness.server.app import create_app

    gate = open_gate(args)
    digest = gate.put_snapshot(load(args.snapshot), actor=admin_name()) if args.snapshot else None
    app = create_app(gate, snapshot=digest, scenarios=Path(args.scenarios), simulation=simulation_settings(args))
    print(f"shadow gate on http://{args.host}:{args.port}/ (store {gate.store.url})", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
