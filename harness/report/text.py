"""Terminal rendering of a report: the first screen answers verdict, why, blast radius."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.markup import escape

from harness.report import view

COLORS = {"promoted": "green", "rejected": "red", "inconclusive": "yellow"}
TIER_COLORS = {"reversible": "green", "recoverable": "cyan", "recoverable from backup only": "yellow",
               "unrecoverable": "red"}
MARK = view.MARK
FIRST_SCREEN_LINES = 12
_value = view.value_text


def render_to(console: Console, doc: dict[str, Any], *, full: bool = True) -> None:
    verdict = doc["verdict"]
    color = COLORS[verdict["outcome"]]
    console.print(f"[bold {color}]{escape(doc['headline'])}[/]")
    b, s = doc["bundle"], doc["snapshot"]
    console.print(f"bundle [bold]{escape(b['name'])}[/] by {escape(b['author'])} ({b['kind']}), {b['digest'][:19]}…; "
                  f"snapshot {s['digest'][:19]}… of account {s['account']} captured {s['captured_at']}")
    console.print(f"intent: {escape(b['summary'])}")
    if verdict["outcome"] == "promoted":
        console.print(f"gate: needs {verdict['approvals_required']} approver(s)"
                      + (" (destructive)" if verdict["destructive"] else "")
                      + (" (elevated access)" if verdict["elevated"] else ""))
    console.print()
    console.print("[bold]Why[/]")
    reasons = verdict["reasons"]
    for reason in reasons[:FIRST_SCREEN_LINES]:
        console.print(f"  {'✗' if verdict['outcome'] != 'promoted' else '✓'} {escape(reason)}")
    if len(reasons) > FIRST_SCREEN_LINES:
        console.print(f"  … and {len(reasons) - FIRST_SCREEN_LINES} more")
    radius = doc["blast_radius"]
    summary = doc["summary"]
    console.print()
    acts = ", ".join(f"{n} {a}" for a, n in sorted(summary["actions"].items())) or "none"
    console.print(f"[bold]Blast radius[/] (production units): {summary['changes']} changes ({acts}); "
                  f"worst: [{TIER_COLORS[summary['worst_tier']]}]{summary['worst_tier']}[/]")
    for line in radius[:FIRST_SCREEN_LINES]:
        tier = line["tier"]
        console.print(f"  [{TIER_COLORS[tier]}]{tier:<28}[/] {escape(line['text'])}")
    if len(radius) > FIRST_SCREEN_LINES:
        rest = radius[FIRST_SCREEN_LINES:]
        console.print("  … " + ", ".join(f"{n} more {t}" for t, n in view.by_tier(rest)))
    if summary["undeclared"]:
        shown = ", ".join(summary["undeclared"][:8])
        more = f" (+{len(summary['undeclared']) - 8})" if len(summary["undeclared"]) > 8 else ""
        console.print(f"  [red]undeclared:[/] {escape(shown)}{more}")
    if not full:
        return
    console.print()
    console.print("[bold]Intent vs effect[/]")
    for row in doc["intent"]["effects"]:
        status = row["status"]
        style = "green" if status == "happened" else "red" if status == "missing" else "dim"
        extra = f" fields {row['fields']}" if row["fields"] else ""
        extra += f" data {row['data']}" if row["data"] else ""
        measured = ", ".join(row["covered"][:5]) + (" …" if len(row["covered"]) > 5 else "")
        console.print(f"  declared {row['action']} {escape(row['resource'])}{escape(extra)} -> "
                      f"[{style}]{status}[/] {escape(measured)}")
    for address in doc["intent"]["undeclared"]:
        console.print(f"  [red]not declared[/] {escape(address)}")
    if doc["changes"]:
        console.print()
        console.print("[bold]Changes[/]")
        for c in doc["changes"]:
            console.print(f"  {MARK[c['action']]} [bold]{escape(c['address'])}[/] ({c['action']}, {c['tier']}"
                          + (f", replaced: {c['replaced_by']}" if c["replaced_by"] else "") + ")")
            for f in c["fields"][:20]:
                before, after = escape(_value(f["before"])), escape(_value(f["after"]))
                console.print(f"      {escape(f['path'])}: {before} -> {after}")
            if len(c["fields"]) > 20:
                console.print(f"      … {len(c['fields']) - 20} more fields")
            d = c["data"]
            if d:
                console.print(f"      data ({view.data_unit_text(d)}): {view.data_text(d)}")
            for g in c["grants_added"]:
                console.print(f"      [red]+ grant[/] {escape(g['principal'])} -> {escape(g['action'])} on "
                              f"{escape(g['resource'])}")
            for g in c["grants_removed"]:
                console.print(f"      - grant {escape(g['principal'])} -> {escape(g['action'])} on "
                              f"{escape(g['resource'])}")
    if doc["findings"]:
        console.print()
        console.print("[bold]Findings[/]")
        for f in doc["findings"]:
            tag = "waived" if f["waived_by"] else f["severity"]
            style = "red" if f["blocking"] else "yellow" if tag == "warn" else "dim"
            waived = f" (waived: {f['waived_by']})" if f["waived_by"] else ""
            console.print(f"  [{style}]{tag:<6}[/] {f['rule']} {escape(f['message'])}{escape(waived)}")
    if doc["inconclusive"]:
        console.print()
        console.print("[bold yellow]Could not simulate faithfully[/]")
        for reason in doc["inconclusive"]:
            console.print(f"  ? {escape(reason)}")
    trace = doc["trace"]
    console.print()
    console.print(f"[bold]Call trace[/] ({len(trace)} calls, isolation: {doc['execution']['isolation']})")
    for c in trace[:50]:
        flag = " [yellow]hard-wired[/]" if c["hardwired"] else ""
        console.print(f"  {c['seq']:>4} {c['service']}.{c['operation']} {escape(str(c['target'] or ''))} "
                      f"-> {c['status']}{' ' + c['error_code'] if c['error_code'] else ''}{flag}")
    if len(trace) > 50:
        console.print(f"  … {len(trace) - 50} more calls (see the JSON report)")
    for e in doc["egress"]:
        console.print(f"  [red]egress refused[/] {escape(e['destination'])} ({e['how']})")


def render(doc: dict[str, Any]) -> str:
    buf = io.StringIO()
    render_to(Console(file=buf, width=120, no_color=True, highlight=False, emoji=False), doc)
    return buf.getvalue()
