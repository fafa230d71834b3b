"""Fork hygiene for sandbox processes: what a forked child must not keep, and dying with its parent.

A moto sandbox of ``MotoBackend`` is a fork of the controller, ready in milliseconds.
A fork inherits every open file descriptor, including the controller's ends of the
control pipes of other sandboxes; a child that kept one would keep that sandbox from
seeing its controller go away. The controller registers its ends here, and each child
closes them first thing. (Templates are forked by a clean host process instead:
``harness.sandbox.forkhost``.)
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable
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


def spawn(main: Callable[..., None], *args: Any, name: str) -> tuple[Any, Connection]:
    """Fork a child running ``main(conn, *args)``; return (process, the controller's end of ``conn``).

    The child ignores Ctrl-C (the controller stops it) and closes the controller's ends
    of other sandboxes' pipes before ``main`` runs. The controller's end is tracked;
    release it with ``release``.
    """
    ctx = multiprocessing.get_context("fork")
    with _spawn_lock:
        parent, child = ctx.Pipe()
        inherited = controller_fds()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with idle threads (3.12+)
            proc = ctx.Process(target=_enter, args=(main, child, inherited, args), daemon=True, name=name)
            proc.start()
        child.close()
        track(parent)
    return proc, parent


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
