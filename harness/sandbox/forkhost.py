"""The fork host: a clean, single-threaded Python process that forks sandbox templates.

Why not fork shadow itself: a template runs boto3 (and so OpenSSL) on threads, and in a
fork of a busy controller a lock another controller thread held at the fork stays locked
forever (seen: OpenSSL's random-generator lock while a test's proxy made a certificate;
the template hung). Why not multiprocessing's fork server: it inherits the caller's
environment (a caller's ``AWS_PROFILE`` naming a profile that does not exist here breaks
the import of moto's EC2 models, which opens a boto3 session) and re-imports the
caller's main script in every child.

The host is started once per controller (``subprocess`` with the caller's ``AWS_*``
variables removed), imports moto and shadow's seeding code once, and forks a child per
request; the child receives its function, arguments and control connection, and the
host answers with its pid. The host exits when the controller's end of its pipe closes;
the kernel reaps its children.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing import reduction
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import harness
from harness.errors import SandboxFailure

START_TIMEOUT_S = 60.0
MOTO_SERVICES = ("s3", "dynamodb", "sqs", "sns", "iam", "kms", "secretsmanager", "awslambda", "ec2", "rds", "ecs",
                 "elbv2", "cloudformation", "sts")
# what the host imports once, so that its children start without import cost
PRELOAD = ("moto.server", "boto3", "harness.sandbox.template", "harness.sandbox.inprocess",
           *(f"moto.{service}.{part}" for service in MOTO_SERVICES for part in ("models", "responses", "urls")))


class HostedProcess:
    """A child of the fork host: not our child, so liveness is its pid (the host reaps it)."""

    def __init__(self, pid: int):
        self.pid = pid

    def is_alive(self) -> bool:
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
            return True
        return stat.rsplit(")", 1)[-1].split()[0] != "Z"

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.pid, signal.SIGKILL)

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)


class ForkHost:
    """The controller's handle on its fork host (started on first use)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None

    def spawn(self, main: Callable[..., None], *args: Any) -> tuple[HostedProcess, Connection]:
        """Fork a child of the host running ``main(conn, *args)``; return it and our end of ``conn``."""
        mine, theirs = socket.socketpair()
        ours, child = Connection(mine.detach()), Connection(theirs.detach())
        try:
            with self._lock:
                conn = self._running()
                try:
                    conn.send("spawn")
                    reduction.send_handle(conn, child.fileno(), self._proc.pid if self._proc else 0)
                    _status, pid = conn.recv()
                except (EOFError, OSError) as exc:
                    self._stop()
                    raise SandboxFailure(f"the sandbox fork host went away ({exc})") from None
            child.close()
            ours.send((main, args))
        except BaseException:
            child.close()
            ours.close()
            raise
        return HostedProcess(pid), ours

    def _running(self) -> Connection:
        if self._proc is not None and self._proc.poll() is None and self._conn is not None:
            return self._conn
        self._stop()
        mine, theirs = socket.socketpair()
        root = str(Path(harness.__file__).resolve().parent.parent)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", f"from harness.sandbox.forkhost import main; main({theirs.fileno()})"],
                pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            theirs.close()
        self._conn = Connection(mine.detach())
        if not self._conn.poll(START_TIMEOUT_S):
            self._stop()
            raise SandboxFailure(f"the sandbox fork host did not start within {START_TIMEOUT_S:.0f} s")
        try:
            self._conn.recv()  # "ready": preloaded
        except (EOFError, OSError):
            self._stop()
            raise SandboxFailure("the sandbox fork host exited while starting",
                                 hint="Run `python -c 'import moto.server'` to see why") from None
        return self._conn

    def _stop(self) -> None:
        conn, proc = self._conn, self._proc
        self._conn = self._proc = None
        if conn is not None:
            conn.close()
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    def close(self) -> None:
        with self._lock:
            self._stop()


HOST = ForkHost()


# ---- in the host ---------------------------------------------------------------------------

def main(fd: int) -> None:
    """Host process: preload, then fork one child per request until the controller goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the controller, which stops us
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children
    for name in PRELOAD:
        with contextlib.suppress(Exception):  # another moto layout: the child imports on demand
            __import__(name)
    conn = Connection(fd)
    conn.send("ready")
    while True:
        try:
            command = conn.recv()
        except (EOFError, OSError):
            break
        if command != "spawn":
            break
        child_fd = reduction.recv_handle(conn)
        pid = os.fork()
        if pid == 0:
            _child(child_fd, conn)
        os.close(child_fd)
        conn.send(("spawned", pid))


def _child(fd: int, host: Connection) -> None:
    """A forked child: forget the host's pipe, run the function the controller sent."""
    code = 0
    try:
        host.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        conn = Connection(fd)
        main, args = conn.recv()
        main(conn, *args)
    except BaseException:  # the function reports its own errors; this is a crash
        code = 1
        traceback.print_exc(limit=6)
    finally:
        os._exit(code)
