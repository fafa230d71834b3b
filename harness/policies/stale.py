"""Stale Terraform state: the author's view of production contradicts the fresh snapshot."""

from __future__ import annotations

from collections.abc import Iterator

from harness.findings import Finding
from harness.iac.stale import compare
from harness.policies.base import Policy, PolicyContext


class StaleState(Policy):
    id = "SHD-STALE-STATE"
    title = "the Terraform state contradicts production"
    doc = ("The bundle's Terraform state (or the plan made from it) names resources production does not have, "
           "ignores production resources the plan touches, or holds attribute values production does not "
           "(the March 2026 incident). Blocks unless the intent lists SHD-STALE-STATE in `accepts`.")

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        terraform = ctx.execution.artifacts.get("terraform")
        if not terraform:
            return
        result = compare(terraform.get("state") or [], terraform.get("plan"), ctx.production)
        accepted = self.id in ctx.intent.accepts
        for fact in result.facts:
            yield self.finding(fact.message, address=fact.address, path=fact.path or fact.tf_address,
                               severity="warn" if accepted else None)
        for why in result.not_compared:
            yield self.finding(f"not compared with production: {why}", severity="info")
