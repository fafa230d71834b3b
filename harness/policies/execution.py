"""Execution policies: egress, hard-wired endpoints, failed changes, freeze windows."""

from __future__ import annotations

from collections.abc import Iterator

from harness.findings import Finding
from harness.policies.base import Policy, PolicyContext


class Egress(Policy):
    id = "SHD-EGRESS"
    title = "attempted egress"
    doc = ("The change tried to reach something that is not the sandbox (another host, a non-AWS name). "
           "It was refused; a change that ships data elsewhere is never promoted.")
    waivable = False

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        seen: set[str] = set()
        for attempt in ctx.execution.egress:
            dest = attempt.get("destination", "?")
            if dest in seen:
                continue
            seen.add(dest)
            yield self.finding(f"attempted connection to {dest} ({attempt.get('how', '')}) was refused",
                               address=None, path=dest)


class HardwiredEndpoint(Policy):
    id = "SHD-HARDWIRED-ENDPOINT"
    title = "real AWS endpoint hard-wired in the change"
    severity = "warn"
    doc = ("The change addressed real AWS hostnames directly instead of the endpoint it was given; shadow "
           "routed them to the sandbox, but the code would bypass any endpoint configuration elsewhere.")

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        for host in sorted(set(ctx.execution.hardwired)):
            yield self.finding(f"the change addressed {host} directly (routed to the sandbox)", path=host)


class ChangeFailed(Policy):
    id = "SHD-CHANGE-FAILED"
    title = "the change did not run cleanly"
    doc = "A call failed or the script exited non-zero; a partial change is never promoted."
    waivable = False

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        if ctx.execution.failed:
            yield self.finding(ctx.execution.failed)


class Freeze(Policy):
    id = "SHD-FREEZE"
    title = "change during a freeze window"
    doc = "The configuration declares a freeze window now; any change is blocked (the July 2025 incident)."

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        if not ctx.changes.changes and not ctx.execution.mutating_calls:
            return
        for window in ctx.config.freeze:
            if window.contains(ctx.now):
                reason = f" ({window.reason})" if window.reason else ""
                yield self.finding(
                    f"freeze window {window.start:%Y-%m-%d %H:%M}Z to {window.end:%Y-%m-%d %H:%M}Z{reason}; "
                    f"the change modifies {len(ctx.changes.changes)} resources")
