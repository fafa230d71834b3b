"""The audit log: append-only and hash-chained; anyone holding it can verify it.

Each entry's hash is the sha256 of its canonical body (time, actor, action,
submission, data, and the previous entry's hash), so editing an entry breaks its own
hash, removing one leaves a gap in the sequence numbers and a broken link, and moving
one breaks the links around it. ``verify`` names the entry and the kind of damage.
The head (count and last hash) can be published elsewhere to detect a cut-off tail.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from harness.estate.canonical import digest_of
from harness.gate.model import AuditEntry
from harness.gate.store.base import Tx

GENESIS = "sha256:" + "0" * 64
HEAD_KEY = "audit_head"


def entry_hash(entry: AuditEntry) -> str:
    return digest_of(entry.body())


def append(tx: Tx, *, actor: str, action: str, submission_id: int | None, data: dict[str, Any],
           at: str) -> AuditEntry:
    """Add one entry at the head of the chain (inside the caller's write transaction)."""
    tail = tx.audit_tail()
    entry = AuditEntry(seq=(tail.seq + 1) if tail else 1, at=at, actor=actor, action=action,
                       submission_id=submission_id, data=data, prev=tail.hash if tail else GENESIS, hash="")
    entry.hash = entry_hash(entry)
    tx.insert_audit(entry)
    tx.set_meta(HEAD_KEY, f"{entry.seq} {entry.hash}")
    return entry


def recorded_head(tx: Tx) -> tuple[int, str] | None:
    """The head written with the last append: catches entries cut off the end of the log."""
    value = tx.get_meta(HEAD_KEY)
    if not value:
        return None
    seq, digest = value.split(" ", 1)
    return int(seq), digest


@dataclass
class Problem:
    seq: int
    kind: str  # edited | removed | reordered | broken
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "message": self.message}


@dataclass
class Verification:
    count: int
    head: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "count": self.count, "head": self.head,
                "problems": [p.to_json() for p in self.problems]}


def verify(entries: list[AuditEntry], head: tuple[int, str] | None = None) -> Verification:
    """Check every hash and link; name each edited, removed or reordered entry.

    ``head`` is the (seq, hash) recorded at the last append (or published elsewhere):
    without it, entries cut off the end of the log cannot be told from a shorter log.
    """
    entries = sorted(entries, key=lambda e: e.seq)
    problems: list[Problem] = []
    last = entries[-1] if entries else None
    if head is not None and (last is None or last.seq < head[0]):
        first = last.seq + 1 if last else 1
        problems.append(Problem(first, "removed", f"entries #{first} to #{head[0]} were removed from the end "
                                                  "of the log (the recorded head is further on)"))
    elif head is not None and last is not None and last.hash != head[1] and head[1] not in {e.hash for e in entries}:
        problems.append(Problem(last.seq, "edited", f"entry #{last.seq} is not the entry recorded as the head: "
                                                    "the end of the log was replaced"))
    for e in entries:
        if entry_hash(e) != e.hash:
            problems.append(Problem(e.seq, "edited", f"entry #{e.seq} ({e.action} by {e.actor}) was edited: "
                                                     "its content no longer matches its hash"))
    expected = 1
    for e in entries:
        if e.seq != expected:
            gap = ", ".join(f"#{n}" for n in range(expected, e.seq))
            plural = e.seq - expected > 1
            problems.append(Problem(expected, "removed", f"entr{'ies' if plural else 'y'} {gap} "
                                                         f"{'were' if plural else 'was'} removed "
                                                         f"(the sequence jumps to #{e.seq})"))
        expected = e.seq + 1
    moved = _moved(entries)
    by_hash = {e.hash: e for e in entries}
    previous: AuditEntry | None = None
    for e in entries:
        origin = by_hash.get(e.prev)
        if e.seq in moved:
            after = f"after #{origin.seq}" if origin else "as the first entry" if e.prev == GENESIS else "elsewhere"
            problems.append(Problem(e.seq, "reordered", f"entry #{e.seq} ({e.action} by {e.actor}) is out of "
                                                        f"order: it was written {after}"))
        elif e.prev != (previous.hash if previous else GENESIS):
            explained = previous is not None and (previous.seq != e.seq - 1 or previous.seq in moved)
            explained = explained or (origin is not None and origin.seq in moved)
            if not explained:
                problems.append(Problem(e.seq, "broken", f"entry #{e.seq} does not follow #{e.seq - 1}: an entry "
                                                         f"between them was removed, or #{e.seq - 1} was rewritten"))
        previous = e
    problems.sort(key=lambda p: (p.seq, p.kind))
    return Verification(count=len(entries), head=entries[-1].hash if entries else GENESIS, problems=problems)


def _moved(entries: list[AuditEntry]) -> set[int]:
    """Seq numbers of entries out of their written order (the fewest that explain it)."""
    present = {e.hash for e in entries}
    successors: dict[str, list[AuditEntry]] = {}
    for e in entries:
        successors.setdefault(e.prev, []).append(e)
    starts = [e for e in entries if e.prev == GENESIS or e.prev not in present]
    order: list[AuditEntry] = []
    seen: set[int] = set()
    for start in sorted(starts, key=lambda e: e.seq):
        node: AuditEntry | None = start
        while node is not None and node.seq not in seen:
            seen.add(node.seq)
            order.append(node)
            nxt = successors.get(node.hash, [])
            node = min(nxt, key=lambda e: e.seq) if nxt else None
    order += [e for e in entries if e.seq not in seen]
    keep = _increasing(order)
    return {e.seq for e in order} - keep


def _increasing(order: list[AuditEntry]) -> set[int]:
    """Seq numbers of a longest increasing run (not necessarily contiguous) through ``order``."""
    tails: list[int] = []
    tail_idx: list[int] = []
    parent = [-1] * len(order)
    for i, e in enumerate(order):
        pos = bisect.bisect_left(tails, e.seq)
        if pos == len(tails):
            tails.append(e.seq)
            tail_idx.append(i)
        else:
            tails[pos] = e.seq
            tail_idx[pos] = i
        parent[i] = tail_idx[pos - 1] if pos > 0 else -1
    keep: set[int] = set()
    i = tail_idx[-1] if tail_idx else -1
    while i >= 0:
        keep.add(order[i].seq)
        i = parent[i]
    return keep
