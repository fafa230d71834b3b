"""The same store interface on SQLite and on a real PostgreSQL server.

The concurrency test runs 50 submissions and 50 signed reviews at once, each on its
own connection, and checks that nothing was lost and the audit chain verifies.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.errors import GateRefused
from harness.gate import Gate, approvals
from harness.gate.model import APPROVED, QUEUED
from harness.gate.store import open_store
from tests.gate.conftest import Clock, add_person
from tests.gate.recorded import queue_submission

PARALLEL = 50
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def any_gate(store_url, tmp_path):
    store = open_store(store_url)
    gate = Gate(store, clock=Clock())
    yield gate
    store.close()


def test_roundtrip_and_rules_on_each_store(any_gate, tmp_path):
    gate = any_gate
    bot = add_person(gate, tmp_path / "k", "agent:deploy-bot", "agent")
    ana = add_person(gate, tmp_path / "k", "user:ana", "reviewer")
    bundle, snap, doc = queue_submission(tmp_path / "b")
    sub = gate.submit(gate.authenticate(bot.token), bundle, snap, doc)
    stored = gate.get(sub.id)
    assert stored.report == doc and stored.files == sub.files and stored.status == QUEUED
    with gate.store.tx(write=False) as tx:
        assert tx.get_snapshot(snap.digest)["resources"].keys() == snap.to_json()["resources"].keys()
    stmt = gate.statement(sub.id, "user:ana")
    gate.review(gate.authenticate(ana.token), sub.id, stmt, approvals.sign(stmt, str(ana.key)))
    with pytest.raises(GateRefused, match="already made this decision"):
        gate.review(ana.user, sub.id, stmt, approvals.sign(stmt, str(ana.key)))
    assert gate.get(sub.id).status == APPROVED
    assert gate.verify_audit().ok


def test_audit_log_is_append_only_in_each_store(any_gate, tmp_path):
    gate = any_gate
    add_person(gate, tmp_path / "k", "agent:deploy-bot", "agent")
    with pytest.raises(Exception, match="append-only"), gate.store.tx() as tx:
        tx.conn.execute("UPDATE audit SET actor = 'user:mallory'")
    with pytest.raises(Exception, match="append-only"), gate.store.tx() as tx:
        tx.conn.execute("DELETE FROM audit")
    assert [e.actor for e in gate.audit_entries()] == ["admin", "admin"]


def test_fifty_parallel_submissions_and_reviews_lose_nothing(any_gate, store_url, tmp_path):
    gate = any_gate
    bot = add_person(gate, tmp_path / "k", "agent:deploy-bot", "agent")
    reviewers = [add_person(gate, tmp_path / "k", f"user:r{i}", "reviewer") for i in range(5)]
    prepared = [queue_submission(tmp_path / f"b{i}", queue=f"q{i}", name=f"add-q{i}") for i in range(PARALLEL)]
    entries_before = len(gate.audit_entries())
    start = threading.Barrier(PARALLEL)

    def one(i: int) -> int:
        # a Gate per worker over a store per worker: its own connection, like separate server processes
        store = open_store(store_url)
        try:
            worker = Gate(store, clock=gate.clock)
            start.wait()
            sub = worker.submit(bot.user, *prepared[i])
            person = reviewers[i % len(reviewers)]
            stmt = worker.statement(sub.id, person.user.name)
            worker.review(person.user, sub.id, stmt, approvals.sign(stmt, str(person.key)))
            return sub.id
        finally:
            store.close()

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        ids = list(pool.map(one, range(PARALLEL)))
    elapsed = time.perf_counter() - began

    assert len(set(ids)) == PARALLEL
    subs = gate.list()
    assert sorted(s.id for s in subs) == sorted(ids)
    assert all(s.status == APPROVED for s in subs)
    assert all(len(gate.reviews(i)) == 1 for i in ids)
    entries = gate.audit_entries()
    assert len(entries) == entries_before + 2 * PARALLEL
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    result = gate.verify_audit()
    assert result.ok, result.problems
    kind = "postgresql" if store_url.startswith("postgresql") else "sqlite"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"concurrency-{kind}.json").write_text(json.dumps(
        {"store": kind, "parallel": PARALLEL, "operations": 2 * PARALLEL, "seconds": round(elapsed, 3),
         "audit_entries": len(entries)}, indent=2))
