"""``shadow sandbox up``: start a seeded embedded sandbox and print its endpoint."""

from __future__ import annotations

import argparse
import signal
import threading

from harness.estate.snapshot import load
from harness.sandbox.session import Sandbox


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="run a seeded sandbox", description="Sandbox commands.")
    inner = p.add_subparsers(dest="sandbox_command", metavar="ACTION")
    inner.required = True
    up = inner.add_parser("up", help="start a sandbox seeded from a snapshot; Ctrl-C stops it",
                          description="Start an embedded moto sandbox, seed it from the snapshot, "
                                      "print its endpoint and wait until Ctrl-C.")
    up.add_argument("--snapshot", required=True, help="snapshot file from `shadow capture`")
    up.set_defaults(handler=run_up)


def run_up(args: argparse.Namespace) -> int:
    snapshot = load(args.snapshot)
    with Sandbox.open(snapshot) as box:
        problems = box.seeded.problems if box.seeded else []
        print(f"sandbox ready at {box.endpoint} (account {snapshot.source.account}, "
              f"{len(snapshot.resources)} resources, seeded in {box.timings.get('seed_s', 0):.1f} s)")
        for p in problems:
            print(f"  not seeded: {p.address} ({p.operation}: {p.message})")
        print(f"try: AWS_ENDPOINT_URL={box.endpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "
              "aws s3 ls")
        print("Ctrl-C to stop", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    print("sandbox stopped")
    return 0
