"""Scenario files: ``scenarios/<name>/scenario.yaml`` (a production, a bundle, an expectation).

A scenario replays an incident (or a benign change) and states, from the incident, the
verdict and the finding ids shadow must produce. Production is either a snapshot file
or a named estate recipe built and captured once per run, plus ``production`` facts the
emulator cannot hold (row counts, production item counts), patched into the snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from harness.bundles.yamlsrc import SourceError, parse
from harness.errors import BadInput

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "title", "kind", "bundle", "expect"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"},
        "title": {"type": "string"},
        "kind": {"enum": ["incident", "benign"]},
        "incident": {"type": "string"},
        "estate": {"type": "string"},
        "snapshot": {"type": "string"},
        "production": {"type": "object", "additionalProperties": {
            "type": "object", "additionalProperties": False,
            "properties": {"count": {"type": "integer", "minimum": 0}, "unit": {"type": "string"}}}},
        "config": {"type": "string"},
        "at": {"type": "string"},
        "bundle": {"type": "string"},
        "timeout": {"type": "integer", "minimum": 1},
        "slow": {"type": "boolean"},
        "requires": {"type": "array", "items": {"type": "string"}},
        "expect": {
            "type": "object", "additionalProperties": False, "required": ["verdict"],
            "properties": {
                "verdict": {"enum": ["promoted", "rejected", "inconclusive"]},
                "findings": {"type": "array", "items": {"type": "string", "pattern": "^SHD-[A-Z0-9-]+$"}},
                "absent": {"type": "array", "items": {"type": "string", "pattern": "^SHD-[A-Z0-9-]+$"}},
                "approvals": {"type": "integer", "enum": [1, 2]},
                "blast_radius": {"type": "array", "items": {"type": "string"},
                                 "description": "addresses the report's blast radius must name"},
            },
        },
    },
    "oneOf": [{"required": ["estate"]}, {"required": ["snapshot"]}],
}


@dataclass
class Scenario:
    folder: Path
    name: str
    title: str
    kind: str
    bundle: Path
    verdict: str
    findings: list[str]
    absent: list[str]
    approvals: int | None = None
    blast_radius: list[str] = field(default_factory=list)
    incident: str = ""
    estate: str | None = None
    snapshot: Path | None = None
    production: dict[str, dict[str, Any]] = field(default_factory=dict)
    config: Path | None = None
    at: str | None = None
    timeout: int | None = None
    slow: bool = False
    requires: list[str] = field(default_factory=list)


def load_scenario(folder: Path) -> Scenario:
    file = folder / "scenario.yaml"
    try:
        doc, _ = parse(file.read_text())
    except (OSError, SourceError) as exc:
        raise BadInput(f"cannot read the scenario ({exc})", where=str(file)) from None
    error = best_match(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc))
    if error is not None:
        path = ".".join(str(p) for p in error.absolute_path) or "(top)"
        raise BadInput(error.message, where=f"{file}: {path}", hint="See scenarios/README.md")
    expect = doc["expect"]
    return Scenario(
        folder=folder, name=doc["name"], title=doc["title"], kind=doc["kind"], bundle=folder / doc["bundle"],
        verdict=expect["verdict"], findings=list(expect.get("findings", [])), absent=list(expect.get("absent", [])),
        approvals=expect.get("approvals"), blast_radius=list(expect.get("blast_radius", [])),
        incident=doc.get("incident", ""), estate=doc.get("estate"),
        snapshot=folder / doc["snapshot"] if doc.get("snapshot") else None,
        production=dict(doc.get("production", {})), config=folder / doc["config"] if doc.get("config") else None,
        at=doc.get("at"), timeout=doc.get("timeout"), slow=bool(doc.get("slow", False)),
        requires=list(doc.get("requires", [])),
    )


def discover(root: Path) -> list[Scenario]:
    """Every scenario folder under ``root`` (sorted by name)."""
    if (root / "scenario.yaml").is_file():
        return [load_scenario(root)]
    if not root.is_dir():
        raise BadInput("no such scenarios folder", where=str(root))
    return [load_scenario(p.parent) for p in sorted(root.glob("*/scenario.yaml"))]
