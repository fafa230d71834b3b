"""Shared fixtures: real moto servers on real loopback ports (no mocks).

``prod`` is a moto server standing in for production (account 210987654321) with the
sample estate built on it; ``fresh_prod`` is an empty one for tests that build their
own; ``sandbox_backend`` starts an empty sandbox.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from harness.aws import Target
from harness.demo.estate import PROD_ACCOUNT, EstateInfo, build_estate
from harness.sandbox.moto import MotoBackend

# Never let a test reach real AWS through the caller's environment.
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
             "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(_var, None)
os.environ.setdefault("AWS_CONFIG_FILE", "/nonexistent/shadow-test-aws-config")
os.environ.setdefault("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/shadow-test-aws-credentials")


@pytest.fixture
def fresh_prod() -> Iterator[MotoBackend]:
    """An empty moto server acting as production."""
    backend = MotoBackend(account=PROD_ACCOUNT)
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture(scope="session")
def prod_estate() -> Iterator[tuple[MotoBackend, EstateInfo]]:
    """One moto "production" with the full sample estate, shared by read-only tests."""
    backend = MotoBackend(account=PROD_ACCOUNT)
    backend.start()
    try:
        info = build_estate(backend.target())
        yield backend, info
    finally:
        backend.stop()


@pytest.fixture
def prod_target(prod_estate: tuple[MotoBackend, EstateInfo]) -> Target:
    return prod_estate[0].target()


@pytest.fixture(scope="session")
def prod_snapshot(prod_estate: tuple[MotoBackend, EstateInfo]):
    """One capture of the sample estate by every registered collector (read-only tests)."""
    from harness.collectors.capture import capture

    return capture(prod_estate[0].target(), regions=["us-east-1"])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A real PostgreSQL server on a unix socket (skipped, with the reason, when not installed)."""
    from tests import pg

    reason = pg.why_not()
    if reason:
        pytest.skip(reason)
    with pg.server() as socket_dir:
        yield socket_dir


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The gate store under test: a SQLite file, or a fresh database on the PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "gate.db")
    from tests import pg

    return pg.new_database(request.getfixturevalue("pg_server"))
