"""Markdown rendering of a report, for a pull-request comment (GitHub-flavoured).

The first lines answer verdict, why, blast radius in production units, undeclared
effects and approvals; the long sections follow, each collapsed or capped so that a
200-resource change is judged from the top and the comment stays under GitHub's limit
(65,536 characters), with a note on what was left out and where the full report is.
Everything that comes from a bundle, a change or the estate is escaped: prose has every
ASCII punctuation backslash-escaped (no markup, HTML, links or table breaks), values go
in code spans, and ``@`` is defused so a value cannot mention anyone.
"""

from __future__ import annotations

import html
import json
import re
import string
from collections.abc import Callable
from typing import Any

from harness.report import view

LIMIT = 65_536  # GitHub's maximum comment body, in characters
FOOTER_RESERVE = 1_200
TOP = 10  # blast-radius lines and why-lines on the first screen
DETAILED = 25  # per-resource diffs shown with their fields; the rest as one compact table
VISIBLE_ROWS = 25  # table rows shown before the rest is collapsed
FIELDS = 30  # field rows per resource
CLIP = 300  # characters of one prose item
STEPS = (None, 400, 200, 100, 50, 25, 10, 5, 0)  # items per section, tried in order until it fits

VERDICT_MARK = {"promoted": "✅", "rejected": "❌", "inconclusive": "⚠️"}
TIER_MARK = {"reversible": "🟢", "recoverable": "🔵", "recoverable from backup only": "🟠", "unrecoverable": "🔴"}
_PUNCT = frozenset(string.punctuation)
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def _line(value: Any) -> str:
    """One line of plain text: no newlines, no control or bidi-override characters."""
    return _INVISIBLE.sub("", str(value)).replace("\r\n", "\n").replace("\n", " ↵ ").replace("\t", " ")


def _clip(s: str, limit: int = CLIP) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


def text(value: Any, limit: int = CLIP) -> str:
    """Prose from user-controlled text: every ASCII punctuation escaped, ``@`` defused."""
    out = []
    for ch in _clip(_line(value), limit):
        if ch == "@":
            out.append("@\u200b")
        elif ch in _PUNCT:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def code(value: Any, *, table: bool = False, limit: int = CLIP) -> str:
    """A code span that no backtick, pipe or newline in ``value`` can end early."""
    s = _clip(_line(value), limit)
    if not s:
        return "*(empty)*"
    if not s.strip():  # a span of only spaces would lose them: show the value quoted
        s = json.dumps(s, ensure_ascii=False)
    if table:
        s = s.replace("|", "\\|")
    fence = "`" * (max((len(m) for m in re.findall("`+", s)), default=0) + 1)
    pad = " " if s[0] in "` " or s[-1] in "` " else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def raw_html(value: Any, limit: int = CLIP) -> str:
    """Text inside an HTML element (``<summary>``): entity-escaped, ``@`` defused."""
    return html.escape(_clip(_line(value), limit)).replace("@", "@&#8203;")


def fenced(body: str) -> str:
    """A fenced code block that no line of ``body`` can close."""
    fence = "`" * max(3, max((len(m) for m in re.findall("`+", body)), default=0) + 1)
    return f"{fence}text\n{_INVISIBLE.sub('', body)}\n{fence}"


def table(headers: list[str], rows: list[list[str]], *, visible: int = VISIBLE_ROWS, more: str = "more rows") -> str:
    """A GFM table; rows past ``visible`` go into a collapsed second table."""

    def one(rs: list[list[str]]) -> str:
        head = "| " + " | ".join(headers) + " |\n|" + "---|" * len(headers)
        return head + "".join("\n| " + " | ".join(r) + " |" for r in rs)

    shown, rest = view.split(rows, visible)
    out = one(shown)
    if rest:
        out += "\n\n" + details(f"{len(rest):,} {more}", one(rest))
    return out


def details(summary: str, body: str, *, open_: bool = False) -> str:
    """A collapsed block; ``summary`` must already be HTML-safe."""
    return f"<details{' open' if open_ else ''}><summary>{summary}</summary>\n\n{body}\n\n</details>"


def _omitted(n: int, what: str) -> str:
    return f"\n\n*… {n:,} more {what} not shown (comment size limit; see the full report).*" if n else ""


# ---------------------------------------------------------------- first screen


