"""Stateful resources: deleted, replaced, or protected by configuration."""

from __future__ import annotations

from collections.abc import Iterator

from harness.estate.address import matches
from harness.findings import Finding
from harness.policies.base import Policy, PolicyContext


class DeleteStateful(Policy):
    id = "SHD-DELETE-STATEFUL"
    title = "stateful resource deleted"
    doc = ("A database, table, bucket with objects, queue with messages, secret or KMS key was deleted "
           "(or a key scheduled for deletion). Declared: needs two approvers; undeclared: blocks.")

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        for change in ctx.changes.changes.values():
            scheduled = change.service == "kms" and any(
                f.path.endswith("KeyState") and f.after == "PendingDeletion" for f in change.fields)
            if not (change.action == "delete" and ctx.stateful(change)) and not scheduled:
                continue
            what = "scheduled for deletion" if scheduled else "deleted"
            yield self.finding(f"{change.address} {what}", address=change.address,
                               severity=None if not ctx.declared(change) else "warn")


class ReplaceStateful(Policy):
    id = "SHD-REPLACE-STATEFUL"
    title = "stateful resource replaced"
    doc = ("A stateful resource was deleted and recreated, even if its end state looks equal: new identity, "
           "data and history gone (the December 2025 incident).")

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        for change in ctx.changes.changes.values():
            if change.action != "replace" or (change.service, change.type) not in {
                    ("dynamodb", "table"), ("rds", "db"), ("rds", "cluster"), ("s3", "bucket"), ("sqs", "queue"),
                    ("kms", "key"), ("secretsmanager", "secret"), ("iam", "role"), ("iam", "user"),
                    ("ec2", "vpc"), ("ec2", "instance")}:
                continue
            how = "its identity changed" if change.replaced_by == "identity" else "the trace shows delete then create"
            yield self.finding(f"{change.address} was deleted and recreated ({how})", address=change.address,
                               severity=None if not ctx.declared(change) else "warn")


class Protected(Policy):
    id = "SHD-PROTECTED"
    title = "protected resource deleted or replaced"
    doc = "A delete or replace of an address listed in the configuration's `protected` is always blocked."
    waivable = False

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        for change in ctx.changes.changes.values():
            if change.action in ("delete", "replace") and any(matches(p, change.address)
                                                              for p in ctx.config.protected):
                yield self.finding(f"{change.address} is protected by configuration and was {change.action}d",
                                   address=change.address)
