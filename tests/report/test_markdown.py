"""The Markdown report (PR comment): first lines, escaping as GitHub-flavoured Markdown
renders it, and the comment size cap."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.report import RENDERERS, markdown
from harness.report.model import build
from tests.report import big
from tests.report.parsed import parse_markdown
from tests.report.sims import HOSTILE

# What GitHub keeps of raw HTML in a comment, plus what Markdown itself produces.
ALLOWED = {"h2", "h3", "p", "strong", "em", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "ul", "li",
           "details", "summary", "b", "sub", "br", "blockquote", "s", "del"}
DEFUSED = HOSTILE.replace("@", "@\u200b")


def first_screen(md: str) -> str:
    return md[: md.index("### Intent vs effect")]


def in_order(text: str, *needles: str) -> bool:
    """Each needle occurs after the previous one."""
    at = 0
    for needle in needles:
        at = text.find(needle, at)
        if at < 0:
            return False
    return True


def test_registered():
    assert RENDERERS.get("markdown") is markdown.render


@pytest.mark.parametrize("shape, verdict, reason", [
    ("promoted", "PROMOTED", "matches the declared intent"),
    ("rejected", "REJECTED", "SHD-DATA-LOSS"),
    ("inconclusive", "INCONCLUSIVE", "UpdateContributorInsights"),
    ("big", "REJECTED", "SHD-DELETE-STATEFUL"),
])
def test_first_lines_answer_verdict_why_blast_radius_undeclared(docs, shape, verdict, reason):
    md = RENDERERS.get("markdown")(docs[shape])
    top = first_screen(md)
    assert in_order(top, verdict, "**Why", reason, "**Blast radius**", "**Undeclared effects", "**Approvals**")
    assert md.startswith("## ")
    assert verdict in md.splitlines()[0]


def test_rejected_top_speaks_production_units_and_names_undeclared(rejected):
    top = parse_markdown(first_screen(markdown.render(rejected))).text()
    # production holds 1,206 orders; the sandbox held 20 of them
    assert "1,206 items" in top
    for address in ("sqs:queue/orders", "s3:bucket/app-logs", "dynamodb:table/orders"):
        assert address in top
    for rule in ("SHD-FREEZE", "SHD-PUBLIC-ACCESS", "SHD-EGRESS", "SHD-FABRICATION", "SHD-UNDECLARED-CHANGE"):
        assert rule in top
    assert "not sent to the gate" in top


def test_promoted_top_says_who_approves_and_nothing_undeclared(promoted):
    top = parse_markdown(first_screen(markdown.render(promoted))).text()
    assert "needs 1 approver" in top
    assert "creates sqs:queue/orders-dlq" in top
    assert "Undeclared effects: none" in top


def test_intent_vs_effect_table_and_waived_finding(rejected):
    page = parse_markdown(markdown.render(rejected))
    text = page.text()
    assert "update dynamodb:table/orders data updated 1" in text
    assert "❌ missing" in text and "❌ not declared" in text
    # the SHD-DATA-LOSS on the versioned log bucket is waived by configuration: shown, struck, with its reason
    assert f"waived: old logs, versioned | {DEFUSED}" in text
    assert any(t == "block" and {"s", "del"} & set(stack) for t, stack in page.texts)


def test_hostile_strings_stay_text(rejected):
    md = markdown.render(rejected)
    page = parse_markdown(md)
    assert page.names() <= ALLOWED, page.names() - ALLOWED
    for table in page.tables:  # no value broke out of its cell or row
        assert len(set(table)) == 1, table
    assert HOSTILE in page.codes  # the tag value, verbatim, in a code span
    assert DEFUSED in page.text()  # the freeze and waiver reasons, as prose
    mentions = [t for t, stack in page.texts if "@octocat" in t and not {"code", "pre"} & set(stack)]
    assert mentions == []


def test_output_of_the_change_cannot_close_its_block(rejected):
    page = parse_markdown(markdown.render(rejected))
    pre = [t for t, stack in page.texts if "pre" in stack and "deleting orders" in t]
    assert pre and "```\n</details>\n# " in pre[0] and "refilled 1 order" in pre[0]


def test_200_resources_are_judged_from_the_top(big_doc):
    md = markdown.render(big_doc)
    assert len(md) <= markdown.LIMIT
    top = first_screen(md)
    text = parse_markdown(top).text()
    # counts by action, the worst line first, the rest summarised by tier
    assert "200 changes (43 delete, 2 replace, 35 update, 120 create)" in text
    assert text.index("deletes rds:db/prod-db (1,900,000 rows lost) and both of its snapshots") < text.index("ledger")
    assert "… and 188 more:" in text  # 198 lines (the two snapshots ride on the database's line), 10 shown
    assert "1,900,000 rows" in text
    assert len(top) < 8_000
    # every change is accounted for below: detailed, or one row of the collapsed table
    body = parse_markdown(md).text()
    assert all(c["address"] in body for c in big_doc["changes"])


@pytest.fixture(scope="module")
def huge_doc(tmp_path_factory):
    return build(big.simulation(tmp_path_factory.mktemp("huge"), now=dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
                                shards=1920))


def test_huge_report_is_capped_with_a_note(huge_doc):
    md = markdown.render(huge_doc, full_report="test-artifacts/report.html")
    assert len(md) <= markdown.LIMIT
    assert "Shortened to fit the 65,536-character comment limit" in md
    assert "`test-artifacts/report.html`" in md and huge_doc["digest"] in md
    text = parse_markdown(md).text()
    assert "2,000 changes (43 delete, 2 replace, 35 update, 1,920 create)" in text
    assert "### Findings" in md and "SHD-DELETE-STATEFUL" in text


@pytest.mark.parametrize("limit", [4_000, 12_000, 30_000])
def test_any_limit_holds(rejected, big_doc, limit):
    for doc in (rejected, big_doc):
        md = markdown.render(doc, limit=limit)
        assert len(md) <= limit
        assert md.startswith("## ") and "**Blast radius**" in md


VALUES = st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=0x2FF) | st.sampled_from("`|\\<>@*_\n"),
                 max_size=80)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_a_code_span_shows_exactly_the_value_in_a_table_cell(value):
    page = parse_markdown(markdown.table(["a"], [[markdown.code(value, table=True)]]))
    assert page.tables == [[1, 1]]
    line = markdown._line(value)
    assert page.codes == ([line] if line.strip() else [json.dumps(line, ensure_ascii=False)] if line else [])


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_prose_is_only_text(value):
    page = parse_markdown(markdown.table(["a"], [[markdown.text(value)]]))
    assert page.tables == [[1, 1]]
    assert page.names() <= {"table", "thead", "tbody", "tr", "th", "td"}
    cell = "".join(t for t, stack in page.texts if stack[-1:] == ("td",))
    assert cell.strip() == markdown._line(value).replace("@", "@\u200b").strip()
