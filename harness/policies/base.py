"""The guardrail policy interface: an id, a title, a default severity, a doc line.

A policy looks at the measured effect (change set, call trace, egress) next to the
declared intent and the production snapshot, and yields findings carrying its id and
the resource address. Severities come from the policy, can be overridden per id in
the configuration, and a waiver (rule id + address glob + reason) stops a finding
from blocking while keeping it visible in the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from harness.bundles.model import Intent
from harness.config import Config
from harness.diff.model import ChangeSet, ResourceChange
from harness.estate.snapshot import Snapshot
from harness.findings import Finding
from harness.intent.match import IntentResult

STATEFUL = {
    ("dynamodb", "table"), ("rds", "db"), ("rds", "cluster"), ("s3", "bucket"), ("sqs", "queue"),
    ("kms", "key"), ("secretsmanager", "secret"), ("rds", "snapshot"),
}


@dataclass
class ExecutionFacts:
    """What the run did, as far as policies care (decoupled from the isolation layer)."""

    returncode: int | None = 0
    failed: str | None = None  # a one-line description of the failed call/command
    egress: list[dict[str, str]] = field(default_factory=list)  # {destination, how, detail}
    hardwired: list[str] = field(default_factory=list)  # real AWS hosts the change addressed
    mutating_calls: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)
    artifacts: dict[str, Any] = field(default_factory=dict)  # what the runner recorded (plan, state, ...)


@dataclass
class PolicyContext:
    changes: ChangeSet
    intent: Intent
    intent_result: IntentResult
    production: Snapshot
    after: Snapshot | None
    execution: ExecutionFacts
    config: Config
    now: dt.datetime

    def declared(self, change: ResourceChange) -> bool:
        """Covered by a declared effect with the same action."""
        return change.address not in self.intent_result.undeclared

    def field_declared(self, change: ResourceChange, path: str) -> bool:
        """The change is declared and ``path`` lies within the declared ``fields``."""
        from harness.intent.match import field_covered

        if not self.declared(change):
            return False
        for row in self.intent_result.rows:
            if change.address in row.covered and (
                    row.effect.fields is None or field_covered(path, row.effect.fields)):
                return True
        return False

    def stateful(self, change: ResourceChange) -> bool:
        if (change.service, change.type) not in STATEFUL:
            return False
        if (change.service, change.type) in {("s3", "bucket"), ("sqs", "queue")}:
            before = change.before.data if change.before else None
            return bool(before and before.get("count"))
        return True


class Policy:
    """Base class for one guardrail rule."""

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[str] = "block"
    doc: ClassVar[str] = ""
    waivable: ClassVar[bool] = True

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, message: str, *, address: str | None = None, path: str | None = None,
                severity: str | None = None) -> Finding:
        return Finding(self.id, severity or self.severity, message, address=address, path=path, title=self.title)
