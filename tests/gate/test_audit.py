"""The audit chain: append-only in the store, and `verify` names what was tampered with."""

from __future__ import annotations

import sqlite3

import pytest

from harness.gate import approvals
from harness.gate.audit import verify
from tests.gate.recorded import queue_submission


@pytest.fixture
def history(gate, people, tmp_path):
    """Six entries after the users: two submissions, an approval, a rejection."""
    for i, queue in enumerate(("a-dlq", "b-dlq")):
        bundle, snap, doc = queue_submission(tmp_path / queue, queue=queue, name=f"add-{queue}")
        sub = gate.submit(people["bot"].user, bundle, snap, doc)
        person = people["ana"] if i == 0 else people["ben"]
        decision = "approve" if i == 0 else "reject"
        stmt = gate.statement(sub.id, person.user.name, decision)
        gate.review(person.user, sub.id, stmt, approvals.sign(stmt, str(person.key)))
    return gate


REWRITE = ("UPDATE audit SET at = ?, actor = ?, action = ?, submission_id = ?, data = ?, prev = ?, hash = ? "
           "WHERE seq = ?")


def tamper(gate, *statements: tuple[str, tuple]) -> None:
    """What an attacker with the database file can do: drop the guard, then edit."""
    conn = sqlite3.connect(gate.store.path)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    for sql, params in statements:
        conn.execute(sql, params)
    conn.commit()
    conn.close()


def row(gate, seq: int) -> tuple:
    conn = sqlite3.connect(gate.store.path)
    found = conn.execute("SELECT at, actor, action, submission_id, data, prev, hash FROM audit WHERE seq = ?",
                         (seq,)).fetchone()
    conn.close()
    return found


def test_untouched_chain_verifies(history):
    result = history.verify_audit()
    assert result.ok, result.problems
    actions = [e.action for e in history.audit_entries()]
    assert actions[-4:] == ["submit", "approve", "submit", "reject"]


def test_store_refuses_updates_and_deletes_of_the_audit_log(history):
    conn = sqlite3.connect(history.store.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit SET actor = 'user:mallory' WHERE seq = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit WHERE seq = 1")
    conn.close()


def test_edited_entry_is_named(history):
    seq = next(e.seq for e in history.audit_entries() if e.action == "approve")
    tamper(history, ("UPDATE audit SET actor = 'user:mallory' WHERE seq = ?", (seq,)))
    result = history.verify_audit()
    assert [(p.seq, p.kind) for p in result.problems] == [(seq, "edited")]
    assert f"entry #{seq} (approve by user:mallory) was edited" in result.problems[0].message


def test_edited_entry_with_recomputed_hash_breaks_the_next_link(history):
    from harness.estate.canonical import digest_of

    seq = next(e.seq for e in history.audit_entries() if e.action == "approve")
    entry = next(e for e in history.audit_entries() if e.seq == seq)
    entry.actor = "user:mallory"
    new_hash = digest_of(entry.body())
    tamper(history, ("UPDATE audit SET actor = 'user:mallory', hash = ? WHERE seq = ?", (new_hash, seq)))
    result = history.verify_audit()
    assert [(p.seq, p.kind) for p in result.problems] == [(seq + 1, "broken")]
    assert f"#{seq} was rewritten" in result.problems[0].message


def test_removed_entry_is_named(history):
    seq = next(e.seq for e in history.audit_entries() if e.action == "approve")
    tamper(history, ("DELETE FROM audit WHERE seq = ?", (seq,)))
    result = history.verify_audit()
    assert [(p.seq, p.kind) for p in result.problems] == [(seq, "removed")]
    assert f"entry #{seq} was removed" in result.problems[0].message


def test_removed_entry_with_renumbering_is_found(history):
    entries = history.audit_entries()
    seq = next(e.seq for e in entries if e.action == "approve")
    statements = [("DELETE FROM audit WHERE seq = ?", (seq,))]
    statements += [("UPDATE audit SET seq = ? WHERE seq = ?", (e.seq - 1, e.seq)) for e in entries if e.seq > seq]
    statements.append(("UPDATE meta SET value = ? WHERE key = 'audit_head'",
                       (f"{entries[-1].seq - 1} {entries[-1].hash}",)))
    tamper(history, *statements)
    result = history.verify_audit()
    assert [(p.seq, p.kind) for p in result.problems] == [(seq, "broken")]


def test_entries_cut_off_the_end_are_found(history):
    last = history.audit_entries()[-1].seq
    tamper(history, ("DELETE FROM audit WHERE seq >= ?", (last - 1,)))
    result = history.verify_audit()
    assert [(p.seq, p.kind) for p in result.problems] == [(last - 1, "removed")]
    assert f"#{last - 1} to #{last} were removed from the end" in result.problems[0].message


def test_reordered_entries_are_named(history):
    entries = history.audit_entries()
    a, b = entries[-3].seq, entries[-2].seq  # the approval and the second submission
    ra, rb = row(history, a), row(history, b)
    tamper(history, (REWRITE, (*rb, a)), (REWRITE, (*ra, b)))
    result = history.verify_audit()
    assert [p.kind for p in result.problems] == ["reordered"]
    assert result.problems[0].seq in (a, b)
    assert "is out of order: it was written after" in result.problems[0].message


def test_moved_entry_is_named_once(history):
    entries = history.audit_entries()
    first = entries[0].seq
    # move entry #1 to the end: every other entry shifts up by one
    rows = {e.seq: row(history, e.seq) for e in entries}
    order = [e.seq for e in entries[1:]] + [first]
    tamper(history, *[(REWRITE, (*rows[src], dest)) for dest, src in zip([e.seq for e in entries], order, strict=True)])
    result = history.verify_audit()
    assert [(p.seq, p.kind) for p in result.problems] == [(entries[-1].seq, "reordered")]
    assert "it was written as the first entry" in result.problems[0].message


def test_verify_on_plain_entries_without_a_store(history):
    entries = history.audit_entries()
    assert verify(entries).ok
    assert verify(entries[:2] + entries[3:]).problems[0].kind == "removed"
