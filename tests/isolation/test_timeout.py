"""Requirement: a change that runs too long is killed with its whole process tree."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from harness.isolation import netns
from tests.isolation.helpers import run_python

needs_netns = pytest.mark.skipif(not netns.available()[0], reason=f"no namespaces: {netns.available()[1]}")

SPAWNER = """
import os, subprocess, sys, time
token = sys.argv[1] if len(sys.argv) > 1 else "{token}"
sleeper = [sys.executable, "-c", "import time; time.sleep(600)", token]
subprocess.Popen(sleeper)                                  # an ordinary grandchild
subprocess.Popen(sleeper, start_new_session=True)          # a grandchild in its own session
if {daemon}:                                               # a double-forked daemon, parent gone
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, sleeper)
        os._exit(0)
print("spawned", flush=True)
{tail}
"""


def alive_with(token: str) -> list[int]:
    """Live (non-zombie) processes whose command line carries ``token``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if token.encode() in handle.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def wait_gone(token: str, *, allow: int = 0, within: float = 10.0) -> list[int]:
    """Processes carrying ``token`` still alive once at most ``allow`` remain or ``within``
    seconds passed (SIGKILL teardown is asynchronous; this waits for a state, it does not
    measure time)."""
    deadline = time.monotonic() + within
    while len(left := alive_with(token)) > allow and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.mark.parametrize("namespace, daemon", [
    pytest.param(True, True, id="netns", marks=needs_netns),
    pytest.param(False, False, id="proxy"),
])
def test_timeout_kills_the_whole_tree(fresh_prod, tmp_path: Path, namespace, daemon):
    token = f"shadow-test-{uuid.uuid4().hex}"
    code = SPAWNER.format(token=token, daemon=daemon, tail="time.sleep(600)")

    execution = run_python(tmp_path, code, fresh_prod.endpoint, timeout=3, namespace=namespace)

    assert execution.timed_out is True
    assert execution.returncode is None
    assert "spawned" in execution.stdout  # the grandchildren really existed before the kill
    assert wait_gone(token) == []
    assert any("timed out" in note for note in execution.notes)


@pytest.mark.parametrize("namespace", [pytest.param(True, id="netns", marks=needs_netns),
                                       pytest.param(False, id="proxy")])
def test_processes_left_behind_are_killed_when_the_change_ends(fresh_prod, tmp_path: Path, namespace):
    token = f"shadow-test-{uuid.uuid4().hex}"
    code = SPAWNER.format(token=token, daemon=namespace, tail="")

    execution = run_python(tmp_path, code, fresh_prod.endpoint, timeout=60, namespace=namespace)

    assert execution.timed_out is False and execution.returncode == 0, execution.stderr
    # In a namespace everything dies with it; without one, shadow kills what it can find
    # (the process group); a grandchild that started its own session is out of reach.
    left = wait_gone(token, allow=0 if namespace else 1)
    if namespace:
        assert left == []
    else:
        assert len(left) == 1
        for pid in left:
            os.kill(pid, 9)
