"""Timed steps: sandbox time-to-ready, and build/capture/seed of one scaled estate.

Wall time is the figure; CPU seconds of this process (boto3, collectors, seeders) and of
the emulator process are kept beside it, because on a shared machine wall time also
measures the neighbours, while CPU time mostly does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import harness
from harness.bench.fork import ForkRun
from harness.bench.stats import median
from harness.collectors.base import Limits
from harness.collectors.capture import capture
from harness.demo.estate import PROD_ACCOUNT
from harness.errors import SandboxFailure
from harness.estate.snapshot import Snapshot
from harness.sandbox.moto import MotoBackend, preload
from harness.seeders.seed import seed

T = TypeVar("T")
READY_POLL_S = 0.005
READY_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Cost:
    """Wall seconds, and CPU seconds here (client) and in the emulator process."""

    wall_s: float
    client_cpu_s: float
    emulator_cpu_s: float | None


def process_cpu_s(pid: int | None) -> float | None:
    """User+system CPU seconds of a process (Linux /proc); None where unreadable."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(fn: Callable[[], T], emulator_pid: int | None) -> tuple[T, Cost]:
    """Run ``fn`` and measure its wall time and CPU (here and in the emulator)."""
    emu0, own0, began = process_cpu_s(emulator_pid), os.times(), time.perf_counter()
    result = fn()
    wall = time.perf_counter() - began
    own1, emu1 = os.times(), process_cpu_s(emulator_pid)
    client = (own1.user + own1.system) - (own0.user + own0.system)
    emulator = emu1 - emu0 if emu0 is not None and emu1 is not None else None
    return result, Cost(wall, client, emulator)


# --- time to ready ---------------------------------------------------------------------

def time_to_ready() -> float:
    """Seconds from ``MotoBackend.start()`` until the sandbox answers its health check."""
    backend = MotoBackend(managed_policies=True)
    began = time.perf_counter()
    try:
        backend.start()
        while not backend.health():
            if time.perf_counter() - began > READY_TIMEOUT_S:
                raise SandboxFailure(f"the moto sandbox did not answer within {READY_TIMEOUT_S:.0f} s")
            time.sleep(READY_POLL_S)
        return time.perf_counter() - began
    finally:
        backend.stop()


_COLD_PROBE = """
import json, sys
from harness.bench.measure import time_to_ready
cold = "moto" not in sys.modules and "moto.server" not in sys.modules
print(json.dumps({"ready_s": time_to_ready(), "moto_imported_inside": cold}))
"""


def ready_cold(runs: int) -> tuple[list[float], bool]:
    """Time-to-ready in fresh processes (so moto's import is inside the timing)."""
    values: list[float] = []
    all_cold = True
    home = str(Path(harness.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [home, os.environ.get("PYTHONPATH")]))}
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _COLD_PROBE], capture_output=True, text=True,
                             env=env, timeout=READY_TIMEOUT_S * 2)
        if out.returncode != 0:
            tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
            raise SandboxFailure(f"the cold-start probe failed: {tail}")
        doc = json.loads(out.stdout.strip().splitlines()[-1])
        values.append(float(doc["ready_s"]))
        all_cold = all_cold and bool(doc["moto_imported_inside"])
    return values, all_cold


def ready_warm(runs: int) -> list[float]:
    """Time-to-ready in this process once moto is imported (later sandboxes of a run)."""
    preload()
    return [time_to_ready() for _ in range(runs)]


# --- estates ---------------------------------------------------------------------------

