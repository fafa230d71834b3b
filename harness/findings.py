"""Findings: one id per rule (``SHD-DATA-LOSS``), a severity, an address and a path.

Like cfn-lint's matches and checkov's results: users grep, waive and link by id. A
finding is *blocking* when its effective severity is ``block`` and no waiver covers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Finding:
    rule: str  # SHD-...
    severity: str  # block | warn | info
    message: str
    address: str | None = None
    path: str | None = None  # a field path inside the resource, e.g. "Items" or "Attributes.Policy"
    title: str = ""
    waived_by: str | None = None  # the waiver's reason, when waived

    @property
    def blocking(self) -> bool:
        return self.severity == "block" and self.waived_by is None

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "title": self.title, "message": self.message,
                "address": self.address, "path": self.path, "blocking": self.blocking,
                "waived_by": self.waived_by}
