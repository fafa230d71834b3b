"""The HTML report in a real browser (Debian's Chromium, headless, 1280x800): the verdict,
the reason, the blast radius and the approvals are on the first screen, and opening the
file makes no request. Screenshots go to test-artifacts/. Skips where there is no
Chromium or no Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.report import html as report_html

CHROMIUM = Path(os.environ.get("SHADOW_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORT = {"width": 1280, "height": 800}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install .[test])")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


FIRST_SCREEN = ["#verdict", "#headline", "#why li", "#undeclared", "#approvals"]


@pytest.mark.parametrize("shape", ["promoted", "rejected", "inconclusive", "big"])
def test_first_viewport_and_no_requests(browser, docs, shape, tmp_path):
    doc = docs[shape]
    file = tmp_path / f"{shape}.html"
    file.write_text(report_html.render(doc))
    page = browser.new_page(viewport=VIEWPORT)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(file.as_uri())
    page.wait_for_load_state("load")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{shape}.png"))

    assert requests == [file.as_uri()]  # the page itself, nothing else
    selectors = FIRST_SCREEN + (["#blast-radius tr"] if doc["blast_radius"] else ["#blast-radius"])
    for selector in selectors:
        box = page.locator(selector).first.bounding_box()
        assert box is not None, selector
        assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], (selector, box)
    assert page.locator("#verdict").inner_text() == doc["verdict"]["outcome"].upper()
    if doc["blast_radius"]:
        assert doc["blast_radius"][0]["text"] in page.locator("#blast-radius tr").first.inner_text()
    page.close()


def test_hostile_markup_does_not_run(browser, rejected, tmp_path):
    file = tmp_path / "rejected.html"
    file.write_text(report_html.render(rejected))
    page = browser.new_page(viewport=VIEWPORT)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(file.as_uri())
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    assert dialogs == []
    assert "</script><img src=x onerror=alert(1)>" in page.locator("#headline ~ p").first.inner_text()
    page.close()
