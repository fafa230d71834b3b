"""The embedded default sandbox: a moto server in a child process on a loopback port.

Why a forked child and not a thread in this process: moto keeps its state in
process-global backends, so two sandboxes in one process would share it (and a
"production" test server would share it with the sandbox). The parent imports
``moto.server`` once; each sandbox is a ``fork`` of it, ready in milliseconds, with
its own state. The child listens on 127.0.0.1 only, acts in the snapshot's account
(``MOTO_ACCOUNT_ID``) and loads AWS managed IAM policies, so that a change attaching
``AdministratorAccess`` behaves as in a real account. The child exits when the
parent goes away (its end of the control pipe closes).
"""

from __future__ import annotations

import os
import time
from multiprocessing.connection import Connection
from typing import Any

from harness.errors import SandboxFailure
from harness.sandbox.base import Backend
from harness.sandbox.forking import release, spawn
from harness.sandbox.http import http_ok

START_TIMEOUT_S = 30.0


def moto_env(account: str | None, managed_policies: bool = True) -> dict[str, str]:
    """The environment a moto sandbox process runs with (the snapshot's account, managed policies)."""
    env = {
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true" if managed_policies else "false",
        "MOTO_ALLOW_NONEXISTENT_REGION": "false",
    }
    if account:
        env["MOTO_ACCOUNT_ID"] = account
    return env


def quiet() -> None:
    """moto answers an operation it lacks with HTTP 500 and werkzeug prints the traceback on
    stderr; the isolation trace already records the 500, so keep the user's terminal clean."""
    import logging

    logging.getLogger("werkzeug").disabled = True


def reseed() -> None:
    """Give this fork its own random stream: moto draws ids (secret ARN suffixes, ...) from a
    module-level generator that a fork would otherwise share with every sibling (a template's
    clones, and "production" in tests)."""
    try:
        from moto.moto_api._internal import mock_random
    except ImportError:  # pragma: no cover - layout of a future moto
        return
    mock_random.seed(int.from_bytes(os.urandom(16), "big"))


def serve(conn: Connection) -> None:
    """Serve moto's state of this process on a free loopback port until told to stop (or
    the controller's end of ``conn`` closes); report ``("ready", port)`` first. Never returns."""
    try:
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        _host, port = server.get_host_and_port()
        conn.send(("ready", port))
        while True:
            try:
                command = conn.recv()
            except (EOFError, OSError):
                break
            if command == "stop":
                break
    finally:
        os._exit(0)  # no atexit handlers of the controller, no waiting for server threads


def _child(conn: Connection, env: dict[str, str]) -> None:
    """Child process main: serve moto on a free loopback port until told to stop."""
    os.environ.update(env)
    quiet()
    reseed()
    serve(conn)


def preload() -> None:
    """Import moto's server in this process so that forks start without import cost."""
    import moto.server  # noqa: F401


class MotoBackend(Backend):
    """moto server in a forked child process, on 127.0.0.1 and a free port."""

    name = "moto"
    kind = "moto"

    def __init__(self, *, account: str | None = None, region: str = "us-east-1",
                 managed_policies: bool = True, **kw: Any):
        super().__init__(account=account, region=region, **kw)
        self.managed_policies = managed_policies
        self._proc: Any = None
        self._conn: Connection | None = None
        self._port: int | None = None
        self.ready_s: float | None = None

    def start(self) -> None:
        if self._proc is not None:
            return
        started = time.perf_counter()
        preload()
        proc, parent = spawn(_child, moto_env(self.account, self.managed_policies), name="shadow-moto")
        if not parent.poll(START_TIMEOUT_S):
            proc.kill()
            release(parent)
            raise SandboxFailure("the moto sandbox did not start within "
                                 f"{START_TIMEOUT_S:.0f} s", hint="Check that moto[server] is installed")
        try:
            _status, port = parent.recv()
        except EOFError:
            release(parent)
            raise SandboxFailure("the moto sandbox exited while starting",
                                 hint="Run `python -c 'import moto.server'` to see why") from None
        self._proc, self._conn, self._port = proc, parent, port
        self.ready_s = time.perf_counter() - started

    @property
    def endpoint(self) -> str:
        if self._port is None:
            raise SandboxFailure("the moto sandbox is not running")
        return f"http://127.0.0.1:{self._port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def health(self) -> bool:
        return self.alive() and http_ok(f"{self.endpoint}/moto-api/")

    def reset(self) -> None:
        if not http_ok(f"{self.endpoint}/moto-api/reset", method="POST"):
            raise SandboxFailure("the moto sandbox did not accept a reset")

    def stop(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = self._port = None
        if proc is None:
            return
        try:
            if conn is not None:
                conn.send("stop")
        except (OSError, BrokenPipeError):
            pass
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5)
        release(conn)
