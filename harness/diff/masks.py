"""Field masks: remove documented volatile (and, for round trips, reseeded) paths.

Paths are dot paths from the resource document (``config.TableStatus``,
``data.objects.*.etag``); ``*`` matches one segment (a dict key or a list index).
The rules live next to each collector (``ServiceRules``), so what is ignored is
visible and reviewable.
"""

from __future__ import annotations

import copy
from typing import Any

from harness.estate.canonical import canonical_text
from harness.estate.snapshot import Resource


def rules_paths(resource: Resource, *, reseeded: bool = False) -> list[str]:
    from harness.collectors import rules_for

    rules = rules_for(resource.service)
    paths = list(rules.volatile.get(resource.type, ()))
    if reseeded:
        paths += list(rules.reseeded.get(resource.type, ()))
    return paths


def drop_paths(doc: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """A deep copy of ``doc`` without the values at ``paths``."""
    if not paths:
        return doc
    doc = copy.deepcopy(doc)
    for path in paths:
        _drop(doc, path.split("."))
    return doc


def sort_unordered(resource: Resource) -> None:
    """Sort, in place, the lists its service declares unordered (``ServiceRules.unordered``)."""
    from harness.collectors import rules_for

    paths = rules_for(resource.service).unordered.get(resource.type, ())
    if not paths:
        return
    doc = {"config": resource.config, "policies": resource.policies, "data": resource.data}
    for path in paths:
        _sort(doc, path.split("."))


def _sort(node: Any, parts: list[str]) -> None:
    if not parts:
        if isinstance(node, list):
            node.sort(key=canonical_text)
        return
    head, rest = parts[0], parts[1:]
    if isinstance(node, dict):
        children = list(node.values()) if head == "*" else [node[head]] if head in node else []
    elif isinstance(node, list) and head == "*":
        children = list(node)
    else:
        children = []
    for child in children:
        _sort(child, rest)


def _drop(node: Any, parts: list[str]) -> None:
    if not parts:
        return
    head, rest = parts[0], parts[1:]
    if isinstance(node, dict):
        keys = list(node) if head == "*" else [head] if head in node else []
        for key in keys:
            if rest:
                _drop(node[key], rest)
            else:
                node.pop(key, None)
    elif isinstance(node, list):
        if head == "*":
            indexes = range(len(node))
        elif head.isdigit() and int(head) < len(node):
            indexes = [int(head)]
        else:
            indexes = []
        for i in indexes:
            if rest:
                _drop(node[i], rest)


def comparable(resource: Resource, *, reseeded: bool = False,
               id_map: dict[str, str] | None = None) -> dict[str, Any]:
    """The resource as compared: no identity, volatile paths dropped, ids mapped back."""
    doc = resource.to_json()
    doc.pop("identity", None)
    if id_map:
        doc["id"] = id_map.get(doc.get("id") or "", doc.get("id"))
        doc["arn"] = id_map.get(doc.get("arn") or "", doc.get("arn"))
    return drop_paths(doc, rules_paths(resource, reseeded=reseeded))
