"""Stale-state detection: the bundle's Terraform state (and the plan) against fresh production.

A state file from another machine or an older checkout makes Terraform act on a
production that no longer exists (the March 2026 incident). Three contradictions are
looked for, each a ``StaleFact``:

- ``missing``: the state believes a resource exists; the production snapshot has none
  (Terraform's own refresh in the sandbox, ``resource_drift`` with a delete, agrees);
- ``ignored``: production has a resource the state does not know, and the plan creates
  it (so it will collide with, adopt or shadow the live one);
- ``differs``: the state's attribute values (id, tags, mapped settings) differ from
  production's.

A resource type shadow cannot map, or a service the snapshot did not capture or could
not read, is reported as not compared rather than assumed to match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.estate.snapshot import Snapshot
from harness.iac.tfmap import TYPES, expected_address, locate, same, snapshot_value, user_tags


@dataclass(frozen=True)
class StaleFact:
    kind: str  # missing | ignored | differs
    tf_address: str
    address: str | None  # the shadow address (production's, or what it would be)
    message: str
    path: str | None = None


@dataclass
class StaleResult:
    facts: list[StaleFact]
    not_compared: list[str]  # Terraform addresses shadow could not compare, with why


def compare(state: list[dict[str, Any]], plan: dict[str, Any] | None, production: Snapshot) -> StaleResult:
    """Every contradiction between the author's state/plan and the production snapshot."""
    facts: list[StaleFact] = []
    skipped: list[str] = []
    known = {s["tf_address"] for s in state}
    for record in state:
        tf_address, rtype, attrs = record["tf_address"], record["type"], record.get("attributes") or {}
        why = _uncomparable(rtype, attrs, production)
        if why:
            skipped.append(f"{tf_address}: {why}")
            continue
        found = locate(rtype, attrs, production)
        if found is None:
            address = expected_address(rtype, attrs)
            facts.append(StaleFact("missing", tf_address, address,
                                   f"the state believes {tf_address} ({address or attrs.get('id')}) exists, but "
                                   f"production has no such resource (snapshot {production.captured_at})"))
            continue
        facts.extend(_differences(tf_address, rtype, attrs, found))
    for change in (plan or {}).get("resource_drift") or []:
        if change.get("mode", "managed") == "managed" and (change.get("change") or {}).get("actions") == ["delete"]:
            tf_address = change["address"]
            if not any(f.tf_address == tf_address and f.kind == "missing" for f in facts):
                before = (change.get("change") or {}).get("before") or {}
                address = expected_address(change.get("type", ""), before)
                facts.append(StaleFact("missing", tf_address, address,
                                       f"Terraform's refresh against the production clone found {tf_address} "
                                       f"({address or before.get('id')}) gone, though the state holds it"))
    for change in (plan or {}).get("resource_changes") or []:
        actions = (change.get("change") or {}).get("actions") or []
        if change.get("mode", "managed") != "managed" or "create" not in actions or change["address"] in known:
            continue
        if (change.get("change") or {}).get("importing"):
            continue  # an explicit import: the author knows the resource exists
        after = (change.get("change") or {}).get("after") or {}
        found = locate(change.get("type", ""), after, production)
        if found is not None:
            facts.append(StaleFact("ignored", change["address"], found.address,
                                   f"production already has {found.address}, which the state does not know, and "
                                   f"the plan creates {change['address']} with the same name"))
    return StaleResult(facts, skipped)


def _uncomparable(rtype: str, attrs: dict[str, Any], production: Snapshot) -> str | None:
    tf_type = TYPES.get(rtype)
    if tf_type is None:
        return f"shadow does not map {rtype} to a production resource"
    if production.services and tf_type.service not in production.services:
        return f"the snapshot did not capture {tf_type.service}"
    address = expected_address(rtype, attrs)
    if production.gaps_for(address or "", tf_type.service):
        return f"the snapshot could not read {tf_type.service} (a capture gap)"
    return None


def _differences(tf_address: str, rtype: str, attrs: dict[str, Any], found: Any) -> list[StaleFact]:
    tf_type = TYPES[rtype]
    out: list[StaleFact] = []
    if tf_type.id_attr and attrs.get(tf_type.id_attr) and found.id and attrs[tf_type.id_attr] != found.id:
        out.append(StaleFact("differs", tf_address, found.address,
                             f"{found.address}: the state holds {tf_type.id_attr} {attrs[tf_type.id_attr]!r}, "
                             f"production's is {found.id!r} (the resource was recreated since)", tf_type.id_attr))
    for attr, path in tf_type.fields.items():
        if attr not in attrs:
            continue
        live = snapshot_value(found, path)
        if live is None:
            continue  # the collector does not record it: nothing to compare
        if not same(attrs[attr], live):
            out.append(StaleFact("differs", tf_address, found.address,
                                 f"{found.address}: the state says {attr} = {attrs[attr]!r}, production has "
                                 f"{live!r}", path))
    if "tags" in attrs:
        theirs, live = user_tags(attrs.get("tags")), user_tags(found.tags)
        for key in sorted(set(theirs) | set(live)):
            if theirs.get(key) != live.get(key):
                out.append(StaleFact("differs", tf_address, found.address,
                                     f"{found.address}: the state says tag {key} = {theirs.get(key)!r}, "
                                     f"production has {live.get(key)!r}", f"tags.{key}"))
    return out
