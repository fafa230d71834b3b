"""shadow configuration: ``shadow.toml`` or ``[tool.shadow]`` in ``pyproject.toml``.

Holds freeze windows, protected addresses (a delete or replace of one is always
blocked), per-policy severities and waivers (a rule id plus an address glob, with a
reason; shown in every report). Unknown keys are errors, like in bundles.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from harness.errors import ConfigError

SEVERITIES = ("block", "warn", "info", "off")

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "freeze": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["start", "end"],
            "properties": {"start": {"type": "string"}, "end": {"type": "string"}, "reason": {"type": "string"}},
        }},
        "protected": {"type": "array", "items": {"type": "string"}},
        "policies": {"type": "object", "additionalProperties": {"enum": list(SEVERITIES)}},
        "waivers": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["rule", "address", "reason"],
            "properties": {"rule": {"type": "string", "pattern": "^SHD-[A-Z0-9-]+$"},
                           "address": {"type": "string"}, "reason": {"type": "string", "minLength": 1},
                           "expires": {"type": "string"}},
        }},
        "timeout": {"type": "integer", "minimum": 1, "maximum": 3600},
        "two_approvers_for": {"type": "array", "items": {"enum": ["destructive", "elevated", "all"]}},
    },
}


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime
    reason: str = ""

    def contains(self, when: dt.datetime) -> bool:
        return self.start <= when < self.end


@dataclass(frozen=True)
class Waiver:
    rule: str
    address: str
    reason: str
    expires: dt.datetime | None = None

    def active(self, when: dt.datetime) -> bool:
        return self.expires is None or when < self.expires


@dataclass
class Config:
    """Effective configuration (defaults when no file is found)."""

    freeze: list[Window] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)
    severities: dict[str, str] = field(default_factory=dict)
    waivers: list[Waiver] = field(default_factory=list)
    timeout: int = 300
    source: str | None = None


def parse_time(text: str, where: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{text!r} is not an ISO 8601 time", where=where,
                          hint="Write e.g. 2026-12-20T00:00:00Z") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def from_dict(doc: dict[str, Any], source: str) -> Config:
    error = best_match(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc))
    if error is not None:
        path = ".".join(str(p) for p in error.absolute_path) or "(top)"
        raise ConfigError(error.message, where=f"{source}: {path}",
                          hint="See README (Configuration) for the allowed keys")
    cfg = Config(source=source)
    for i, w in enumerate(doc.get("freeze", [])):
        where = f"{source}: freeze[{i}]"
        cfg.freeze.append(Window(parse_time(w["start"], where), parse_time(w["end"], where), w.get("reason", "")))
    cfg.protected = list(doc.get("protected", []))
    cfg.severities = dict(doc.get("policies", {}))
    for i, w in enumerate(doc.get("waivers", [])):
        expires = parse_time(w["expires"], f"{source}: waivers[{i}].expires") if w.get("expires") else None
        cfg.waivers.append(Waiver(w["rule"], w["address"], w["reason"], expires))
    cfg.timeout = int(doc.get("timeout", cfg.timeout))
    return cfg


def load_config(path: str | Path | None = None, *, search: Path | None = None) -> Config:
    """Read ``path``, else ``shadow.toml`` / ``pyproject.toml [tool.shadow]`` in ``search``."""
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise ConfigError("file not found", where=str(file))
        return _read(file, pyproject=file.name == "pyproject.toml")
    folder = search or Path.cwd()
    if (folder / "shadow.toml").is_file():
        return _read(folder / "shadow.toml", pyproject=False)
    if (folder / "pyproject.toml").is_file():
        return _read(folder / "pyproject.toml", pyproject=True)
    return Config()


def _read(file: Path, *, pyproject: bool) -> Config:
    try:
        doc = tomllib.loads(file.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc})", where=str(file)) from None
    if pyproject:
        doc = doc.get("tool", {}).get("shadow", {})
        if not doc:
            return Config()
        return from_dict(doc, f"{file} [tool.shadow]")
    return from_dict(doc, str(file))
