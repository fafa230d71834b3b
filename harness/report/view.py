"""Presentation facts derived from a report document, shared by the text, Markdown and
HTML renderers so that every format says the same thing in the same order.

Nothing here escapes: each renderer escapes for its own medium.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from harness.policies.recoverability import TIERS

ACTIONS = ("delete", "replace", "update", "create")  # most destructive first
WORST_FIRST = tuple(reversed(TIERS))
MARK = {"create": "+", "update": "~", "delete": "-", "replace": "±"}
VERDICT_WORD = {"promoted": "PROMOTED", "rejected": "REJECTED", "inconclusive": "INCONCLUSIVE"}


def value_text(value: Any, limit: int | None = 100) -> str:
    """A before/after value as one line of text (JSON for anything but a string)."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    if limit is not None and len(text) > limit:
        return text[: limit - 3] + "..."
    return text


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def data_text(data: dict[str, Any]) -> str:
    """``+3 inserted, 0 updated, -1,206 deleted`` in production units."""
    p = data["production"]
    approx = "" if data["exact"] else "~"
    return f"+{approx}{p['inserted']:,} inserted, {approx}{p['updated']:,} updated, -{approx}{p['deleted']:,} deleted"


def data_unit_text(data: dict[str, Any]) -> str:
    return f"{data['unit']}, production units{'' if data['exact'] else ', estimated'}"


def grant_text(grant: dict[str, Any]) -> str:
    extra = " (public)" if grant.get("public") else ""
    extra += " (conditional)" if grant.get("conditional") else ""
    return f"{grant['principal']} -> {grant['action']} on {grant['resource']}{extra}"


def approvals_text(verdict: dict[str, Any]) -> str:
    """Who must approve, or why nothing goes to the gate."""
    if verdict["outcome"] != "promoted":
        return "not sent to the gate (nothing to approve)"
    why = [w for w, on in (("destructive", verdict["destructive"]), ("elevated access", verdict["elevated"])) if on]
    return f"needs {plural(verdict['approvals_required'], 'approver')}" + (f" ({', '.join(why)})" if why else "")


@dataclass
class Reason:
    """One line of "why": a rule id (or none for inconclusive reasons), the first message, how many more."""

    rule: str | None
    text: str
    address: str | None = None
    more: int = 0


def why(doc: dict[str, Any]) -> list[Reason]:
    """Reasons for the verdict; blocking findings grouped by rule so 200 of one kind stay one line."""
    verdict = doc["verdict"]
    if verdict["outcome"] != "rejected":
        return [Reason(None, r) for r in verdict["reasons"]]
    grouped: dict[str, Reason] = {}
    for f in doc["findings"]:
        if not f["blocking"]:
            continue
        if f["rule"] in grouped:
            grouped[f["rule"]].more += 1
        else:
            grouped[f["rule"]] = Reason(f["rule"], f["message"], f["address"])
    return list(grouped.values()) or [Reason(None, r) for r in verdict["reasons"]]


def split(items: list[Any], n: int) -> tuple[list[Any], list[Any]]:
    return items[:n], items[n:]


def by_tier(lines: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """(tier, count) worst first, for "... and 190 more: 150 reversible, 40 recoverable"."""
    counts = Counter(line["tier"] for line in lines)
    return [(t, counts[t]) for t in WORST_FIRST if counts[t]]


def by_tier_text(lines: list[dict[str, Any]]) -> str:
    return ", ".join(f"{n:,} {t}" for t, n in by_tier(lines))


def matrix(doc: dict[str, Any]) -> list[tuple[str, list[int], int]]:
    """Changes counted by action (rows) and recoverability tier (columns, worst first)."""
    counts = Counter((c["action"], c["tier"]) for c in doc["changes"])
    rows = []
    for action in ACTIONS:
        cells = [counts[(action, t)] for t in WORST_FIRST]
        if sum(cells):
            rows.append((action, cells, sum(cells)))
    return rows


def actions_text(doc: dict[str, Any]) -> str:
    actions = doc["summary"]["actions"]
    return ", ".join(f"{actions[a]:,} {a}" for a in ACTIONS if actions.get(a)) or "none"


def units_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {unit.rstrip('s') if n == 1 else unit}" for unit, n in sorted(counts.items()))


def risk_order(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Changes, riskiest first (same order as the blast radius, then the rest by address)."""
    rank = {line["address"]: i for i, line in enumerate(doc["blast_radius"])}
    for i, line in enumerate(doc["blast_radius"]):
        for covered in line.get("covers", []):
            rank.setdefault(covered, i)
    return sorted(doc["changes"], key=lambda c: (rank.get(c["address"], len(rank)), c["address"]))


def declared_text(row: dict[str, Any]) -> str:
    """A declared effect in one line: ``update dynamodb:table/orders fields [...] data updated<=1``."""
    text = f"{row['action']} {row['resource']}"
    if row["fields"]:
        text += f" fields {', '.join(row['fields'])}"
    if row["data"]:
        text += " data " + ", ".join(f"{k} {v}" for k, v in row["data"].items())
    if row["optional"]:
        text += " (optional)"
    return text


@dataclass
class IntentRow:
    """One row of intent vs effect: what was declared, what was measured, and whether they agree."""

    declared: str | None
    measured: list[str]
    status: str  # happened | missing | optional, did not happen | not declared
    ok: bool


def intent_rows(doc: dict[str, Any]) -> list[IntentRow]:
    actions = {c["address"]: c["action"] for c in doc["changes"]}
    rows = [IntentRow(declared_text(r), [f"{actions.get(a, '?')} {a}" for a in r["covered"]], r["status"],
                      r["status"] != "missing") for r in doc["intent"]["effects"]]
    rows += [IntentRow(None, [f"{actions.get(a, '?')} {a}"], "not declared", False)
             for a in doc["intent"]["undeclared"]]
    return rows


def undeclared(doc: dict[str, Any]) -> list[str]:
    """Undeclared effects as ``action address``."""
    actions = {c["address"]: c["action"] for c in doc["changes"]}
    return [f"{actions.get(a, 'change')} {a}" for a in doc["summary"]["undeclared"]]


def call_flags(call: dict[str, Any]) -> list[str]:
    flags = []
    if call["mutating"]:
        flags.append("mutating")
    if call["hardwired"]:
        flags.append(f"hard-wired endpoint {call['host']}")
    if call["emulator_gap"]:
        flags.append("emulator gap")
    return flags


def call_status(call: dict[str, Any]) -> str:
    return f"{call['status']}{' ' + call['error_code'] if call['error_code'] else ''}"


def artifact_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=2, sort_keys=True, default=str)


def short_digest(digest: str | None) -> str:
    return (digest or "")[:19]
