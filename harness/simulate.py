"""Simulate one bundle: seed a sandbox, execute, capture, diff, match, judge.

Every step fails closed: an emulator gap, a timeout, a crashed sandbox, an unreadable
resource the change touched, or an unexpected error makes the verdict
``inconclusive`` with the reason, never ``promoted``. Bad input (exit 2) is raised
before anything runs. A false ``assumes`` rejects the bundle; the change is still
simulated so that the report shows what it would have done.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.bundles.model import Bundle
from harness.bundles.runners import RUNNERS, RunContext, RunOutcome
from harness.collectors import REGISTRY as COLLECTORS
from harness.collectors.incremental import capture_after, check_mode
from harness.config import Config
from harness.diff.calls import AddressIndex, addresses_of
from harness.diff.engine import TracedCall, diff
from harness.diff.model import ChangeSet
from harness.errors import BadInput, Inconclusive, SandboxFailure, ShadowError
from harness.estate.snapshot import Snapshot
from harness.findings import Finding
from harness.intent.match import IntentResult, check_assumes, match
from harness.policies import ExecutionFacts, PolicyContext, apply_config, evaluate
from harness.policies.access import wide
from harness.policies.recoverability import tiers
from harness.sandbox.session import Sandbox
from harness.seeders.seed import SeedResult
from harness.verdict import Verdict, decide

ELEVATING = {"SHD-PUBLIC-ACCESS", "SHD-ACCESS-WIDENED", "SHD-NEW-CREDENTIALS"}
# signing names of services whose "mutating" calls change no estate state (tokens, sessions)
READ_ONLY_OK = {"sts"}
# botocore signing names that differ from the collector's service name
SERVICE_ALIASES = {"elasticloadbalancing": "elbv2", "monitoring": "cloudwatch", "email": "ses"}


@dataclass
class Simulation:
    """Everything one simulation produced; the report is built from it."""

    bundle: Bundle
    snapshot: Snapshot
    config: Config
    now: dt.datetime
    verdict: Verdict | None = None
    changes: ChangeSet = field(default_factory=ChangeSet)
    findings: list[Finding] = field(default_factory=list)
    intent: IntentResult | None = None
    tiers: dict[str, str] = field(default_factory=dict)
    outcome: RunOutcome | None = None
    before: Snapshot | None = None
    after: Snapshot | None = None
    seeded: SeedResult | None = None
    inconclusive: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    backend: str = "moto"
    notes: list[str] = field(default_factory=list)
    after_incremental: Snapshot | None = None  # capture="verify": the incremental after-capture, for comparison

    @property
    def calls(self) -> list[Any]:
        return list(self.outcome.execution.calls) if self.outcome else []


def traced(sim: Simulation) -> list[TracedCall]:
    return [TracedCall(seq=c.seq, service=c.service, operation=c.operation, params=dict(c.params or {}),
                       ok=200 <= c.status < 300, mutating=c.mutating) for c in sim.calls]


def prepare(snapshot: Snapshot, *, backend: str = "moto", backend_options: dict[str, Any] | None = None) -> None:
    """Seed this process's template for ``snapshot`` now, before simulations run side by side.

    Only the embedded moto backend has templates. A failure is not raised here: each
    simulation meets it again and reports it (inconclusive).
    """
    with contextlib.suppress(ShadowError):
        Sandbox.warm(snapshot, backend=backend, **(backend_options or {}))


def simulate(bundle: Bundle, snapshot: Snapshot, *, config: Config | None = None, backend: str = "moto",
             backend_options: dict[str, Any] | None = None, now: dt.datetime | None = None,
             timeout: float | None = None, capture: str = "incremental") -> Simulation:
    """Run the whole pipeline for one bundle against one production snapshot.

    ``capture``: how the sandbox is read after the change: ``incremental`` (what the change
    can have touched), ``full``, or ``verify`` (both, compared; the full one is used).
    """
    check_mode(capture)
    config = config or Config()
    sim = Simulation(bundle, snapshot, config, now or dt.datetime.now(dt.UTC), backend=backend)
    started = time.perf_counter()
    pre = check_assumes(bundle.intent, snapshot)
    try:
        _execute(sim, backend, backend_options or {}, timeout or bundle.timeout or config.timeout, capture)
    except BadInput:
        raise
    except Inconclusive as exc:
        sim.inconclusive.append(str(exc))
    except ShadowError as exc:
        sim.inconclusive.append(str(exc))
    except Exception as exc:  # fail closed: a bug in shadow must never read as promoted
        sim.inconclusive.append(f"internal error while simulating: {type(exc).__name__}: {exc}")
        sim.notes.append(traceback.format_exc(limit=8))
    _judge(sim, pre)
    sim.timings["total_s"] = time.perf_counter() - started
    return sim


def _execute(sim: Simulation, backend: str, options: dict[str, Any], timeout: float, capture: str) -> None:
    bundle, snapshot = sim.bundle, sim.snapshot
    runner = RUNNERS.get(bundle.kind)
    t0 = time.perf_counter()
    with Sandbox.open(snapshot, backend=backend, **options) as box, \
            tempfile.TemporaryDirectory(prefix="shadow-run-") as tmp:
        sim.seeded = box.seeded
        sim.timings.update(box.timings)
        t1 = time.perf_counter()
        sim.before = box.before()
        sim.timings["capture_before_s"] = time.perf_counter() - t1
        workdir = Path(tmp) / "bundle"
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        copy_carried(bundle, workdir)
        ctx = RunContext(bundle=bundle, workdir=workdir, endpoint=box.endpoint,
                         region=snapshot.source.primary_region, account=snapshot.source.account,
                         timeout=timeout, scratch=scratch,
                         ids=dict(box.seeded.ids.prod_to_sandbox) if box.seeded else {})
        t2 = time.perf_counter()
        sim.outcome = runner.run(ctx)
        sim.timings["execute_s"] = time.perf_counter() - t2
        execution = sim.outcome.execution
        if execution.timed_out:
            sim.inconclusive.append(f"the change ran past its {timeout:.0f} s timeout; its process tree was killed")
        if sim.outcome.emulator_gap:
            sim.inconclusive.append(sim.outcome.emulator_gap)
        for call in execution.calls:
            if call.emulator_gap:
                sim.inconclusive.append(f"the sandbox could not simulate {call.service} {call.operation} "
                                        f"(HTTP {call.status}{', ' + call.error_code if call.error_code else ''})")
        if not box.backend.health():
            raise SandboxFailure("the sandbox stopped answering during the change")
        t3 = time.perf_counter()
        sim.after = capture_after(box, sim, capture)
        sim.timings["capture_after_s"] = time.perf_counter() - t3
    t4 = time.perf_counter()
    sim.changes = diff(sim.before, sim.after, production=snapshot, calls=traced(sim))
    sim.timings["diff_s"] = time.perf_counter() - t4
    sim.timings["sandbox_total_s"] = time.perf_counter() - t0


def copy_carried(bundle: Bundle, workdir: Path) -> None:
    """Copy exactly the carried files, then check they still hash as digested."""
    workdir.mkdir(parents=True)
    for rel, source in bundle.files.items():
        dest = workdir / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    for entry in bundle.manifest["files"]:
        data = (workdir / entry["path"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise BadInput(f"{entry['path']} changed after the bundle was loaded", where=str(bundle.root),
                           hint="Do not edit a bundle while it is being simulated; submit it again")


def _touched(sim: Simulation) -> tuple[set[str], set[str]]:
    """(addresses, services) the change touched: mutating calls plus measured changes."""
    snaps = [s for s in (sim.before, sim.after) if s is not None]
    index = AddressIndex(snaps)
    addresses = set(sim.changes.changes)
    services = {c.service for c in sim.changes.changes.values()}
    for call in sim.calls:
        if call.mutating:
            services.add(call.service)
            addresses.update(addresses_of(call.service, dict(call.params or {}), index))
    return addresses, services


def _judge(sim: Simulation, pre: list[Finding]) -> None:
    addresses, services = _touched(sim)
    for unknown in sim.changes.unknown:
        if (unknown.address and unknown.address in addresses) or (unknown.address is None and unknown.service
                                                                   in services):
            sim.inconclusive.append(f"{unknown.address or unknown.service}: {unknown.reason} "
                                    "(UNKNOWN on something the change touched)")
    captured = set(sim.snapshot.services) | {r.service for r in sim.snapshot.resources.values()}
    if sim.before is not None:
        captured |= set(sim.before.services) | {r.service for r in sim.before.resources.values()}
    blind: dict[str, str] = {}
    for call in sim.calls:
        service = SERVICE_ALIASES.get(call.service, call.service)
        if call.mutating and 200 <= call.status < 300 and service not in captured and service not in READ_ONLY_OK:
            blind.setdefault(service, call.operation)
    for service, operation in sorted(blind.items()):
        why = "has no collector" if service not in COLLECTORS else "was not captured in this snapshot"
        sim.inconclusive.append(f"the change called {service} {operation}, and {service} {why}: its effect "
                                "cannot be measured (UNKNOWN)")
    if sim.seeded:
        for problem in sim.seeded.problems:
            if problem.address in addresses:
                sim.inconclusive.append(f"the sandbox could not recreate {problem.address} "
                                        f"({problem.operation}: {problem.message})")
    sim.intent = match(sim.bundle.intent, sim.changes)
    execution = sim.outcome.execution if sim.outcome else None
    facts = ExecutionFacts(
        returncode=execution.returncode if execution else None,
        failed=sim.outcome.failed if sim.outcome else None,
        egress=[{"destination": e.destination, "how": e.how, "detail": e.detail} for e in execution.egress]
        if execution else [],
        hardwired=sorted({c.host for c in execution.calls if c.hardwired}) if execution else [],
        mutating_calls=sum(1 for c in execution.calls if c.mutating) if execution else 0,
        calls=[{"operation": c.operation, "service": c.service, "params": c.params,
                "ok": 200 <= c.status < 300} for c in execution.calls] if execution else [],
        artifacts=dict(sim.outcome.artifacts) if sim.outcome else {},
    )
    ctx = PolicyContext(sim.changes, sim.bundle.intent, sim.intent, sim.snapshot, sim.after, facts,
                        sim.config, sim.now)
    findings = pre + sim.intent.findings + evaluate(ctx)
    sim.findings = apply_config(findings, ctx)
    sim.findings.sort(key=lambda f: (not f.blocking, f.severity != "warn", f.rule, f.address or ""))
    sim.tiers = tiers(sim.changes, sim.after)
    destructive = sim.changes.destructive or any(f.rule in ("SHD-DATA-LOSS", "SHD-DELETE-STATEFUL",
                                                            "SHD-REPLACE-STATEFUL", "SHD-BACKUP-REMOVED")
                                                 for f in sim.findings)
    elevated = any(f.rule in ELEVATING for f in sim.findings) or any(
        wide(g) for c in sim.changes.changes.values() for g in c.grants_added)
    if not sim.outcome and not sim.inconclusive:
        sim.inconclusive.append("the change was not executed")
    sim.verdict = decide(sim.findings, list(dict.fromkeys(sim.inconclusive)), destructive=destructive,
                         elevated=elevated)