@dataclass
class EstateRun:
    """Build, capture and seed figures for one scaled estate."""

    label: str
    resources_requested: int
    items: int
    build: Cost | None = None
    captures: list[Cost] = field(default_factory=list)
    seeds: list[Cost] = field(default_factory=list)
    resources: int = 0  # what the capture found
    item_count: int = 0  # what the capture counted in the items table
    capture_gaps: int = 0
    seed_problems: int = 0
    fork: ForkRun | None = None  # template, clone and verdict figures (harness.bench.fork)
    snapshot: Snapshot | None = field(default=None, repr=False)  # the capture (not written out)

    def shortfalls(self) -> list[str]:
        """Why these figures measured less than the estate asked for (empty when whole)."""
        out = []
        if self.resources != self.resources_requested:
            out.append(f"captured {self.resources} of {self.resources_requested} resources")
        if self.item_count != self.items:
            out.append(f"captured {self.item_count} of {self.items} items")
        if self.capture_gaps:
            out.append(f"{self.capture_gaps} capture gaps")
        if self.seed_problems:
            out.append(f"{self.seed_problems} seed problems")
        if self.fork is not None:
            out.extend(self.fork.shortfalls())
        return out

    def to_json(self) -> dict[str, Any]:
        def cpu(costs: list[Cost]) -> dict[str, float | None]:
            emu = [c.emulator_cpu_s for c in costs if c.emulator_cpu_s is not None]
            return {"client": median([c.client_cpu_s for c in costs]) if costs else None,
                    "emulator": median(emu) if emu else None}

        return {
            "resources_requested": self.resources_requested,
            "resources": self.resources,
            "items": self.item_count,
            "runs": {"capture": len(self.captures), "seed_http": len(self.seeds)},
            "build_s": self.build.wall_s if self.build else None,
            "capture_runs_s": [c.wall_s for c in self.captures],
            "seed_http_runs_s": [c.wall_s for c in self.seeds],
            "cpu_s": {"capture": cpu(self.captures), "seed_http": cpu(self.seeds)},
            "fork": self.fork.to_json() if self.fork else None,
            "capture_gaps": self.capture_gaps,
            "seed_problems": self.seed_problems,
            "shortfalls": self.shortfalls(),
        }


def measure_estate(label: str, *, resources: int = 0, items: int = 0, runs: int = 1, http_seed_runs: int | None = None,
                   workers: int = 8, progress: Callable[[str], None] = lambda _m: None) -> EstateRun:
    """Build the estate on a private "production" moto, capture it ``runs`` times, then seed
    ``http_seed_runs`` (default ``runs``) fresh sandboxes from the snapshot through the HTTP
    API (the way LocalStack and endpoints are seeded). A sandbox holds every item of the
    items table (``items_sample`` raised to ``items``), so its size is the estate's."""
    from harness.bench.estate import ITEMS_TABLE, bench_services, scaled_estate

    run = EstateRun(label, resources, items)
    snapshot: Snapshot | None = None
    limits = Limits(items_sample=max(Limits().items_sample, items), items_hashed=max(Limits().items_hashed, items))
    with MotoBackend(account=PROD_ACCOUNT) as prod:
        progress(f"{label}: building")
        _, run.build = timed(lambda: scaled_estate(prod.target(), resources=resources, items=items,
                                                   workers=workers), prod.pid)
        for i in range(runs):
            progress(f"{label}: capture {i + 1}/{runs}")
            snapshot, cost = timed(lambda: capture(prod.target(), regions=["us-east-1"], workers=workers,
                                                   services=bench_services(), limits=limits), prod.pid)
            run.captures.append(cost)
    assert snapshot is not None
    run.resources = len(snapshot.resources) - (1 if items else 0)
    table = snapshot.resources.get(f"dynamodb:table/{ITEMS_TABLE}")
    run.item_count = int((table.data or {}).get("count") or 0) if table else 0
    run.capture_gaps = len(snapshot.gaps)
    run.snapshot = snapshot
    seeds = runs if http_seed_runs is None else http_seed_runs
    for i in range(seeds):
        progress(f"{label}: seed over HTTP {i + 1}/{seeds}")
        with MotoBackend(account=snapshot.source.account, region=snapshot.source.primary_region) as box:
            result, cost = timed(lambda b=box: seed(b.target(), snapshot, workers=workers), box.pid)
        run.seeds.append(cost)
        run.seed_problems = max(run.seed_problems, len(result.problems))
    return run
