"""Terraform state files (format version 4): read, check, translate ids, list resources.

The bundle's state is the author's view of production and may be stale. shadow reads
it (bad JSON or another format is bad input), and before the sandbox run replaces
every production id it holds with the id the sandbox gave the same resource (EC2 and
RDS generate their own), so that Terraform refreshes and changes the sandbox's copies
of exactly the resources the state names. The reverse map turns plan values back
into production ids for the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import BundleError

MIN_ID_LENGTH = 6  # shorter strings are never treated as ids when translating


@dataclass
class StateResource:
    """One managed resource instance in a state: its Terraform address, type and attributes."""

    tf_address: str
    type: str
    attributes: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"tf_address": self.tf_address, "type": self.type, "attributes": self.attributes}


def load_state(path: Path, where: str) -> dict[str, Any]:
    """Parse and check a state file; BundleError (exit 2) says what is wrong."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BundleError(f"the Terraform state is not valid JSON ({exc})", where=where,
                          hint="Give the terraform.tfstate file as Terraform wrote it") from None
    if not isinstance(doc, dict) or doc.get("version") != 4 or not isinstance(doc.get("resources", []), list):
        raise BundleError("not a Terraform state file of format version 4", where=where,
                          hint="Terraform >= 0.12 writes version 4; run `terraform state pull` to get one")
    return doc


def resources(doc: dict[str, Any]) -> list[StateResource]:
    """Managed resource instances of the aws provider, with full Terraform addresses."""
    out: list[StateResource] = []
    for res in doc.get("resources") or []:
        if res.get("mode", "managed") != "managed" or "hashicorp/aws" not in str(res.get("provider", "")):
            continue
        base = f"{res['module']}." if res.get("module") else ""
        base += f"{res['type']}.{res['name']}"
        for inst in res.get("instances") or []:
            key = inst.get("index_key")
            suffix = "" if key is None else (f"[{key}]" if isinstance(key, int) else f'["{key}"]')
            out.append(StateResource(base + suffix, res["type"], dict(inst.get("attributes") or {})))
    return out


def translate(value: Any, mapping: dict[str, str]) -> Any:
    """``value`` with every occurrence of a mapped id replaced (exact strings and inside ARNs/URLs)."""
    pairs = sorted(((a, b) for a, b in mapping.items() if a and b and len(a) >= MIN_ID_LENGTH and a != b),
                   key=lambda p: -len(p[0]))
    if not pairs:
        return value
    exact = dict(pairs)

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            if v in exact:
                return exact[v]
            for old, new in pairs:
                if old in v:
                    v = v.replace(old, new)
            return v
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return walk(value)