def first_screen(doc: dict[str, Any]) -> str:
    verdict, bundle = doc["verdict"], doc["bundle"]
    outcome = verdict["outcome"]
    out = [f"## {VERDICT_MARK[outcome]} shadow: {view.VERDICT_WORD[outcome]} {code(bundle['name'])}",
           "", f"**{text(doc['headline'], 500)}**", "", f"> intent: {text(bundle['summary'])}", ""]
    out.append(f"**Why {'it was ' + outcome if outcome != 'inconclusive' else 'it is inconclusive'}**")
    out.append("")
    reasons = view.why(doc)
    for r in reasons[:TOP]:
        rule = f"**{r.rule}** " if r.rule else ""
        more = f" *(and {r.more:,} more like it)*" if r.more else ""
        where = f" ({code(r.address)})" if r.address else ""
        out.append(f"- {rule}{text(r.text)}{where}{more}")
    if len(reasons) > TOP:
        out.append(f"- *… and {len(reasons) - TOP} more (see Findings)*")
    out += ["", _radius(doc), ""]
    undeclared = view.undeclared(doc)
    if undeclared:
        shown = ", ".join(code(u) for u in undeclared[:TOP])
        more = f" and {len(undeclared) - TOP:,} more" if len(undeclared) > TOP else ""
        out.append(f"**Undeclared effects ({len(undeclared):,})**: {shown}{more}")
    else:
        out.append("**Undeclared effects**: none, every measured change was declared")
    out.append("")
    out.append(f"**Approvals**: {view.approvals_text(verdict)}")
    snap = doc["snapshot"]
    out += ["", f"<sub>bundle {code(bundle['name'])} by {code(bundle['author'])} ({code(bundle['kind'])}) "
                f"{code(view.short_digest(bundle['digest']))}… · snapshot {code(view.short_digest(snap['digest']))}… "
                f"of account {code(snap['account'])} captured {code(snap['captured_at'])} · "
                f"report {code(view.short_digest(doc['digest']))}…</sub>"]
    return "\n".join(out) + "\n"


def _radius(doc: dict[str, Any]) -> str:
    summary, radius = doc["summary"], doc["blast_radius"]
    bits = [f"{summary['changes']:,} changes ({view.actions_text(doc)})"]
    if summary["changes"]:
        bits.append(f"worst: {TIER_MARK[summary['worst_tier']]} **{summary['worst_tier']}**")
    if summary["data_lost"]:
        bits.append(f"data lost: **{view.units_text(summary['data_lost'])}**")
    if summary["data_written"]:
        bits.append(f"data written: {view.units_text(summary['data_written'])}")
    if summary["grants_added"]:
        bits.append(f"grants added: **{summary['grants_added']:,}**")
    out = [f"**Blast radius** (production units): {'; '.join(bits)}"]
    if not radius:
        return out[0]
    top, rest = view.split(radius, TOP)
    out += ["", table(["recoverability", "effect"],
                      [[f"{TIER_MARK[line['tier']]} {line['tier']}", text(line["text"])] for line in top])]
    if rest:
        out += ["", f"*… and {len(rest):,} more: {view.by_tier_text(rest)} (see Changes below)*"]
        out += ["", table(["action", *view.WORST_FIRST, "total"],
                          [[a, *(f"{n:,}" if n else "·" for n in cells), f"{total:,}"]
                           for a, cells, total in view.matrix(doc)])]
    return "\n".join(out)


# ---------------------------------------------------------------- sections
# Each builder takes a cap (None = everything) and returns (markdown, items left out).

Section = Callable[[dict[str, Any], int | None], tuple[str, int]]


def intent_section(doc: dict[str, Any], cap: int | None) -> tuple[str, int]:
    rows = view.intent_rows(doc)
    shown = rows if cap is None else rows[:cap]
    body = [[text(r.declared) if r.declared else "*(nothing declared)*",
             "<br>".join(code(m, table=True) for m in r.measured[:10])
             + (f" *+{len(r.measured) - 10:,} more*" if len(r.measured) > 10 else "") or "*(nothing)*",
             f"{'✅' if r.ok else '❌'} {r.status}"] for r in shown]
    out = "### Intent vs effect\n\n"
    out += table(["declared", "measured", "status"], body, more="more rows") if body else "*no effects declared*"
    if doc["intent"]["access"]:
        out += "\n\nDeclared access: " + "; ".join(
            f"{code(a['principal'])} → {code(', '.join(a['actions']))} on {code(a['resource'])}"
            for a in doc["intent"]["access"])
    return out + _omitted(len(rows) - len(shown), "rows"), len(rows) - len(shown)


def _fields(c: dict[str, Any]) -> str:
    rows = [[code(f["path"], table=True), code(view.value_text(f["before"], 200), table=True) + " → "
             + code(view.value_text(f["after"], 200), table=True)] for f in c["fields"][:FIELDS]]
    out = table(["field", "before → after"], rows) if rows else ""
    if len(c["fields"]) > FIELDS:
        out += f"\n\n*… {len(c['fields']) - FIELDS:,} more fields*"
    return out


