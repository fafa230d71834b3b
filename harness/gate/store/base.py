"""The one storage interface of the gate, written once in portable SQL.

``Store.tx()`` opens a real transaction; writers are serialized (SQLite ``BEGIN
IMMEDIATE``, a PostgreSQL transaction-level advisory lock), so that a rule checked
inside a transaction (two distinct approvers, no rejection, the audit chain's head)
still holds when it commits. The dialects only say how to connect, how to begin and
how to spell a few column types; every query lives here.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from harness.gate.model import ApplyRecord, AuditEntry, Review, Submission, User, Waiver

SUBMISSION_COLUMNS = ("id", "name", "author", "submitted_by", "bundle_digest", "snapshot_digest", "report_digest",
                      "outcome", "approvals_required", "destructive", "elevated", "status", "status_note",
                      "created_at", "headline", "findings", "report", "files", "bundle_file")
LIST_COLUMNS = tuple(c for c in SUBMISSION_COLUMNS if c not in ("report", "files"))
REVIEW_COLUMNS = ("id", "submission_id", "reviewer", "decision", "statement", "signature", "created_at",
                  "expires_at", "comment", "void_reason")

SCHEMA_VERSION = "1"
# {serial} and {text} are filled per dialect
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, public_key TEXT, token_hash TEXT UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (digest TEXT PRIMARY KEY, doc {text} NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    id {serial}, name TEXT NOT NULL, author TEXT NOT NULL, submitted_by TEXT NOT NULL,
    bundle_digest TEXT NOT NULL, snapshot_digest TEXT NOT NULL REFERENCES snapshots(digest),
    report_digest TEXT NOT NULL, outcome TEXT NOT NULL, approvals_required INTEGER NOT NULL,
    destructive INTEGER NOT NULL, elevated INTEGER NOT NULL, status TEXT NOT NULL, status_note TEXT NOT NULL,
    created_at TEXT NOT NULL, headline TEXT NOT NULL, findings {text} NOT NULL, report {text} NOT NULL,
    files {text} NOT NULL, bundle_file TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS submissions_name ON submissions (name);
CREATE TABLE IF NOT EXISTS reviews (
    id {serial}, submission_id INTEGER NOT NULL REFERENCES submissions(id), reviewer TEXT NOT NULL,
    decision TEXT NOT NULL, statement {text} NOT NULL, signature TEXT NOT NULL, created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL, comment TEXT NOT NULL, void_reason TEXT NOT NULL,
    UNIQUE (submission_id, reviewer, decision));
CREATE TABLE IF NOT EXISTS waivers (
    id {serial}, submission_id INTEGER NOT NULL REFERENCES submissions(id), reviewer TEXT NOT NULL,
    rule TEXT NOT NULL, address TEXT, reason TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS applies (
    id {serial}, submission_id INTEGER NOT NULL REFERENCES submissions(id), actor TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT NOT NULL, outcome TEXT NOT NULL, detail {text} NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    submission_id INTEGER, data {text} NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
"""


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class Tx:
    """Queries inside one transaction. Obtain it from ``Store.tx()``."""

    def __init__(self, conn: Any, placeholder: str):
        self.conn = conn
        self._ph = placeholder

    def _q(self, sql: str, params: tuple = ()) -> Any:
        if self._ph != "?":
            sql = sql.replace("?", self._ph)
        return self.conn.execute(sql, params)

    def _one(self, sql: str, params: tuple = ()) -> dict[str, Any] | None:
        row = self._q(sql, params).fetchone()
        return dict(row) if row is not None else None

    def _all(self, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self._q(sql, params).fetchall()]

    # meta
    def get_meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._q("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value))

    # users
    def put_user(self, user: User) -> None:
        self._q("INSERT INTO users (name, role, public_key, token_hash, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET role = excluded.role, public_key = excluded.public_key, "
                "token_hash = COALESCE(excluded.token_hash, users.token_hash)",
                (user.name, user.role, user.public_key, user.token_hash, user.created_at))

    def set_token_hash(self, name: str, token_hash: str) -> None:
        self._q("UPDATE users SET token_hash = ? WHERE name = ?", (token_hash, name))

    def get_user(self, name: str) -> User | None:
        row = self._one("SELECT * FROM users WHERE name = ?", (name,))
        return User(**row) if row else None

    def user_by_token_hash(self, token_hash: str) -> User | None:
        row = self._one("SELECT * FROM users WHERE token_hash = ?", (token_hash,))
        return User(**row) if row else None

    def users(self) -> list[User]:
        return [User(**r) for r in self._all("SELECT * FROM users ORDER BY name")]

    # snapshots (deduplicated by digest)
    def put_snapshot(self, digest: str, doc: dict[str, Any], at: str) -> None:
        self._q("INSERT INTO snapshots (digest, doc, created_at) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING",
                (digest, _json(doc), at))

    def get_snapshot(self, digest: str) -> dict[str, Any] | None:
        row = self._one("SELECT doc FROM snapshots WHERE digest = ?", (digest,))
        return json.loads(row["doc"]) if row else None

    # submissions
    def insert_submission(self, sub: Submission) -> int:
        cols = [c for c in SUBMISSION_COLUMNS if c != "id"]
        values = []
        for c in cols:
            v = getattr(sub, c)
            values.append(_json(v) if c in ("findings", "report", "files") else int(v) if isinstance(v, bool) else v)
        row = self._one(f"INSERT INTO submissions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
                        "RETURNING id", tuple(values))
        assert row is not None
        sub.id = int(row["id"])
        return sub.id

    def get_submission(self, sid: int) -> Submission | None:
        row = self._one("SELECT * FROM submissions WHERE id = ?", (sid,))
        return _submission(row) if row else None

    def submissions(self, *, status: str | None = None, name: str | None = None,
                    submitted_by: str | None = None, limit: int = 500) -> list[Submission]:
        where, params = [], []
        for col, value in (("status", status), ("name", name), ("submitted_by", submitted_by)):
            if value is not None:
                where.append(f"{col} = ?")
                params.append(value)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self._all(f"SELECT {', '.join(LIST_COLUMNS)} FROM submissions {clause} ORDER BY id DESC LIMIT ?",
                         (*params, limit))
        return [_submission(r) for r in rows]

    def set_status(self, sid: int, status: str, note: str = "") -> None:
        self._q("UPDATE submissions SET status = ?, status_note = ? WHERE id = ?", (status, note, sid))

    # reviews
    def insert_review(self, review: Review) -> int:
        row = self._one(
            "INSERT INTO reviews (submission_id, reviewer, decision, statement, signature, created_at, expires_at, "
            "comment, void_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (review.submission_id, review.reviewer, review.decision, _json(review.statement), review.signature,
             review.created_at, review.expires_at, review.comment, review.void_reason))
        assert row is not None
        review.id = int(row["id"])
        return review.id

    def reviews(self, sid: int) -> list[Review]:
        rows = self._all(f"SELECT {', '.join(REVIEW_COLUMNS)} FROM reviews WHERE submission_id = ? ORDER BY id",
                         (sid,))
        return [Review(**{**r, "statement": json.loads(r["statement"])}) for r in rows]

    def void_reviews(self, sid: int, reason: str) -> int:
        cur = self._q("UPDATE reviews SET void_reason = ? WHERE submission_id = ? AND void_reason = '' "
                      "AND decision = 'approve'", (reason, sid))
        return cur.rowcount

    # waivers
    def insert_waiver(self, waiver: Waiver) -> int:
        row = self._one("INSERT INTO waivers (submission_id, reviewer, rule, address, reason, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                        (waiver.submission_id, waiver.reviewer, waiver.rule, waiver.address, waiver.reason,
                         waiver.created_at))
        assert row is not None
        waiver.id = int(row["id"])
        return waiver.id

    def waivers(self, sid: int) -> list[Waiver]:
        return [Waiver(**r) for r in self._all("SELECT * FROM waivers WHERE submission_id = ? ORDER BY id", (sid,))]

    # applies
    def insert_apply(self, record: ApplyRecord) -> int:
        row = self._one("INSERT INTO applies (submission_id, actor, started_at, finished_at, outcome, detail) "
                        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                        (record.submission_id, record.actor, record.started_at, record.finished_at, record.outcome,
                         _json(record.detail)))
        assert row is not None
        record.id = int(row["id"])
        return record.id

    def finish_apply(self, record: ApplyRecord) -> None:
        self._q("UPDATE applies SET finished_at = ?, outcome = ?, detail = ? WHERE id = ?",
                (record.finished_at, record.outcome, _json(record.detail), record.id))

    def applies(self, sid: int) -> list[ApplyRecord]:
        rows = self._all("SELECT * FROM applies WHERE submission_id = ? ORDER BY id", (sid,))
        return [ApplyRecord(**{**r, "detail": json.loads(r["detail"])}) for r in rows]

    # audit (append-only: the tables refuse UPDATE and DELETE)
    def audit_tail(self) -> AuditEntry | None:
        row = self._one("SELECT * FROM audit ORDER BY seq DESC LIMIT 1")
        return _entry(row) if row else None

    def insert_audit(self, entry: AuditEntry) -> None:
        self._q("INSERT INTO audit (seq, at, actor, action, submission_id, data, prev, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (entry.seq, entry.at, entry.actor, entry.action, entry.submission_id, _json(entry.data), entry.prev,
                 entry.hash))

    def audit_entries(self, *, submission_id: int | None = None, after: int = 0, limit: int | None = None
                      ) -> list[AuditEntry]:
        sql, params = "SELECT * FROM audit WHERE seq > ?", [after]
        if submission_id is not None:
            sql += " AND submission_id = ?"
            params.append(submission_id)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_entry(r) for r in self._all(sql, tuple(params))]


