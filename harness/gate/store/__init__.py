"""Gate stores: SQLite (default, embedded) and PostgreSQL (teams), one interface."""

from __future__ import annotations

import os
from pathlib import Path

from harness.errors import ConfigError
from harness.gate.store.base import Store, Tx

DEFAULT_STORE = ".shadow/gate.db"


def default_url() -> str:
    return os.environ.get("SHADOW_STORE") or DEFAULT_STORE


def open_store(url: str | None = None) -> Store:
    """Open (and create the schema of) the store named by ``url``: a path, sqlite:///… or postgresql://…."""
    url = url or default_url()
    if url.startswith(("postgresql://", "postgres://")):
        from harness.gate.store.postgres import PostgresStore

        store: Store = PostgresStore(url)
    elif url.startswith("sqlite:///"):
        from harness.gate.store.sqlite import SqliteStore

        store = SqliteStore(Path(url[len("sqlite:///"):]))
    elif "://" in url:
        raise ConfigError(f"unknown store URL {url.split('://', 1)[0]}://", where="--store",
                          hint="Use a file path, sqlite:///PATH or postgresql://USER@HOST/DB")
    else:
        from harness.gate.store.sqlite import SqliteStore

        store = SqliteStore(Path(url))
    store.init_schema()
    return store


__all__ = ["DEFAULT_STORE", "Store", "Tx", "default_url", "open_store"]
