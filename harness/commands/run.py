"""``shadow run``: simulate change bundles against a snapshot and print the verdicts and reports."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from harness.bundles import load_bundle
from harness.bundles.model import Bundle
from harness.collectors.incremental import MODES as CAPTURE_MODES
from harness.commands.common import positive_int
from harness.config import load_config, parse_time
from harness.estate.snapshot import Snapshot, load
from harness.fsutil import atomic_write
from harness.report import EXTENSIONS, RENDERERS
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


def add_jobs_arg(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("-j", "--jobs", type=positive_int, default=None,
                   help=f"{what} at a time, each in its own sandbox clone (default: the number of cores)")


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="simulate change bundles and judge them",
                       description="Seed a sandbox from the snapshot, execute each bundle there in isolation, "
                                   "measure its effect, match it against the declared intent and policies. "
                                   "Several bundles run side by side, each in its own clone of the seeded sandbox. "
                                   "Exit code: 0 promoted, 1 rejected, 2 bad input, 3 inconclusive; for several "
                                   "bundles the worst of them (2 before anything runs, then 3, 1, 0).")
    add_simulation_args(p, many=True)
    p.add_argument("--format", default="text", choices=RENDERERS.names(),
                   help="report format (default: text): text for a terminal, json (stable, versioned schema), "
                        "markdown for a pull-request comment, html for one self-contained page")
    p.add_argument("-o", "--output", help="one bundle: write the report to this file (atomically) instead of "
                                          "stdout; several bundles: a folder that gets one report per bundle")
    add_jobs_arg(p, "bundles")
    p.set_defaults(handler=run)


def add_simulation_args(p: argparse.ArgumentParser, *, many: bool = False) -> None:
    """What a simulation needs: the bundle(s), the snapshot, the backend, config, time and timeout."""
    if many:
        p.add_argument("bundle", nargs="+", help="bundle.yaml, or the folder that holds it (several allowed)")
    else:
        p.add_argument("bundle", help="bundle.yaml, or the folder that holds it")
    p.add_argument("--snapshot", required=True, help="production snapshot from `shadow capture`")
    add_backend_args(p)
    p.add_argument("--config", help="shadow.toml (default: ./shadow.toml or ./pyproject.toml [tool.shadow])")
    p.add_argument("--at", help="evaluate time-based policies (freeze windows) as of this ISO time")
    p.add_argument("--timeout", type=int, help="seconds before the change is killed (default: bundle or config)")


def simulation_inputs(args: argparse.Namespace) -> tuple[Bundle, Snapshot, dict[str, Any]]:
    """The bundle, the snapshot and the keyword arguments of ``simulate`` from the arguments above."""
    bundle = load_bundle(args.bundle)
    snapshot, options = simulation_options(args)
    return bundle, snapshot, options


def simulation_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of ``simulate`` that a server fixes for every bundle it simulates:
    config, backend and its options, capture mode."""
    return {"config": load_config(args.config), "backend": args.backend, "backend_options": backend_options(args),
            "capture": args.capture}


def simulation_options(args: argparse.Namespace) -> tuple[Snapshot, dict[str, Any]]:
    """The snapshot and the keyword arguments of ``simulate`` (everything but the bundle)."""
    snapshot = load(args.snapshot)
    now = parse_time(args.at, "--at") if args.at else dt.datetime.now(dt.UTC)
    return snapshot, {**simulation_settings(args), "now": now, "timeout": args.timeout}


def report_names(bundles: list[Bundle], ext: str) -> list[str]:
    """One file name per bundle, from its name; repeated names get ``-2``, ``-3``..."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for b in bundles:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", b.name).strip("-.") or "bundle"
        seen[stem] = seen.get(stem, 0) + 1
        names.append(f"{stem}.{ext}" if seen[stem] == 1 else f"{stem}-{seen[stem]}.{ext}")
    return names


def run(args: argparse.Namespace) -> int:
    renderer = RENDERERS.get(args.format)
    bundles = [load_bundle(b) for b in args.bundle]  # bad input (exit 2) before anything runs
    snapshot, options = simulation_options(args)
    from harness.parallel import default_jobs, run_parallel, worst_exit
    from harness.simulate import prepare, simulate

    several = len(bundles) > 1
    if several:
        prepare(snapshot, backend=options["backend"], backend_options=options["backend_options"])

    def one(bundle: Bundle) -> tuple[dict, int]:
        sim = simulate(bundle, snapshot, **options)
        return build(sim), sim.verdict.exit_code if sim.verdict else 3

    folder = Path(args.output) if args.output and several else None
    names = report_names(bundles, EXTENSIONS[args.format])
    codes = []
    for (doc, code), name in zip(run_parallel(one, bundles, args.jobs or default_jobs()), names, strict=True):
        codes.append(code)
        output = renderer(doc)
        if folder is not None:
            atomic_write(folder / name, output)
            print(f"{doc['headline']}  ({folder / name})")
        elif args.output:
            atomic_write(Path(args.output), output)
            print(doc["headline"])
            print(f"report: {args.output}")
        else:
            sys.stdout.write(output)
            sys.stdout.flush()
    return worst_exit(codes)
