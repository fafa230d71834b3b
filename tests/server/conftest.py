"""Server fixtures: the real app over a real gate store, with recorded submissions."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from harness.server.app import create_app
from tests.gate.conftest import clock, gate, people  # noqa: F401  (fixtures)
from tests.gate.recorded import production


@pytest.fixture
def app(gate):  # noqa: F811
    return create_app(gate, snapshot=gate.put_snapshot(production(), actor="admin"))


@pytest.fixture
def client(app):
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def bearer(person) -> dict[str, str]:
    return {"Authorization": f"Bearer {person.token}"}
