"""Starting sandbox processes: from a clean fork server or by forking, and dying with a parent.

Two ways to start one, for two risks:

- ``fork`` (moto sandboxes of ``MotoBackend``): a fork of the controller, ready in
  milliseconds. A fork inherits every open file descriptor, including the controller's
  ends of the control pipes of other sandboxes; a child that kept one would keep that
  sandbox from seeing its controller go away, so the controller registers its ends here
  and each child closes them first thing.
- ``forkserver`` (templates): a fork of multiprocessing's fork server, a separate,
  single-threaded interpreter with moto and shadow preloaded. A template runs boto3 (and
  OpenSSL) in threads; in a fork of a busy controller, a lock another controller thread
  held at the fork (seen: OpenSSL's random-generator lock while a test's proxy made a
  certificate) stays locked forever and the template hangs. The fork server has no
  other threads, and its children inherit none of the controller's descriptors.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import types
import warnings
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

_lock = threading.Lock()
_spawn_lock = threading.Lock()  # one fork at a time (warnings.catch_warnings is process-global)
_fds: set[int] = set()

PR_SET_PDEATHSIG = 1


def track(conn: Connection) -> None:
    """Remember a controller-side connection end, so that forked sandbox processes close it."""
    with _lock:
        _fds.add(conn.fileno())


def untrack(conn: Connection) -> None:
    """Forget ``conn`` (call before closing it: its descriptor number may be reused)."""
    with contextlib.suppress(OSError, ValueError):
        fd = conn.fileno()
        with _lock:
            _fds.discard(fd)


def controller_fds() -> list[int]:
    """Descriptors a child forked now must close (the controller's ends of other sandboxes)."""
    with _lock:
        return sorted(_fds)


def close_inherited(fds: list[int]) -> None:
    """In a forked child: close the controller's connection ends it inherited."""
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


def die_with_parent(parent_pid: int) -> None:
    """In a forked child: be killed (SIGKILL) when the process that forked it exits.

    Linux only (``prctl(PR_SET_PDEATHSIG)``); elsewhere the control pipe's EOF is the
    only signal. The signal follows the forking *thread*, so only use it for children
    forked by a process's main thread (a template's command loop). Exits at once when the
    parent is already gone (the race between fork and prctl).
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


# what the fork server imports once, so that templates start without import cost; names
# that do not import (another moto layout) are skipped by multiprocessing
MOTO_SERVICES = ("s3", "dynamodb", "sqs", "sns", "iam", "kms", "secretsmanager", "awslambda", "ec2", "rds", "ecs",
                 "elbv2", "cloudformation", "sts")
PRELOAD = ["moto.server", "boto3", "harness.sandbox.template", "harness.sandbox.inprocess",
           *(f"moto.{service}.{part}" for service in MOTO_SERVICES for part in ("models", "responses", "urls"))]


def spawn(main: Callable[..., None], *args: Any, name: str, method: str = "fork") -> tuple[Any, Connection]:
    """Start a child running ``main(conn, *args)``; return (process, the controller's end of ``conn``).

    ``method``: ``fork`` (of this process) or ``forkserver`` (of the clean fork server; the
    arguments are pickled). The child ignores Ctrl-C (the controller stops it); a fork
    closes the controller's ends of other sandboxes' pipes before ``main`` runs. The
    controller's end is tracked; release it with ``release``.
    """
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)
    with _spawn_lock:
        parent, child = ctx.Pipe()
        inherited = controller_fds() if method == "fork" else []
        with warnings.catch_warnings(), _bare_main(method == "forkserver"):
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with idle threads (3.12+)
            proc = ctx.Process(target=_enter, args=(main, child, inherited, args), daemon=True, name=name)
            proc.start()
        child.close()
        track(parent)
    return proc, parent


@contextlib.contextmanager
def _bare_main(active: bool) -> Iterator[None]:
    """While starting a fork-server child, show multiprocessing an empty ``__main__``: it would
    otherwise make the child import the caller's main script again (running any unguarded
    code in it), and a sandbox needs nothing from it."""
    if not active:
        yield
        return
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _enter(main: Callable[..., None], conn: Connection, inherited: list[int], args: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the controller, which stops us
    close_inherited(inherited)
    main(conn, *args)


def release(conn: Connection | None) -> None:
    """Close a controller-side end (untracked first)."""
    if conn is not None:
        untrack(conn)
        with contextlib.suppress(OSError):
            conn.close()
