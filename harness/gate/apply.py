"""Apply an approved submission to production: drift check, execute the exact bytes, verify.

1. The gate claims the submission only if its approvals hold now (author excluded,
   enough distinct reviewers, no rejection, none expired, digests unchanged).
2. The stored bundle, snapshot and report must still digest to what was simulated.
3. Drift: production is captured again where the bundle acts and diffed with the
   simulated snapshot; any difference voids the approvals and refuses.
4. The stored bundle runs through its own runner with the production executor.
5. Production is captured again (every service the snapshot covers, not only where
   the bundle said it acts); the real change set must equal the simulated one
   (addresses, actions, field paths, data counts) or the apply is reported as
   diverged, loudly, with a non-zero exit.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.aws import Target
from harness.bundles.runners import RUNNERS, RunContext
from harness.diff.engine import diff
from harness.diff.model import ChangeSet
from harness.errors import ApplyDiverged, GateRefused, ShadowError, SnapshotError
from harness.estate.snapshot import Snapshot
from harness.gate import bundlefiles, drift
from harness.gate.executor import production_executor
from harness.gate.model import APPLIED, APPROVED, DIVERGED, FAILED, VOID, ApplyRecord, Submission, User
from harness.gate.service import Gate
from harness.report.model import report_digest

DRIFT_MESSAGE = "production changed since simulation: re-simulate"


@dataclass
class ApplyResult:
    submission: int
    outcome: str  # applied | diverged | failed
    addresses: list[str] = field(default_factory=list)
    divergence: list[str] = field(default_factory=list)
    real: ChangeSet = field(default_factory=ChangeSet)
    stdout: str = ""
    stderr: str = ""


def stored_inputs(gate: Gate, sub: Submission, dest: Path) -> tuple[Any, Snapshot]:
    """The bundle and snapshot exactly as simulated, or a refusal naming what changed."""
    bundle = bundlefiles.materialize(sub, dest)
    where = f"submission {sub.id}"
    doc = gate.snapshot_doc(sub.snapshot_digest)
    if doc is None:
        raise GateRefused(f"the store no longer holds snapshot {sub.snapshot_digest[:23]}…", where=where)
    try:
        snapshot = Snapshot.from_json(doc, where=f"stored snapshot of submission {sub.id}")
    except SnapshotError as exc:
        raise GateRefused(f"the stored snapshot is damaged ({exc.what})", where=where) from None
    if snapshot.digest != sub.snapshot_digest:
        raise GateRefused("the stored snapshot no longer digests to the simulated one", where=where)
    if report_digest(sub.report) != sub.report_digest:
        raise GateRefused("the stored report no longer digests to the reviewed one", where=where)
    return bundle, snapshot


def apply_submission(gate: Gate, actor: User, sid: int, target: Target, *, timeout: float | None = None) -> ApplyResult:
    """Run the whole apply; raise GateRefused (refused/drift) or ApplyDiverged (ran, but differently)."""
    record = gate.begin_apply(actor, sid)
    sub = gate.get(sid)
    stage: list[str] = ["check"]
    try:
        return _apply(gate, record, sub, target, timeout, stage)
    except (GateRefused, ApplyDiverged):
        raise
    except BaseException as exc:
        what = str(exc) if isinstance(exc, ShadowError) else f"{type(exc).__name__}: {exc}"
        if stage[0] == "check":  # nothing ran in production: release the claim, approvals stand
            gate.finish_apply(record, "error", APPROVED, f"apply stopped before running: {what}", {"error": what})
        else:  # the change may have run: fail loudly and keep it from being applied twice
            gate.finish_apply(record, "failed", FAILED, f"apply failed: {what}", {"error": what})
        raise


def _apply(gate: Gate, record: ApplyRecord, sub: Submission, target: Target, timeout: float | None,
           stage: list[str]) -> ApplyResult:
    with tempfile.TemporaryDirectory(prefix="shadow-apply-") as tmp:
        try:
            bundle, snapshot = stored_inputs(gate, sub, Path(tmp) / "bundle")
        except GateRefused as exc:
            gate.finish_apply(record, "refused", VOID, str(exc), {"error": str(exc)})
            raise
        addresses = drift.touched(bundle, snapshot, sub.report)
        found, before = drift.check(target, snapshot, addresses)
        if found.drifted:
            gate.finish_apply(record, "refused", VOID, DRIFT_MESSAGE, {"drift": found.to_json()})
            raise GateRefused(DRIFT_MESSAGE + "".join(f"\n  {line}" for line in found.lines()),
                              where=f"submission {sub.id}", hint="Its approvals are void; capture production "
                                                                 "again and submit the bundle again")
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        ctx = RunContext(bundle=bundle, workdir=Path(tmp) / "bundle", endpoint=target.endpoint_url or "",
                         region=snapshot.source.primary_region, account=snapshot.source.account,
                         timeout=timeout or bundle.timeout or 300, scratch=scratch,
                         executor=production_executor(target), apply=True)
        runner = RUNNERS.get(bundle.kind)
        stage[0] = "execute"
        outcome = runner.run(ctx)
        after = drift.recapture(target, snapshot, addresses)
    real = diff(before, after, production=before)  # everywhere, not only where the bundle said it acts
    result = ApplyResult(sub.id, "applied", sorted(addresses), compare(sub.report.get("changes", []), real), real,
                         outcome.execution.stdout, outcome.execution.stderr)
    detail = {"addresses": result.addresses, "real": real.to_json()["changes"], "divergence": result.divergence}
    if outcome.failed or outcome.execution.timed_out:
        why = outcome.failed or "the change ran past its timeout and was killed"
        result.outcome = "failed"
        gate.finish_apply(record, "failed", FAILED, f"the change failed in production: {why}",
                          {**detail, "error": why})
        raise ApplyDiverged(f"the change failed in production: {why}" + _listing(result.divergence),
                            where=f"submission {sub.id}", hint="Production may be partly changed: inspect it now")
    if result.divergence:
        result.outcome = "diverged"
        gate.finish_apply(record, "diverged", DIVERGED, "the real effect differs from the simulation", detail)
        raise ApplyDiverged("the real effect in production differs from the simulated change set"
                            + _listing(result.divergence), where=f"submission {sub.id}",
                            hint="Inspect production now; the audit log holds both change sets")
    gate.finish_apply(record, "applied", APPLIED, "applied; the real effect matches the simulation", detail)
    return result


def _listing(lines: list[str]) -> str:
    return "".join(f"\n  {line}" for line in lines)


def compare(simulated: list[dict[str, Any]], real: ChangeSet) -> list[str]:
    """Differences between the simulated change set (report form) and the real one."""
    out: list[str] = []
    sim = {c["address"]: c for c in simulated}
    for address in sorted(set(sim) | set(real.changes)):
        s, r = sim.get(address), real.changes.get(address)
        if r is None:
            out.append(f"{address}: simulated {s['action']}, but production shows no change")
            continue
        if s is None:
            out.append(f"{address}: production shows {r.action}, which the simulation did not")
            continue
        if s["action"] != r.action:
            out.append(f"{address}: simulated {s['action']}, production shows {r.action}")
            continue
        want = {f["path"] for f in s.get("fields", [])}
        got = {f.path for f in r.fields}
        if want != got:
            extra, missing = sorted(got - want), sorted(want - got)
            parts = ([f"also changed {', '.join(extra)}"] if extra else []) + \
                    ([f"did not change {', '.join(missing)}"] if missing else [])
            out.append(f"{address}: {'; '.join(parts)}")
        out.extend(_data(address, s.get("data"), r))
    for unknown in real.unknown:
        out.append(f"{unknown.address or unknown.service}: {unknown.reason} (cannot verify the effect)")
    return out


def _data(address: str, sim: dict[str, Any] | None, real: Any) -> list[str]:
    want = (sim or {}).get("production") or {}
    got = {k: real.data.in_production(k) for k in ("inserted", "updated", "deleted")} if real.data else {}
    exact = bool(sim and sim.get("exact")) and bool(real.data and real.data.exact)
    out = []
    for kind in ("inserted", "updated", "deleted"):
        a, b = int(want.get(kind, 0)), int(got.get(kind, 0))
        if (exact and a != b) or (not exact and bool(a) != bool(b)):
            out.append(f"{address}: simulated {a} {kind}, production shows {b}")
    return out
