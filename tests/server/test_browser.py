"""Review pages in a real headless Chromium (Debian's package), driven by Playwright.

Agents submit over the API (real simulations), two reviewers approve a destructive
change in their browsers, the author is refused, and the review page of a rejected
incident replay is photographed: its first screen must show verdict, reason and
blast radius. Skipped, with the reason, where Chromium or Playwright is missing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest

from harness.collectors.capture import capture
from harness.gate import approvals
from harness.server.app import create_app
from tests.gate.test_apply import small_estate
from tests.server.live import live_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}

DROP_BUNDLE = """\
apiVersion: shadow/v1
kind: ChangeBundle
metadata: {name: retire-billing-events, author: "AUTHOR"}
intent:
  summary: Retire the billing-events queue (replaced by the event bus).
  effects:
    - {action: delete, resource: "sqs:queue/billing-events"}
change:
  kind: aws-calls
  calls:
    - {service: sqs, operation: DeleteQueue, params: {QueueUrl: "QUEUE_URL"}}
"""


@pytest.fixture(scope="module")
def browser():
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    with sync_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def site(gate, people, fresh_prod):
    small_estate(fresh_prod)
    snapshot = capture(fresh_prod.target(), regions=["us-east-1"], services=["sqs"])
    app = create_app(gate, snapshot=gate.put_snapshot(snapshot, actor="admin"), scenarios=ROOT / "scenarios",
                     )
    with live_server(app) as url:
        yield {"url": url, "prod": fresh_prod}


def submit(site, person, **body) -> dict:
    r = httpx.post(f"{site['url']}/bundles", json=body, headers={"Authorization": f"Bearer {person.token}"},
                   timeout=300)
    assert r.status_code == 201, r.text
    return r.json()


def drop_files(site, author: str) -> dict[str, str]:
    url = site["prod"].target().client("sqs").get_queue_url(QueueName="billing-events")["QueueUrl"]
    return {"bundle.yaml": DROP_BUNDLE.replace("AUTHOR", author).replace("QUEUE_URL", url)}


def login(browser, site, person):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{site['url']}/")
    assert "/login" in page.url
    page.fill("#token", person.token)
    page.click("#login")
    page.wait_for_url(f"{site['url']}/")
    return page


def approve_in_page(page, person, *, confirm: bool) -> None:
    statement = json.loads(page.inner_text("#statement-approve"))
    assert statement["reviewer"] == person.user.name and statement["decision"] == "approve"
    page.fill("#approve-signature", approvals.sign(statement, str(person.key)))  # what `shadow gate sign` prints
    if confirm:
        page.fill("#approve-confirm", page.inner_text("#confirm-address"))
    page.click("#approve")
    page.wait_for_load_state()


def test_two_reviewers_approve_a_destructive_change(browser, site, people):
    sub = submit(site, people["bot"], files=drop_files(site, "agent:deploy-bot"))
    assert sub["outcome"] == "promoted" and sub["destructive"] and sub["approvals_required"] == 2

    ana = login(browser, site, people["ana"])
    assert ana.is_visible(f"#row-{sub['id']}")
    ana.click(f"#row-{sub['id']} a >> nth=0")
    assert "PROMOTED (needs 2 approvers)" in ana.inner_text("#headline")
    assert "sqs:queue/billing-events" in ana.inner_text("#blast-radius")
    assert ana.inner_text("#confirm-address") == "sqs:queue/billing-events"
    approve_in_page(ana, people["ana"], confirm=False)  # forgot to type the address
    assert "type sqs:queue/billing-events to confirm" in ana.inner_text("#error")
    approve_in_page(ana, people["ana"], confirm=True)
    assert ana.inner_text("#msg") == "approved"
    assert "1 of 2 approvals" in ana.inner_text("#gate-state")

    ben = login(browser, site, people["ben"])
    ben.goto(sub["report_url"])
    approve_in_page(ben, people["ben"], confirm=True)
    assert "2 of 2 approvals" in ben.inner_text("#gate-state")
    assert ben.inner_text("#status") == "approved"
    ben.context.close()
    ana.context.close()


def test_the_author_is_refused_in_the_browser(browser, site, people):
    sub = submit(site, people["ana"], files=drop_files(site, "user:ana"))
    page = login(browser, site, people["ana"])
    page.goto(sub["report_url"])
    assert page.is_visible("#author-notice")
    approve_in_page(page, people["ana"], confirm=True)
    assert "user:ana is the author of submission" in page.inner_text("#error")
    assert "0 of 2 approvals" in page.inner_text("#gate-state")
    page.context.close()


def test_first_screen_of_a_rejected_incident_shows_verdict_reason_and_blast_radius(browser, site, people):
    sub = submit(site, people["bot"], scenario="replit-freeze-wipe")
    assert sub["outcome"] == "rejected"
    page = login(browser, site, people["cy"])
    page.goto(sub["report_url"])
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "review-rejected-replit-freeze-wipe.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    for selector in ("#headline", "#reasons li >> nth=0", "#blast-radius li >> nth=0"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] + box["height"] <= VIEWPORT["height"], f"{selector} is below the fold"
    assert page.inner_text("#headline").startswith("REJECTED")
    reasons = page.inner_text("#reasons")
    assert "SHD-DATA-LOSS" in reasons and "SHD-FREEZE" in reasons  # the wipe, and the freeze it broke
    assert "dynamodb:table/orders" in page.inner_text("#blast-radius")
    assert not page.is_visible("#approve-form")  # a rejected verdict cannot be approved
    page.context.close()