def _resource(c: dict[str, Any], open_: bool) -> str:
    summary = (f"<b>{view.MARK[c['action']]} {c['action']}</b> <code>{raw_html(c['address'])}</code> · "
               f"{TIER_MARK[c['tier']]} {c['tier']}")
    if c["replaced_by"]:
        summary += f" · replaced ({raw_html(c['replaced_by'])})"
    lines = [_fields(c)] if c["fields"] else []
    if c["data"]:
        lines.append(f"**data** ({text(view.data_unit_text(c['data']))}): {text(view.data_text(c['data']))}")
    lines += [f"**grant added** {text(view.grant_text(g))}" for g in c["grants_added"]]
    lines += [f"grant removed {text(view.grant_text(g))}" for g in c["grants_removed"]]
    if c["calls"]:
        lines.append("calls: " + ", ".join(f"#{n}" for n in c["calls"][:30]))
    return details(summary, "\n\n".join(lines) or "*no field changes recorded*", open_=open_)


def _compact_row(c: dict[str, Any]) -> list[str]:
    data = view.data_text(c["data"]) if c["data"] else ""
    return [code(c["address"], table=True), c["action"], f"{TIER_MARK[c['tier']]} {c['tier']}",
            f"{len(c['fields']):,}", text(data), f"{len(c['grants_added']):,}"]


def changes_section(doc: dict[str, Any], cap: int | None) -> tuple[str, int]:
    changes = view.risk_order(doc)
    if not changes:
        return "### Changes\n\n*no measured change*", 0
    shown = changes if cap is None else changes[:cap]
    detailed, compact = view.split(shown, DETAILED)
    out = ["### Changes", ""]
    small = len(changes) <= 3
    out += [_resource(c, open_=i < 3 and (small or c["action"] in ("delete", "replace") or bool(c["grants_added"])))
            for i, c in enumerate(detailed)]
    if compact:
        out += ["", details(f"{len(compact):,} more changes (address, action, tier, fields, data, grants)",
                            table(["address", "action", "recoverability", "fields", "data", "grants added"],
                                  [_compact_row(c) for c in compact], visible=len(compact)))]
    left = len(changes) - len(shown)
    return "\n".join(out) + _omitted(left, "changes"), left


def findings_section(doc: dict[str, Any], cap: int | None) -> tuple[str, int]:
    findings = doc["findings"]
    if not findings:
        return "### Findings\n\n*none*", 0
    shown = findings if cap is None else findings[:cap]
    rows = []
    for f in shown:
        sev = f"~~{f['severity']}~~ waived: {text(f['waived_by'])}" if f["waived_by"] else (
            f"**{f['severity']}**" if f["blocking"] else f["severity"])
        where = " → ".join(code(x, table=True) for x in (f["address"], f["path"]) if x)
        rows.append([f"**{f['rule']}**" if f["blocking"] else f["rule"], sev, where, text(f["message"])])
    out = "### Findings\n\n" + table(["rule", "severity", "address", "message"], rows, more="more findings")
    return out + _omitted(len(findings) - len(shown), "findings"), len(findings) - len(shown)


def problems_section(doc: dict[str, Any], cap: int | None) -> tuple[str, int]:
    items = [("could not simulate faithfully", text(r)) for r in doc["inconclusive"]]
    items += [("unreadable", f"{code(u['address'] or u['service'])}: {text(u['reason'])}") for u in doc["unknown"]]
    items += [("not seeded", f"{code(p['address'])} ({code(p['operation'])}): {text(p['message'])}")
              for p in doc["seed_problems"]]
    if not items:
        return "", 0
    shown = items if cap is None else items[:cap]
    out = "### Inconclusive reasons and gaps\n\n" + "\n".join(f"- {kind}: {line}" for kind, line in shown)
    return out + _omitted(len(items) - len(shown), "gaps"), len(items) - len(shown)


def egress_section(doc: dict[str, Any], cap: int | None) -> tuple[str, int]:
    egress = doc["egress"]
    if not egress:
        return "", 0
    shown = egress if cap is None else egress[:cap]
    rows = [[code(e["destination"], table=True), code(e["how"], table=True), text(e["detail"])] for e in shown]
    out = "### Egress refused\n\n" + table(["destination", "how", "detail"], rows, more="more attempts")
    return out + _omitted(len(egress) - len(shown), "egress attempts"), len(egress) - len(shown)


def trace_section(doc: dict[str, Any], cap: int | None) -> tuple[str, int]:
    trace, ex = doc["trace"], doc["execution"]
    shown = trace if cap is None else trace[:cap]
    rows = [[str(c["seq"]), code(f"{c['service']}.{c['operation']}", table=True),
             code(c["target"], table=True) if c["target"] else "", code(view.call_status(c), table=True),
             text(", ".join(view.call_flags(c)))] for c in shown]
    title = f"Call trace: {len(trace):,} calls ({sum(c['mutating'] for c in trace):,} mutating), isolation: " \
            f"{raw_html(ex['isolation'] or 'none')}"
    body = table(["#", "call", "target", "status", "notes"], rows, visible=len(rows)) if rows else "*no calls*"
    return details(title, body + _omitted(len(trace) - len(shown), "calls")), len(trace) - len(shown)


