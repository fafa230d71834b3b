"""``shadow run``: simulate a bundle against a snapshot and print the verdict and report."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from harness.bundles import load_bundle
from harness.bundles.model import Bundle
from harness.collectors.incremental import MODES as CAPTURE_MODES
from harness.config import load_config, parse_time
from harness.estate.snapshot import Snapshot, load
from harness.fsutil import atomic_write
from harness.report import RENDERERS
from harness.report.model import build


def add_backend_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", default="moto",
                   help="sandbox backend: moto (embedded, default), localstack, or endpoint")
    p.add_argument("--localstack-mode", default="auto", choices=["auto", "endpoint", "docker", "process"],
                   help="for --backend localstack: a running one (--endpoint-url or LOCALSTACK_HOST), a Docker "
                        "container, or a plain process from the localstack-core venv (default: the first available)")
    p.add_argument("--endpoint-url", help="emulator URL for --backend endpoint")
    p.add_argument("--allow-remote-endpoint", action="store_true",
                   help="allow an --endpoint-url that is not on this machine (never AWS)")
    p.add_argument("--capture", default="incremental", choices=list(CAPTURE_MODES),
                   help="how the sandbox is read after the change: incremental (default: only what the change "
                        "can have touched, the rest carried from the capture before it), full (everything), or "
                        "verify (both, compared; the full one is used, differences are noted)")


def backend_options(args: argparse.Namespace) -> dict:
    if args.backend == "moto":
        return {}
    options = {"endpoint_url": args.endpoint_url, "allow_remote": args.allow_remote_endpoint}
    if args.backend == "localstack":
        options["mode"] = getattr(args, "localstack_mode", "auto")
    return options


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="simulate a change bundle and judge it",
                       description="Seed a sandbox from the snapshot, execute the bundle there in isolation, "
                                   "measure its effect, match it against the declared intent and policies. "
                                   "Exit code: 0 promoted, 1 rejected, 2 bad input, 3 inconclusive.")
    add_simulation_args(p)
    p.add_argument("--format", default="text", choices=RENDERERS.names(),
                   help="report format (default: text): text for a terminal, json (stable, versioned schema), "
                        "markdown for a pull-request comment, html for one self-contained page")
    p.add_argument("-o", "--output", help="write the report here (atomically) instead of stdout")
    p.set_defaults(handler=run)


def add_simulation_args(p: argparse.ArgumentParser) -> None:
    """What a simulation needs: the bundle, the snapshot, the backend, config, time and timeout."""
    p.add_argument("bundle", help="bundle.yaml, or the folder that holds it")
    p.add_argument("--snapshot", required=True, help="production snapshot from `shadow capture`")
    add_backend_args(p)
    p.add_argument("--config", help="shadow.toml (default: ./shadow.toml or ./pyproject.toml [tool.shadow])")
    p.add_argument("--at", help="evaluate time-based policies (freeze windows) as of this ISO time")
    p.add_argument("--timeout", type=int, help="seconds before the change is killed (default: bundle or config)")


def simulation_inputs(args: argparse.Namespace) -> tuple[Bundle, Snapshot, dict[str, Any]]:
    """The bundle, the snapshot and the keyword arguments of ``simulate`` from the arguments above."""
    bundle = load_bundle(args.bundle)
    snapshot = load(args.snapshot)
    now = parse_time(args.at, "--at") if args.at else dt.datetime.now(dt.UTC)
    return bundle, snapshot, {"config": load_config(args.config), "backend": args.backend,
                              "backend_options": backend_options(args), "now": now, "timeout": args.timeout,
                              "capture": args.capture}


def run(args: argparse.Namespace) -> int:
    renderer = RENDERERS.get(args.format)
    bundle, snapshot, options = simulation_inputs(args)
    from harness.simulate import simulate

    sim = simulate(bundle, snapshot, **options)
    doc = build(sim)
    output = renderer(doc)
    if args.output:
        atomic_write(Path(args.output), output)
        print(doc["headline"])
        print(f"report: {args.output}")
    else:
        sys.stdout.write(output)
    return sim.verdict.exit_code if sim.verdict else 3
