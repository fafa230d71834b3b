"""Self-contained HTML rendering of a report: one file that opens from disk with no network.

Jinja2 with autoescape on renders ``templates/report.html.j2``; CSS is inline, there is
no script, font, image or external reference, and a Content-Security-Policy meta tag
(``default-src 'none'``) makes sure the file can never load anything even if a value
slipped through. Collapsing uses ``<details>``, so the page works the same everywhere.
The gate's review pages embed this document for each submission.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from harness.report import view

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; script-src 'none'; "
       "base-uri 'none'; form-action 'none'")
TOP = 8  # why-lines, blast-radius lines and undeclared effects on the first screen
OPEN = 5  # riskiest per-resource diffs shown open
ARTIFACT_CHARS = 200_000  # an artifact (a plan JSON) longer than this is clipped in the page
TIER_CLASS = {"reversible": "t0", "recoverable": "t1", "recoverable from backup only": "t2", "unrecoverable": "t3"}


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("harness.report", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=lambda n: f"{n:,}", value=lambda v: view.value_text(v, None), grant=view.grant_text,
                       data=view.data_text, data_unit=view.data_unit_text, short=view.short_digest,
                       tier=TIER_CLASS.__getitem__, flags=lambda c: ", ".join(view.call_flags(c)),
                       status=view.call_status)
    return env


def context(doc: dict[str, Any]) -> dict[str, Any]:
    """What the template shows, precomputed from the report document."""
    radius_top, radius_rest = view.split(doc["blast_radius"], TOP)
    artifacts = {}
    for name, value in sorted(doc["artifacts"].items()):
        body = view.artifact_text(value)
        artifacts[name] = (body[:ARTIFACT_CHARS], len(body))
    return {
        "doc": doc, "csp": CSP, "top": TOP, "open": OPEN, "word": view.VERDICT_WORD[doc["verdict"]["outcome"]],
        "why": view.why(doc), "radius_top": radius_top, "radius_rest": radius_rest,
        "rest_by_tier": view.by_tier(radius_rest), "matrix": view.matrix(doc), "tiers": view.WORST_FIRST,
        "actions": view.actions_text(doc), "units": view.units_text, "undeclared": view.undeclared(doc),
        "approvals": view.approvals_text(doc["verdict"]), "intent_rows": view.intent_rows(doc),
        "changes": view.risk_order(doc), "mark": view.MARK, "artifacts": artifacts,
        "artifact_chars": ARTIFACT_CHARS, "mutating": sum(1 for c in doc["trace"] if c["mutating"]),
    }


def render(doc: dict[str, Any]) -> str:
    return environment().get_template("report.html.j2").render(**context(doc))
