"""The JSON API over a real store: who may read, who may decide, and the gate's answers."""

from __future__ import annotations

import pytest

from harness.gate import approvals
from tests.gate.recorded import delete_submission, queue_submission
from tests.server.conftest import bearer


@pytest.fixture
def benign(gate, people, tmp_path):
    return gate.submit(people["bot"].user, *queue_submission(tmp_path / "b"))


@pytest.fixture
def destructive(gate, people, tmp_path):
    return gate.submit(people["bot"].user, *delete_submission(tmp_path / "d"))


def signed(client, person, sid, decision="approve"):
    stmt = client.get(f"/submissions/{sid}/statement", params={"decision": decision}, headers=bearer(person)).json()
    return {"statement": stmt, "signature": approvals.sign(stmt, str(person.key))}


def test_openapi_documents_the_api(client):
    doc = client.get("/openapi.json").json()
    for path in ("/bundles", "/submissions/{sid}", "/submissions/{sid}/approvals", "/audit", "/audit/verify"):
        assert path in doc["paths"]
    assert "/review/{sid}" not in doc["paths"]  # pages are not API
    assert client.get("/docs").status_code == 404  # no page loading scripts from a CDN


def test_no_token_or_unknown_token_is_401(client, benign):
    assert client.get(f"/submissions/{benign.id}").status_code == 401
    r = client.get(f"/submissions/{benign.id}", headers={"Authorization": "Bearer shd_nope"})
    assert r.status_code == 401 and "unknown" in r.json()["error"]


def test_agent_reads_its_own_verdict_but_not_others(client, gate, people, benign, tmp_path):
    r = client.get(f"/submissions/{benign.id}", headers=bearer(people["bot"]))
    assert r.status_code == 200
    body = r.json()
    assert body["verdict"]["outcome"] == "promoted" and body["status"] == "queued"
    assert body["report_url"].endswith(f"/review/{benign.id}")
    other = gate.add_user("agent:other-bot", "agent")
    token = gate.issue_token(other.name)
    r = client.get(f"/submissions/{benign.id}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert client.get("/submissions", headers={"Authorization": f"Bearer {token}"}).json() == []


def test_agent_token_cannot_approve_reject_waive_or_read_the_audit(client, people, benign):
    bot = people["bot"]
    assert client.get(f"/submissions/{benign.id}/statement", headers=bearer(bot)).status_code == 403
    fake = {"statement": {"decision": "approve"}, "signature": "AAAA"}
    assert client.post(f"/submissions/{benign.id}/approvals", json=fake, headers=bearer(bot)).status_code == 403
    fake["statement"]["decision"] = "reject"
    assert client.post(f"/submissions/{benign.id}/rejections", json=fake, headers=bearer(bot)).status_code == 403
    waiver = {"rule": "SHD-DATA-LOSS", "reason": "x"}
    assert client.post(f"/submissions/{benign.id}/waivers", json=waiver, headers=bearer(bot)).status_code == 403
    assert client.get("/audit", headers=bearer(bot)).status_code == 403
    assert not any("apply" in path for path in client.get("/openapi.json").json()["paths"])  # no apply route


def test_reviewer_approves_and_the_approval_is_visible(client, people, benign):
    r = client.post(f"/submissions/{benign.id}/approvals", json=signed(client, people["ana"], benign.id),
                    headers=bearer(people["ana"]))
    assert r.status_code == 201, r.text
    assert r.json()["assessment"]["ready"] is True
    got = client.get(f"/submissions/{benign.id}/approvals", headers=bearer(people["bot"])).json()
    assert [rv["reviewer"] for rv in got["reviews"]] == ["user:ana"]


def test_forged_and_replayed_approvals_are_409(client, people, benign, destructive):
    body = signed(client, people["ana"], benign.id)
    body["signature"] = approvals.sign(body["statement"], str(people["ben"].key))
    r = client.post(f"/submissions/{benign.id}/approvals", json=body, headers=bearer(people["ana"]))
    assert r.status_code == 409 and "does not verify" in r.json()["error"]
    replay = signed(client, people["ana"], benign.id)
    r = client.post(f"/submissions/{destructive.id}/approvals", json=replay, headers=bearer(people["ana"]))
    assert r.status_code == 409 and "replayed" in r.json()["error"]


def test_destructive_needs_the_typed_address_and_two_people(client, people, destructive):
    ana, ben = people["ana"], people["ben"]
    r = client.post(f"/submissions/{destructive.id}/approvals", json=signed(client, ana, destructive.id),
                    headers=bearer(ana))
    assert r.status_code == 409 and "type sqs:queue/legacy" in r.json()["error"]
    for person in (ana, ben):
        body = {**signed(client, person, destructive.id), "confirm": "sqs:queue/legacy"}
        r = client.post(f"/submissions/{destructive.id}/approvals", json=body, headers=bearer(person))
        assert r.status_code == 201, r.text
    assert r.json()["assessment"]["approvers"] == ["user:ana", "user:ben"]


def test_author_reviewer_is_refused(client, gate, people, tmp_path):
    sub = gate.submit(people["ana"].user, *queue_submission(tmp_path / "own", author="user:ana"))
    r = client.post(f"/submissions/{sub.id}/approvals", json=signed(client, people["ana"], sub.id),
                    headers=bearer(people["ana"]))
    assert r.status_code == 403 and "author" in r.json()["error"]


def test_audit_api_verifies(client, people, benign):
    client.post(f"/submissions/{benign.id}/approvals", json=signed(client, people["ana"], benign.id),
                headers=bearer(people["ana"]))
    entries = client.get("/audit", params={"submission": benign.id}, headers=bearer(people["ana"])).json()
    assert [e["action"] for e in entries] == ["submit", "approve"]
    assert client.get("/audit/verify", headers=bearer(people["ana"])).json()["ok"] is True


def test_post_bundle_without_files_or_scenario_is_400(client, people):
    r = client.post("/bundles", json={}, headers=bearer(people["bot"]))
    assert r.status_code == 400


def test_post_bundle_refuses_paths_leaving_the_bundle(client, people):
    r = client.post("/bundles", json={"files": {"bundle.yaml": "x", "../evil.py": "print(1)"}},
                    headers=bearer(people["bot"]))
    assert r.status_code == 400 and "not a relative path inside the bundle" in r.json()["error"]
