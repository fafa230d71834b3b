"""The verdict: promoted (0), rejected (1), inconclusive (3); bad input is exit 2.

Fail closed: any reason to doubt the simulation (an emulator gap, a timeout, a crash,
an unreadable resource the change touched) makes the verdict ``inconclusive``, and
that wins over everything else, because a rejection based on a wrong simulation is
as untrustworthy as a promotion. Otherwise any blocking finding rejects. A promoted
destructive or elevated change needs two approvers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.findings import Finding

EXIT_CODES = {"promoted": 0, "rejected": 1, "inconclusive": 3}


@dataclass
class Verdict:
    outcome: str  # promoted | rejected | inconclusive
    reasons: list[str] = field(default_factory=list)
    approvals_required: int = 1
    destructive: bool = False
    elevated: bool = False

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "exit_code": self.exit_code, "reasons": self.reasons,
                "approvals_required": self.approvals_required, "destructive": self.destructive,
                "elevated": self.elevated}


def decide(findings: list[Finding], inconclusive: list[str], *, destructive: bool, elevated: bool) -> Verdict:
    approvals = 2 if (destructive or elevated) else 1
    if inconclusive:
        return Verdict("inconclusive", list(inconclusive), approvals, destructive, elevated)
    blocking = [f for f in findings if f.blocking]
    if blocking:
        return Verdict("rejected", [f"{f.rule}: {f.message}" for f in blocking], approvals, destructive, elevated)
    return Verdict("promoted", ["the measured effect matches the declared intent; no blocking finding"],
                   approvals, destructive, elevated)
