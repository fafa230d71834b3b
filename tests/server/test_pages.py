"""Review pages through HTTP: login, CSRF, approve, author refused (no browser needed here)."""

from __future__ import annotations

import re

import pytest

from harness.gate import approvals
from harness.server.auth import COOKIE
from tests.gate.recorded import queue_submission


@pytest.fixture
def benign(gate, people, tmp_path):
    return gate.submit(people["bot"].user, *queue_submission(tmp_path / "b"))


def login(client, person) -> None:
    r = client.post("/login", data={"token": person.token, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303 and COOKIE in r.cookies


def form_values(html: str, form_id: str) -> dict[str, str]:
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S).group(0)
    return {m[0]: m[1].replace("&#34;", '"').replace("&quot;", '"')
            for m in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)}


def test_pages_need_a_session(client, benign):
    r = client.get(f"/review/{benign.id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_bad_token_cannot_log_in(client):
    r = client.post("/login", data={"token": "shd_wrong"}, follow_redirects=False)
    assert r.status_code == 401 and COOKIE not in r.cookies


def test_review_page_approve_with_csrf(client, people, benign):
    login(client, people["ana"])
    html = client.get(f"/review/{benign.id}").text
    values = form_values(html, "approve-form")
    import json

    stmt = json.loads(values["statement"])
    signature = approvals.sign(stmt, str(people["ana"].key))
    # without the CSRF token: refused
    r = client.post(f"/review/{benign.id}/approve", data={"statement": values["statement"], "signature": signature},
                    follow_redirects=True)
    assert "CSRF" in r.text
    r = client.post(f"/review/{benign.id}/approve", data={**values, "signature": signature}, follow_redirects=True)
    assert 'id="msg">approved' in r.text
    assert "1 of 1 approval" in r.text


def test_author_sees_the_notice_and_is_refused(client, gate, people, tmp_path):
    sub = gate.submit(people["ana"].user, *queue_submission(tmp_path / "own", author="user:ana"))
    login(client, people["ana"])
    html = client.get(f"/review/{sub.id}").text
    assert 'id="author-notice"' in html
    import json

    values = form_values(html, "approve-form")
    signature = approvals.sign(json.loads(values["statement"]), str(people["ana"].key))
    r = client.post(f"/review/{sub.id}/approve", data={**values, "signature": signature}, follow_redirects=True)
    assert "is the author of submission" in r.text
    assert gate.reviews(sub.id) == []


def test_agent_session_sees_no_decision_forms(client, people, benign):
    login(client, people["bot"])
    html = client.get(f"/review/{benign.id}").text
    assert 'id="headline"' in html and 'id="approve-form"' not in html


def test_security_headers(client, people, benign):
    login(client, people["ana"])
    r = client.get(f"/review/{benign.id}")
    assert "script-src" not in r.headers["content-security-policy"]
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_queue_lists_open_submissions_with_their_headline_and_approvals(client, people, benign):
    login(client, people["ana"])
    html = client.get("/").text
    row = re.search(rf'<tr id="row-{benign.id}">.*?</tr>', html, re.S).group(0)
    assert "PROMOTED (needs 1 approver)" in row and "0 / 1" in row and "add-dlq" in row
