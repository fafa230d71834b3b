"""The default gate store: one SQLite file in WAL mode, writers serialized by ``BEGIN IMMEDIATE``."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.gate.store.base import Store

BUSY_TIMEOUT_MS = 60_000
_WRITERS: dict[Path, threading.Lock] = {}
_WRITERS_LOCK = threading.Lock()


class SqliteStore(Store):
    """``sqlite:///path/to/gate.db`` (or a plain path)."""

    placeholder = "?"
    types = {"serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "text": "TEXT"}

    def __init__(self, path: str | Path):
        super().__init__()
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the store's folder ({exc.strerror})", where=str(self.path)) from None

    def connect(self) -> Any:
        try:
            # isolation_level=None: this class issues BEGIN itself, so a transaction is exactly a tx() block
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.OperationalError as exc:
            raise ConfigError(f"cannot open the gate store ({exc})", where=str(self.path),
                              hint="Check the path and its permissions") from None
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")  # the audit log must survive a power cut
        return conn

    def writer_lock(self) -> threading.Lock:
        """Writers in this process queue on a lock instead of SQLite's sleeping busy handler;
        writers in other processes still wait through ``busy_timeout``."""
        key = self.path.resolve()
        with _WRITERS_LOCK:
            return _WRITERS.setdefault(key, threading.Lock())

    def begin(self, conn: Any, write: bool) -> None:
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def append_only_sql(self) -> list[str]:
        return [
            f"CREATE TRIGGER IF NOT EXISTS audit_no_{op.lower()} BEFORE {op} ON audit "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            for op in ("UPDATE", "DELETE")
        ]
