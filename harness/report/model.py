"""The report model (``shadow.report/v1``): one document, rendered as text, JSON,
Markdown, HTML and JUnit.

The first lines answer what a reviewer must know in ten seconds: the verdict, why,
the blast radius in production units ("deletes rds:db/prod-db (1,900,000 rows) and
both of its snapshots: unrecoverable") and the undeclared effects. Then intent vs
effect side by side, per-resource diffs, findings and the call trace.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from harness import __version__
from harness.diff.model import ResourceChange
from harness.estate.canonical import digest_of, jsonable
from harness.policies.access import wide
from harness.policies.recoverability import TIERS, worst
from harness.simulate import Simulation

FORMAT = "shadow.report/v1"
VERBS = {"create": "creates", "update": "updates", "delete": "deletes", "replace": "replaces"}
MAX_VALUE_CHARS = 2000


def _count(n: int | None, unit: str, exact: bool = True) -> str:
    if n is None:
        return f"unknown number of {unit}"
    return f"{'' if exact else '~'}{n:,} {unit if n != 1 else unit.rstrip('s')}"


def _clip(value: Any) -> Any:
    value = jsonable(value)
    text = repr(value)
    if len(text) > MAX_VALUE_CHARS:
        return text[:MAX_VALUE_CHARS] + f"... ({len(text)} chars)"
    return value


def _number_word(n: int) -> str:
    return {1: "its", 2: "both of its"}.get(n, f"all {n} of its")


# How much a resource type weighs when ranking lines of equal recoverability.
WEIGHT = {("rds", "db"): 9, ("rds", "cluster"): 9, ("dynamodb", "table"): 9, ("s3", "bucket"): 8,
          ("kms", "key"): 8, ("ec2", "vpc"): 7, ("secretsmanager", "secret"): 7, ("ecs", "cluster"): 6,
          ("elbv2", "load-balancer"): 6, ("iam", "role"): 6, ("iam", "user"): 6, ("ec2", "instance"): 5,
          ("sqs", "queue"): 5, ("sns", "topic"): 4, ("lambda", "function"): 4}
PARENT_REFS = ("db", "cluster", "vpc", "load-balancer")
PLURAL = {"snapshot": "snapshots", "subnet": "subnets", "security-group": "security groups",
          "route-table": "route tables", "internet-gateway": "internet gateways", "service": "services",
          "target-group": "target groups", "subnet-group": "subnet groups"}


def parent_of(c: ResourceChange) -> str | None:
    """The resource this one belongs to (a snapshot's database, a subnet's VPC), if known."""
    before = c.before
    if before is None:
        return None
    for key in PARENT_REFS:
        if before.refs.get(key):
            return before.refs[key]
    vpc = (before.config or {}).get("VpcId")
    return vpc[1:] if isinstance(vpc, str) and vpc.startswith("@") and "#" not in vpc else None


def _kids_text(kids: list[ResourceChange]) -> str:
    counts: dict[str, int] = {}
    for k in kids:
        counts[k.type] = counts.get(k.type, 0) + 1
    parts = []
    for rtype, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        word = PLURAL.get(rtype, f"{rtype}s") if n > 1 else rtype.replace("-", " ")
        parts.append(f"{_number_word(n) if len(counts) == 1 else n} {word}")
    return "and " + (parts[0] if len(parts) == 1 else "its " + ", ".join(parts))


def blast_radius(sim: Simulation) -> list[dict[str, Any]]:
    """Destructive and risky effects first, each one line in production units; parts deleted
    with their parent (a database's snapshots, a VPC's subnets) are folded into its line."""
    changes = sim.changes.changes
    children: dict[str, list[ResourceChange]] = {}
    for c in changes.values():
        parent = parent_of(c)
        foldable = (c.service, c.type) not in WEIGHT  # never hide a weighty resource inside another line
        if foldable and parent and c.action == "delete" and parent in changes and changes[parent].action == "delete" \
                and not c.grants_added and not (c.data and c.data.in_production("deleted")):
            children.setdefault(parent, []).append(c)
    grouped = {c.address for kids in children.values() for c in kids}
    lines: list[dict[str, Any]] = []
    for address, c in sorted(changes.items()):
        if address in grouped:
            continue
        tier = sim.tiers.get(address, "reversible")
        parts = [f"{VERBS[c.action]} {address}"]
        if c.data and (c.data.in_production("deleted") or c.data.in_production("inserted")):
            bits = []
            if c.data.in_production("deleted"):
                bits.append(f"{_count(c.data.in_production('deleted'), c.data.unit, c.data.exact)} lost")
            if c.data.in_production("inserted"):
                bits.append(f"{_count(c.data.in_production('inserted'), c.data.unit, c.data.exact)} written")
            if c.data.in_production("updated"):
                bits.append(f"{_count(c.data.in_production('updated'), c.data.unit, c.data.exact)} updated")
            parts.append(f"({', '.join(bits)})")
        elif c.action == "delete" and c.before and (c.before.data or {}).get("unit") == "rows":
            count = (c.data.production_count if c.data else None) or (c.before.data or {}).get("count")
            parts.append(f"({_count(count, 'rows')})")
        lost = max(c.data.in_production("deleted") if c.data else 0, int((c.before.data or {}).get("count") or 0)
                   if c.before and c.action in ("delete", "replace") else 0)
        kids = children.get(address, [])
        if kids:
            parts.append(_kids_text(kids))
            tier = worst([tier, *(sim.tiers.get(k.address, "reversible") for k in kids)])
        public = [g for g in c.grants_added if g.public]
        widest = [g for g in c.grants_added if wide(g)]
        if public:
            parts.append(f"and exposes it publicly ({public[0]})")
        elif widest:
            parts.append(f"and widens access: {widest[0]} ({wide(widest[0])})")
        elif c.grants_added:
            parts.append(f"and grants {len(c.grants_added)} new permission{'s' if len(c.grants_added) > 1 else ''}")
        risk = (TIERS.index(tier) * 100 + (50 if c.destructive else 0) + (30 if c.grants_added else 0)
                + WEIGHT.get((c.service, c.type), 1))
        lines.append({"text": " ".join(parts), "tier": tier, "address": address, "action": c.action,
                      "risk": risk, "covers": [k.address for k in kids], "_lost": lost})
    # Equal risk: the larger loss in production units first, then more resources taken along.
    lines.sort(key=lambda line: (-line["risk"], -line["_lost"], -len(line["covers"]), line["address"]))
    for line in lines:
        del line["_lost"]
    return lines


def headline(sim: Simulation, radius: list[dict[str, Any]]) -> str:
    verdict = sim.verdict
    assert verdict is not None
    if verdict.outcome == "inconclusive":
        return f"INCONCLUSIVE: {verdict.reasons[0] if verdict.reasons else 'the change could not be simulated'}"
    top = radius[0] if radius else None
    effect = f"{top['text']}: {top['tier']}" if top else "no measurable change"
    more = len(radius) - 1
    if more > 0:
        effect += f" (+{more} more change{'s' if more > 1 else ''})"
    undeclared = sim.intent.undeclared if sim.intent else []
    if verdict.outcome == "rejected":
        blocking = [f for f in sim.findings if f.blocking]
        rules = ", ".join(sorted({f.rule for f in blocking}))
        tail = f"; {len(undeclared)} undeclared" if undeclared else ""
        return f"REJECTED ({rules}): {effect}{tail}"
    need = f"needs {verdict.approvals_required} approver{'s' if verdict.approvals_required > 1 else ''}"
    return f"PROMOTED ({need}): {effect}"


def build(sim: Simulation) -> dict[str, Any]:
    """The report document (plain JSON data) for one simulation."""
    verdict = sim.verdict
    assert verdict is not None
    radius = blast_radius(sim)
    actions = Counter(c.action for c in sim.changes.changes.values())
    lost: Counter[str] = Counter()
    written: Counter[str] = Counter()
    for c in sim.changes.changes.values():
        if c.data:
            lost[c.data.unit] += c.data.in_production("deleted")
            written[c.data.unit] += c.data.in_production("inserted") + c.data.in_production("updated")
    execution = sim.outcome.execution if sim.outcome else None
    doc: dict[str, Any] = {
        "format": FORMAT,
        "shadow_version": __version__,
        "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "evaluated_at": sim.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "headline": headline(sim, radius),
        "verdict": verdict.to_json(),
        "bundle": {
            "name": sim.bundle.name, "author": sim.bundle.author, "description": sim.bundle.description,
            "summary": sim.bundle.intent.summary, "kind": sim.bundle.kind, "digest": sim.bundle.digest,
            "path": str(sim.bundle.path),
        },
        "snapshot": {
            "digest": sim.snapshot.digest, "account": sim.snapshot.source.account,
            "regions": sim.snapshot.source.regions, "captured_at": sim.snapshot.captured_at,
            "resources": len(sim.snapshot.resources),
        },
        "summary": {
            "changes": len(sim.changes.changes), "actions": dict(actions),
            "data_lost": {k: v for k, v in lost.items() if v}, "data_written": {k: v for k, v in written.items() if v},
            "grants_added": sum(len(c.grants_added) for c in sim.changes.changes.values()),
            "worst_tier": worst(list(sim.tiers.values())),
            "undeclared": list(sim.intent.undeclared) if sim.intent else [],
            "blocking_findings": sum(1 for f in sim.findings if f.blocking),
        },
        "blast_radius": radius,
        "intent": {
            "summary": sim.bundle.intent.summary,
            "effects": [r.to_json() for r in sim.intent.rows] if sim.intent else [],
            "undeclared": list(sim.intent.undeclared) if sim.intent else [],
            "access": [{"principal": a.principal, "actions": list(a.actions), "resource": a.resource}
                       for a in sim.bundle.intent.access],
        },
        "changes": [_change(c, sim.tiers.get(a, "reversible")) for a, c in sorted(sim.changes.changes.items())],
        "unknown": [u.to_json() for u in sim.changes.unknown],
        "findings": [f.to_json() for f in sim.findings],
        "inconclusive": list(dict.fromkeys(sim.inconclusive)),
        "trace": [_call(c) for c in execution.calls] if execution else [],
        "egress": [{"destination": e.destination, "how": e.how, "detail": e.detail}
                   for e in execution.egress] if execution else [],
        "execution": {
            "returncode": execution.returncode if execution else None,
            "timed_out": execution.timed_out if execution else False,
            "isolation": execution.isolation if execution else None,
            "failed": sim.outcome.failed if sim.outcome else None,
            "stdout_tail": _tail(execution.stdout) if execution else "",
            "stderr_tail": _tail(execution.stderr) if execution else "",
            "notes": list(execution.notes) if execution else [],
        },
        "artifacts": jsonable({k: v for k, v in (sim.outcome.artifacts if sim.outcome else {}).items()
                               if k != "results"}),
        "seed_problems": [{"address": p.address, "operation": p.operation, "message": p.message}
                          for p in (sim.seeded.problems if sim.seeded else [])],
        "timings": {k: round(v, 3) for k, v in sim.timings.items()},
        "backend": sim.backend,
        "config": {"source": sim.config.source, "freeze": [
            {"start": w.start.isoformat(), "end": w.end.isoformat(), "reason": w.reason} for w in sim.config.freeze],
            "protected": sim.config.protected,
            "waivers": [{"rule": w.rule, "address": w.address, "reason": w.reason} for w in sim.config.waivers]},
    }
    doc["digest"] = report_digest(doc)
    return doc


def report_digest(doc: dict[str, Any]) -> str:
    """The digest of a report: everything but when it was rendered and how long steps took."""
    return digest_of({k: v for k, v in doc.items() if k not in ("generated_at", "timings", "digest")})


def _change(c: ResourceChange, tier: str) -> dict[str, Any]:
    return {
        "address": c.address, "service": c.service, "type": c.type, "action": c.action, "tier": tier,
        "replaced_by": c.replaced_by,
        "fields": [{"path": f.path, "kind": f.kind, "before": _clip(f.before), "after": _clip(f.after)}
                   for f in c.fields],
        "data": c.data.to_json() if c.data else None,
        "grants_added": [g.to_json() for g in c.grants_added],
        "grants_removed": [g.to_json() for g in c.grants_removed],
        "calls": c.calls,
    }


def _call(c: Any) -> dict[str, Any]:
    return {"seq": c.seq, "service": c.service, "operation": c.operation, "region": c.region,
            "target": c.target, "status": c.status, "error_code": c.error_code, "host": c.host,
            "hardwired": c.hardwired, "mutating": c.mutating, "emulator_gap": c.emulator_gap,
            "duration_ms": round(c.duration_ms, 1)}


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