def execution_section(doc: dict[str, Any], cap: int | None) -> tuple[str, int]:
    ex = doc["execution"]
    facts = [f"isolation {code(ex['isolation'] or 'none')}", f"exit code {code(ex['returncode'])}",
             f"timed out: {'**yes**' if ex['timed_out'] else 'no'}", f"backend {code(doc['backend'])}"]
    out = ["### Execution", "", " · ".join(facts)]
    if ex["failed"]:
        out += ["", f"failed: {text(ex['failed'])}"]
    out += [f"- note: {text(n)}" for n in ex["notes"]]
    left = 0
    for name in ("stdout_tail", "stderr_tail"):
        lines = ex[name].splitlines() if ex[name] else []
        keep = lines if cap is None else lines[-cap:] if cap else []
        left += len(lines) - len(keep)
        if keep:
            body = "\n".join(_clip(line, 500) for line in keep)
            out += ["", details(f"{name.replace('_', ' ')} ({len(keep)} lines)", fenced(body))]
    return "\n".join(out), left


def artifacts_section(doc: dict[str, Any], cap: int | None) -> tuple[str, int]:
    artifacts = doc["artifacts"]
    if not artifacts:
        return "", 0
    limit = 4000 if cap is None else cap * 10
    out, left = [], 0
    for name, value in sorted(artifacts.items()):
        body = view.artifact_text(value)
        left += max(0, len(body) - limit)
        shown = body[:limit] + ("\n… (clipped; see the full report)" if len(body) > limit else "")
        out.append(details(f"artifact {raw_html(name)} ({len(body):,} chars)", fenced(shown) if limit else "*omitted*"))
    return "### Artifacts\n\n" + "\n\n".join(out), left


def config_section(doc: dict[str, Any], cap: int | None) -> tuple[str, int]:
    cfg = doc["config"]
    lines = [f"- freeze {code(w['start'])} to {code(w['end'])}: {text(w['reason'])}" for w in cfg["freeze"]]
    lines += [f"- protected {code(p)}" for p in cfg["protected"]]
    lines += [f"- waiver {w['rule']} on {code(w['address'])}: {text(w['reason'])}" for w in cfg["waivers"]]
    if not lines:
        return "", 0
    shown = lines if cap is None else lines[:cap]
    source = f" from {code(cfg['source'])}" if cfg["source"] else ""
    return (details(f"Configuration ({len(lines)} rules)", f"Configuration{source}:\n\n" + "\n".join(shown)),
            len(lines) - len(shown))


ORDER: list[tuple[str, Section]] = [
    ("intent", intent_section), ("changes", changes_section), ("findings", findings_section),
    ("problems", problems_section), ("egress", egress_section), ("trace", trace_section),
    ("execution", execution_section), ("artifacts", artifacts_section), ("config", config_section),
]
PRIORITY = ["findings", "problems", "egress", "intent", "changes", "config", "execution", "trace", "artifacts"]


def _fit(section: Section, doc: dict[str, Any], budget: int) -> tuple[str, int]:
    for cap in STEPS:
        out, left = section(doc, cap)
        if len(out) + 2 <= budget:
            return out, left
    return "", 1


def render(doc: dict[str, Any], *, limit: int = LIMIT, full_report: str | None = None) -> str:
    """The comment body; never longer than ``limit`` characters."""
    head = first_screen(doc)
    budget = limit - len(head) - FOOTER_RESERVE
    builders = dict(ORDER)
    parts: dict[str, str] = {}
    shortened: list[str] = []
    for name in PRIORITY:
        out, left = _fit(builders[name], doc, budget)
        parts[name] = out
        budget -= len(out) + 2
        if left:
            shortened.append(name)
    body = head + "".join(f"\n{parts[name]}\n" for name, _ in ORDER if parts[name])
    footer = _footer(doc, shortened, full_report, limit)
    out = body + footer
    if len(out) > limit:  # only a pathological first screen gets here
        out = _clip(head, limit - len(footer) - 1) + footer
    return out


def _footer(doc: dict[str, Any], shortened: list[str], full_report: str | None, limit: int) -> str:
    where = (f"the full report is at {code(full_report)}" if full_report else
             "the full report (`--format html` or `--format json`) has everything")
    line = (f"\n> [!WARNING]\n> Shortened to fit the {limit:,}-character comment limit "
            f"({', '.join(shortened)} cut); {where}. Report digest {code(doc['digest'])}.\n" if shortened else "")
    return line + (f"\n<sub>shadow {code(doc['shadow_version'])} · {code(doc['format'])} · "
                   f"generated {code(doc['generated_at'])}</sub>\n")
