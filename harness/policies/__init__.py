"""Guardrail policies: one small class per rule, one registry, applied on top of intent.

``evaluate`` runs every registered policy, applies configured severities (``off``
drops a rule) and waivers (rule id + address glob; a waived finding stays visible but
does not block). Policies marked ``waivable = False`` cannot be waived.
"""

from __future__ import annotations

from harness.estate.address import matches
from harness.findings import Finding
from harness.policies.access import AccessWidened, NewCredentials, PublicAccess
from harness.policies.base import ExecutionFacts, Policy, PolicyContext
from harness.policies.data import BackupRemoved, DataLoss, Fabrication
from harness.policies.execution import ChangeFailed, Egress, Freeze, HardwiredEndpoint
from harness.policies.stale import StaleState
from harness.policies.stateful import DeleteStateful, Protected, ReplaceStateful
from harness.registry import Registry

POLICIES: Registry[Policy] = Registry("policy")
for _policy in (DataLoss(), Fabrication(), BackupRemoved(), DeleteStateful(), ReplaceStateful(), Protected(),
                PublicAccess(), AccessWidened(), NewCredentials(), Egress(), HardwiredEndpoint(),
                ChangeFailed(), Freeze(), StaleState()):
    POLICIES.register(_policy.id, _policy)

# Findings raised outside policy classes (intent matching), documented here for `shadow policies`.
OTHER_RULES = {
    "SHD-UNDECLARED-CHANGE": "A measured change that no declared effect with the same action covers.",
    "SHD-UNDECLARED-FIELD": "An update changed a field outside the effect's declared `fields`.",
    "SHD-DATA-BOUND": "Data inserted/updated/deleted beyond the declared `data` bounds (production units).",
    "SHD-EFFECT-MISSING": "A declared, non-optional effect did not happen.",
    "SHD-STALE-ASSUMPTION": "An `assumes` entry is false in the production snapshot (checked before running).",
}


def apply_config(findings: list[Finding], ctx: PolicyContext) -> list[Finding]:
    """Configured severities and waivers applied to findings of any source."""
    out = []
    for f in findings:
        sev = ctx.config.severities.get(f.rule)
        if sev == "off":
            continue
        if sev:
            f.severity = sev
        waivable = POLICIES.get(f.rule).waivable if f.rule in POLICIES else True
        if waivable:
            for w in ctx.config.waivers:
                if w.rule == f.rule and w.active(ctx.now) and (f.address is None or matches(w.address, f.address)):
                    f.waived_by = w.reason
                    break
        out.append(f)
    return out


def evaluate(ctx: PolicyContext) -> list[Finding]:
    findings: list[Finding] = []
    for _, policy in POLICIES.items():
        findings.extend(policy.check(ctx))
    return findings


__all__ = ["OTHER_RULES", "POLICIES", "ExecutionFacts", "Policy", "PolicyContext", "apply_config", "evaluate"]
