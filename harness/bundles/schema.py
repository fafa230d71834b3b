"""The bundle contract (BUNDLE.md, version 1) as JSON Schema.

Unknown fields are errors everywhere (``additionalProperties: false``): a typo must
not silently weaken an intent. The ``change`` section is validated against the
schema of its kind, which each runner carries (a new kind is one runner).
"""

from __future__ import annotations

from typing import Any

NAME = r"^[a-z0-9][a-z0-9-]{0,62}$"
AUTHOR = r"^(agent|user):[A-Za-z0-9._@+-]{1,128}$"
ADDRESS_GLOB = r"^[a-z0-9*?-]+:[a-z0-9*?-]+/.+$"
BOUND = {"oneOf": [
    {"type": "integer", "minimum": 0},
    {"type": "string", "pattern": r"^\s*(\*|any|(<=|>=|<|>|==)?\s*[0-9]+)\s*$"},
]}
TIMEOUT = {"type": "integer", "minimum": 1, "maximum": 3600}

EFFECT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["action", "resource"],
    "properties": {
        "action": {"enum": ["create", "update", "delete", "replace"]},
        "resource": {"type": "string", "pattern": ADDRESS_GLOB},
        "fields": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "data": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"inserted": BOUND, "updated": BOUND, "deleted": BOUND},
        },
        "optional": {"type": "boolean"},
        "reason": {"type": "string"},
    },
}

ACCESS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["principal", "actions", "resource"],
    "properties": {
        "principal": {"type": "string", "minLength": 1},
        "actions": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
        "resource": {"type": "string", "minLength": 1},
    },
}

BUNDLE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "shadow ChangeBundle v1",
    "type": "object",
    "additionalProperties": False,
    "required": ["apiVersion", "kind", "metadata", "intent", "change"],
    "properties": {
        "apiVersion": {"const": "shadow/v1"},
        "kind": {"const": "ChangeBundle"},
        "metadata": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "author"],
            "properties": {
                "name": {"type": "string", "pattern": NAME},
                "author": {"type": "string", "pattern": AUTHOR},
                "description": {"type": "string"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "intent": {
            "type": "object",
            "additionalProperties": False,
            "required": ["summary"],
            "properties": {
                "summary": {"type": "string", "minLength": 1},
                "effects": {"type": "array", "items": EFFECT},
                "access": {"type": "array", "items": ACCESS},
                "assumes": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "exists": {"type": "array", "items": {"type": "string", "pattern": ADDRESS_GLOB}},
                        "absent": {"type": "array", "items": {"type": "string", "pattern": ADDRESS_GLOB}},
                    },
                },
                "accepts": {
                    "type": "array",
                    "items": {"type": "string", "pattern": r"^SHD-[A-Z0-9-]+$"},
                    "description": "finding ids the author declares expected (e.g. SHD-STALE-STATE)",
                },
            },
        },
        "change": {
            "type": "object",
            "required": ["kind"],
            "properties": {"kind": {"type": "string"}},
        },
    },
}


def full_schema() -> dict[str, Any]:
    """The whole contract with every registered change kind, for agents and docs."""
    from harness.bundles.runners import RUNNERS

    doc = dict(BUNDLE)
    props = dict(doc["properties"])
    props["change"] = {"oneOf": [runner.schema for _, runner in RUNNERS.items()]}
    doc["properties"] = props
    return doc
