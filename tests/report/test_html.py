"""The HTML report: one self-contained page, first screen first, nothing it can load,
every user-controlled string escaped."""

from __future__ import annotations

import html
import re

import pytest

from harness.report import RENDERERS
from harness.report import html as report_html
from tests.report.parsed import parse_html
from tests.report.sims import HOSTILE

SHAPES = ["promoted", "rejected", "inconclusive", "big"]
# Tags that fetch, run or submit something, or change where relative URLs point.
LOADING = {"script", "img", "iframe", "frame", "object", "embed", "link", "base", "form", "svg", "math", "video",
           "audio", "source", "picture", "input", "button", "template", "portal"}
URL_ATTRS = {"src", "href", "action", "formaction", "srcset", "poster", "data", "background", "ping", "xlink:href",
             "manifest", "cite", "longdesc", "codebase"}


@pytest.fixture(scope="module")
def pages(docs):
    return {name: RENDERERS.get("html")(doc) for name, doc in docs.items()}


def is_csp(tag: str, attrs: dict) -> bool:
    return tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy"


def csp(page) -> dict[str, list[str]]:
    metas = [a for t, a in page.tags if is_csp(t, a)]
    assert len(metas) == 1
    out = {}
    for directive in (metas[0]["content"] or "").split(";"):
        name, *values = directive.split()
        out[name] = values
    return out


@pytest.mark.parametrize("shape", SHAPES)
def test_csp_forbids_every_load(pages, shape):
    page = parse_html(pages[shape])
    policy = csp(page)
    assert policy["default-src"] == ["'none'"]
    assert policy["style-src"] == ["'unsafe-inline'"]
    assert policy.get("script-src", ["'none'"]) == ["'none'"]  # no inline script at all
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]
    # the policy is in force before anything else in the head is read: only <meta charset> precedes it
    at = next(i for i, (t, a) in enumerate(page.tags) if is_csp(t, a))
    assert page.tags[:at] == [("html", {"lang": "en"}), ("head", {}), ("meta", {"charset": "utf-8"})]


@pytest.mark.parametrize("shape", SHAPES)
def test_nothing_external(pages, shape):
    page = parse_html(pages[shape])
    assert not (page.names() & LOADING)
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in URL_ATTRS:
                assert (value or "").startswith("#"), (tag, name, value)  # in-page anchors only
            assert "://" not in (value or "") or name in ("title", "content"), (tag, name, value)
            if name == "style":
                assert "url(" not in (value or "")
    styles = [t for t, stack in page.texts if stack[-1:] == ("style",)]
    assert len(styles) == 1 and "url(" not in styles[0] and "@import" not in styles[0] and "//" not in styles[0]
    raw = pages[shape]
    for m in re.finditer(r"https?://", raw):  # every URL in the file is escaped text or a tooltip, never a link
        before = raw[: m.start()]
        if before.rfind(">") < before.rfind("<"):  # inside a tag: must be the value of a title attribute
            attribute = re.search(r'([\w:-]+)="[^"]*$', before[before.rfind("<"):])
            assert attribute and attribute[1] == "title", raw[m.start() - 80: m.start() + 40]


def test_hostile_strings_are_text(pages, rejected):
    raw = pages["rejected"]
    page = parse_html(raw)
    assert not (page.names() & LOADING)
    assert html.escape(HOSTILE, quote=False) in raw
    text = page.text()
    assert HOSTILE in text  # shown as written: intent, description, tag value, config reasons, output
    assert text.count(HOSTILE) >= 5
    for f in rejected["findings"]:
        assert f["rule"] in text and f["message"] in text


FIRST_SCREEN = ['id="verdict"', 'id="approvals"', 'id="headline"', 'id="why"', 'id="undeclared"',
                'id="blast-radius"']


@pytest.mark.parametrize("shape", SHAPES)
def test_first_screen_comes_before_the_long_sections(pages, docs, shape):
    raw, doc = pages[shape], docs[shape]
    top = raw[: raw.index('<section id="intent">')]
    positions = [top.index(marker) for marker in FIRST_SCREEN]
    assert positions == sorted(positions)
    assert html.escape(doc["headline"]) in top
    why = top[top.index('id="why"'): top.index('id="undeclared"')]
    first = doc["findings"][0]["message"] if shape in ("rejected", "big") else doc["verdict"]["reasons"][0]
    assert html.escape(first) in why
    radius = top[top.index('id="blast-radius"'):]
    for line in doc["blast_radius"][: report_html.TOP]:
        assert html.escape(line["text"]) in radius and line["tier"] in radius


def test_verdict_badge_colour_follows_outcome(pages):
    for outcome in ("promoted", "rejected", "inconclusive"):
        badge = next(a for _, a in parse_html(pages[outcome]).tags if a.get("id") == "verdict")
        assert badge["class"] == f"badge {outcome}"


def test_200_resources_all_present_riskiest_first(pages, big_doc):
    raw = pages["big"]
    changes = raw[raw.index('<section id="changes">'): raw.index('<section id="findings">')]
    assert changes.count("<details") == 200
    assert changes.index("rds:db/prod-db") < changes.index("sqs:queue/shard-000")
    text = parse_html(raw).text()
    assert all(c["address"] in text for c in big_doc["changes"])
    assert "200 changes (43 delete, 2 replace, 35 update, 120 create)" in text


def test_waived_finding_is_marked(pages):
    page = parse_html(pages["rejected"])
    waived = [a for t, a in page.tags if t == "tr" and a.get("class") == "waived"]
    assert len(waived) == 1
    assert "waived: old logs, versioned | " + HOSTILE in page.text()


def test_trace_egress_execution_and_config_are_shown(pages, rejected):
    text = parse_html(pages["rejected"]).text()
    assert "7 calls (7 mutating)" in text
    for call in ("dynamodb.DeleteTable", "s3.PutBucketPolicy", "sqs.TagQueue"):
        assert call in text
    assert "exfil.invalid:443" in text and "Egress refused" in text
    assert "refilled 1 order" in text  # stdout tail
    assert "protected" in text and "dynamodb:table/orders" in text
