"""Gate fixtures: a SQLite store in a temp folder, a settable clock, people with keys."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.gate import Gate
from harness.gate import keys as keymod
from harness.gate.model import User
from harness.gate.store import open_store
from tests.gate.recorded import NOW


class Clock:
    """The gate's notion of now, moved by the test (no wall-clock waiting)."""

    def __init__(self, now: dt.datetime = NOW):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class Person:
    user: User
    token: str
    key: Path | None = None


def add_person(gate: Gate, folder: Path, name: str, role: str) -> Person:
    key = None
    public = None
    if role == "reviewer":
        key, pub = keymod.write_pair(folder / name.replace(":", "-"), name)
        public = pub.read_text()
    user = gate.add_user(name, role, public)
    return Person(user, gate.issue_token(name), key)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gate(tmp_path: Path, clock: Clock) -> Gate:
    store = open_store(str(tmp_path / "gate.db"))
    yield Gate(store, clock=clock)
    store.close()


@pytest.fixture
def people(gate: Gate, tmp_path: Path) -> dict[str, Person]:
    keys_dir = tmp_path / "keys"
    return {
        "bot": add_person(gate, keys_dir, "agent:deploy-bot", "agent"),
        "ana": add_person(gate, keys_dir, "user:ana", "reviewer"),
        "ben": add_person(gate, keys_dir, "user:ben", "reviewer"),
        "cy": add_person(gate, keys_dir, "user:cy", "reviewer"),
    }