def _submission(row: dict[str, Any]) -> Submission:
    data = dict(row)
    for key in ("findings", "report", "files"):
        if key in data:
            data[key] = json.loads(data[key])
    data["destructive"] = bool(data["destructive"])
    data["elevated"] = bool(data["elevated"])
    return Submission(**data)


def _entry(row: dict[str, Any]) -> AuditEntry:
    return AuditEntry(**{**row, "data": json.loads(row["data"])})


class Store:
    """A gate store: connections per thread, one ``tx()`` for every read and write."""

    url: str
    placeholder = "?"
    types: dict[str, str] = {}

    def __init__(self) -> None:
        self._local = threading.local()
        self._opened: list[Any] = []
        self._lock = threading.Lock()

    def connect(self) -> Any:  # a new DB-API connection returning dict-like rows
        raise NotImplementedError

    def begin(self, conn: Any, write: bool) -> None:
        raise NotImplementedError

    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.connect()
            with self._lock:
                self._opened.append(conn)
        return conn

    @contextmanager
    def tx(self, *, write: bool = True) -> Iterator[Tx]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        with self.writer_lock() if write else contextlib.nullcontext():
            conn = self._conn()
            self.begin(conn, write)
            try:
                yield Tx(conn, self.placeholder)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def writer_lock(self) -> contextlib.AbstractContextManager[Any]:
        """An in-process lock taken before a write transaction (none by default)."""
        return contextlib.nullcontext()

    def schema_sql(self) -> list[str]:
        text = SCHEMA.format(**self.types)
        return [s.strip() for s in text.split(";") if s.strip()]

    def init_schema(self) -> None:
        """Create the tables and the audit log's append-only guard, unless this version already did."""
        try:
            with self.tx(write=False) as tx:
                if tx.get_meta("schema") == SCHEMA_VERSION:
                    return
        except Exception:  # no meta table yet: a new store
            pass
        with self.tx() as tx:
            for statement in [*self.schema_sql(), *self.append_only_sql()]:
                tx.conn.execute(statement)
            tx.set_meta("schema", SCHEMA_VERSION)

    def append_only_sql(self) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        """Close every connection this store opened (call once no thread uses it any more)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            with contextlib.suppress(Exception):  # closing from another thread: best effort
                conn.close()
        self._local = threading.local()
