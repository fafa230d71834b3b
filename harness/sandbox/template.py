"""Seed once, fork many: a seeded moto process is a template; each bundle runs in a clone of it.

Design, and the measurements behind it (2-core machine, moto 5.2.1):

- **The template** is a child of shadow's fork host (a clean interpreter with moto and
  the seeders preloaded; see ``harness.sandbox.forkhost`` for why not a fork of shadow
  itself) that seeds the snapshot and captures it *in process*: boto3 clients
  answered by moto's own WSGI application without HTTP (``harness.sandbox.inprocess``).
  It never serves HTTP, so when it forks it has no request threads and holds no moto
  lock. It sends the controller its seed result and the capture (the before-state of
  every clone), then freezes its heap (``gc.freeze``: a clone's garbage collector must
  not touch, and so copy, every page) and waits for commands.
- **A clone** is a ``fork`` of the template (copy-on-write: nothing is copied until
  written) that starts its own ``ThreadedMotoServer`` on a new free loopback port and
  reports the port. Its cost is a fork plus a server start, not a function of the
  estate (measured: 17-35 ms for the 48-resource sample estate, 25-50 ms for 1,000
  resources + 10,000 items; ``shadow bench`` reports ``clone_s`` per estate size).
  The alternative, pickling moto's backends and loading them per clone, grows with the
  estate (measured: DynamoDB with 10,000 items loads in 0.8 s, S3 with 143 buckets in
  0.02 s) and is not general: KMS backends (RSA keys) and SQS backends (a lock) refuse
  to pickle.
- **Lifetime**: a clone exits when its controller asks, when the controller's end of its
  pipe closes (the controller died), or (Linux ``PR_SET_PDEATHSIG``) when the template
  exits; the template exits when its own pipe closes. A clone is never reset or reused.
- **Isolation**: each clone is its own process with its own copy of the state; writes in
  a clone are invisible to the template and to other clones (tested). The one shared
  thing copy-on-write cannot cover is an open file: moto spills S3 object bodies above
  its key buffer size to temporary files, whose offsets forks share; seeded placeholder
  bodies are at most 1 MiB and the buffer is kept above that, so seeded state is all in
  memory.

Fail closed: a template that cannot seed or capture raises ``SandboxFailure``; seeding
problems travel with the seed result (changes touching those resources are
inconclusive); a clone that does not start, or that died, is a ``SandboxFailure``.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing import reduction
from multiprocessing.connection import Connection
from typing import Any

from harness.collectors.base import Limits
from harness.errors import SandboxFailure
from harness.estate.snapshot import Snapshot
from harness.sandbox.base import Backend
from harness.sandbox.forkhost import HOST
from harness.sandbox.forking import die_with_parent, release, track
from harness.sandbox.http import http_ok
from harness.sandbox.moto import moto_env, quiet, reseed, serve
from harness.seeders.base import snapshot_limits
from harness.seeders.seed import SeedResult

CLONE_TIMEOUT_S = 30.0
SEED_TIMEOUT_S = 3600.0  # a template seeds and captures the whole estate once
SETTLE_TIMEOUT_S = 5.0
# moto keeps an S3 object body in memory up to this size, then in a temporary file whose
# offset forked clones would share; above the seeders' 1 MiB placeholders
S3_KEY_BUFFER_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class TemplateKey:
    """What makes two templates interchangeable: the snapshot and the backend options."""

    digest: str
    account: str | None
    region: str
    managed_policies: bool
    limits: tuple[tuple[str, int], ...]


def template_key(snapshot: Snapshot, *, limits: Limits | None = None, managed_policies: bool = True) -> TemplateKey:
    limits = limits or snapshot_limits(snapshot)
    return TemplateKey(snapshot.digest, snapshot.source.account, snapshot.source.primary_region,
                       managed_policies, tuple(sorted(limits.to_json().items())))


# ---- in the template process -------------------------------------------------------------

def _template_main(conn: Connection, snapshot: Snapshot, env: dict[str, str], limits: Limits | None,
                   workers: int) -> None:
    os.environ.update(env)
    quiet()
    reseed()
    try:
        seeded, before, timings = _seed_and_capture(snapshot, limits, workers)
        _settle()
    except BaseException as exc:  # report, never hang the controller
        conn.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=8)))
        return
    conn.send(("ready", pickle.dumps(seeded), pickle.dumps(before), timings))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps exited clones
    me = os.getpid()
    while True:
        try:
            command = conn.recv()
        except (EOFError, OSError):
            break
        if command != "clone":
            break
        fd = reduction.recv_handle(conn)
        pid = os.fork()
        if pid == 0:
            _clone_main(fd, conn, me)
        os.close(fd)
        conn.send(("clone", pid))


def _seed_and_capture(snapshot: Snapshot, limits: Limits | None, workers: int) -> tuple[SeedResult, Snapshot,
                                                                                dict[str, float]]:
    from harness.collectors.capture import capture
    from harness.sandbox.inprocess import inprocess_target
    from harness.sandbox.motopatch import cache_module_list, shared_symmetric_material
    from harness.seeders.seed import seed

    cache_module_list()
    target = inprocess_target(account=snapshot.source.account, region=snapshot.source.primary_region)
    began = time.perf_counter()
    with shared_symmetric_material():
        seeded = seed(target, snapshot, limits=limits, workers=workers)
    seeded_at = time.perf_counter()
    # read exactly as ``Sandbox.capture`` reads a sandbox: the snapshot's services and limits
    before = capture(target, regions=list(snapshot.source.regions), services=snapshot.services or None,
                     limits=snapshot_limits(snapshot), workers=workers)
    before.resources = seeded.ids.production_view(before.resources)
    timings = {"seed_s": seeded_at - began, "capture_before_s": time.perf_counter() - seeded_at}
    target.close()
    return seeded, before, timings


def _settle() -> None:
    """Quiescent before forking: only this thread alive, the heap frozen out of the collector."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while threading.active_count() > 1:
        if time.monotonic() > deadline:
            names = ", ".join(t.name for t in threading.enumerate() if t is not threading.current_thread())
            raise SandboxFailure(f"the template still runs threads after seeding ({names}); it cannot be forked safely")
        time.sleep(0.01)
    gc.collect()
    gc.freeze()


def _clone_main(fd: int, control: Connection, template_pid: int) -> None:
    """In a clone: die with the template, forget its pipe, serve the inherited state."""
    try:
        die_with_parent(template_pid)
        control.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        reseed()
        serve(Connection(fd))
    finally:
        os._exit(0)


# ---- in the controller -------------------------------------------------------------------

class Template:
    """A seeded, captured moto process that forks clones on request."""

    def __init__(self, snapshot: Snapshot, *, managed_policies: bool = True, limits: Limits | None = None,
                 workers: int = 8):
        self.snapshot = snapshot
        self.limits = limits  # for seeding (None: the snapshot's); the capture uses the snapshot's
        self.key = template_key(snapshot, limits=limits, managed_policies=managed_policies)
        self.managed_policies = managed_policies
        self.workers = workers
        self.timings: dict[str, float] = {}
        self.clones_made = 0
        self.clone_pids: set[int] = set()  # clones started and not yet stopped (a template in use is never evicted)
        self._proc: Any = None
        self._conn: Connection | None = None
        self._seeded: bytes | None = None
        self._before: bytes | None = None
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._failure: SandboxFailure | None = None

    def start(self) -> None:
        """Fork the template; it seeds and captures in the background (see ``wait``)."""
        if self._proc is not None:
            return
        env = moto_env(self.snapshot.source.account, self.managed_policies)
        env["MOTO_S3_DEFAULT_KEY_BUFFER_SIZE"] = str(S3_KEY_BUFFER_BYTES)
        self._started = time.perf_counter()
        self._proc, self._conn = HOST.spawn(_template_main, self.snapshot, env, self.limits, self.workers)
        track(self._conn)

    def wait(self, timeout: float = SEED_TIMEOUT_S) -> Template:
        """Block until the template is seeded and captured; raise SandboxFailure if it failed."""
        with self._lock:
            if not self._ready.is_set():
                self._receive_ready(timeout)
        if self._failure is not None:
            raise self._failure
        return self

    def _receive_ready(self, timeout: float) -> None:
        try:
            if self._conn is None:
                raise SandboxFailure("the sandbox template was not started")
            if not self._conn.poll(timeout):  # a message, or EOF when the template died
                raise SandboxFailure(f"the sandbox template did not finish seeding within {timeout:.0f} s")
            message = self._conn.recv()
            if message[0] != "ready":
                raise SandboxFailure(f"the sandbox template could not be seeded: {message[1]}",
                                     hint="Run with --backend moto and one bundle to see the seed problems")
            _status, self._seeded, self._before, timings = message
            self.timings = {**timings, "template_s": time.perf_counter() - self._started}
        except (EOFError, OSError):
            self._failure = SandboxFailure("the sandbox template exited while seeding")
        except SandboxFailure as exc:
            self._failure = exc
        finally:
            self._ready.set()
            if self._failure is not None:
                self.close()

    @property
    def finished(self) -> bool:
        """Seeding and capture are over (successfully or not)."""
        return self._ready.is_set()

    @property
    def ready(self) -> bool:
        """Seeded and captured without failure: clones can be taken."""
        return self._ready.is_set() and self._failure is None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def seeded(self) -> SeedResult:
        """A private copy of the seed result (id map, production units, problems)."""
        self.wait()
        assert self._seeded is not None
        return pickle.loads(self._seeded)

    def before(self) -> Snapshot:
        """A private copy of the template's capture: the before-state of every clone."""
        self.wait()
        assert self._before is not None
        return pickle.loads(self._before)

    def clone(self, timeout: float = CLONE_TIMEOUT_S) -> Clone:
        """Fork a clone serving a private copy of the seeded state on a new loopback port."""
        self.wait()
        import multiprocessing

        mine, theirs = multiprocessing.get_context("fork").Pipe()
        track(mine)
        try:
            with self._lock:
                if self._conn is None or not self.alive():
                    raise SandboxFailure("the sandbox template is gone; the next run starts a new one")
                try:
                    self._conn.send("clone")
                    reduction.send_handle(self._conn, theirs.fileno(), self._proc.pid)
                    _status, pid = self._conn.recv()
                except (EOFError, OSError) as exc:
                    raise SandboxFailure(f"the sandbox template did not fork a clone ({exc})") from None
                self.clones_made += 1
                self.clone_pids.add(pid)
        except BaseException:
            release(mine)
            raise
        finally:
            theirs.close()
        try:
            return Clone.started(self, mine, pid, timeout)
        except BaseException:
            self.released(pid)
            raise

    @property
    def active(self) -> int:
        """How many clones are running (started and not stopped)."""
        return len(self.clone_pids)

    def released(self, pid: int) -> None:
        """The clone ``pid`` of this template stopped."""
        with self._lock:
            self.clone_pids.discard(pid)

    def close(self) -> None:
        """Stop the template (its clones die with it)."""
        proc, conn = self._proc, self._conn
        self._conn = None
        if proc is None:
            return
        with contextlib.suppress(OSError, BrokenPipeError):
            if conn is not None:
                conn.send("stop")
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5)
        release(conn)


class Clone(Backend):
    """A backend serving one clone of a template: start is the fork, stop ends it."""

    name = "moto"
    kind = "moto"

    def __init__(self, template: Template, conn: Connection, pid: int, port: int):
        super().__init__(account=template.snapshot.source.account, region=template.snapshot.source.primary_region)
        self.template = template
        self._conn: Connection | None = conn
        self.pid = pid
        self.port = port
        self.ready_s = 0.0

    @classmethod
    def started(cls, template: Template, conn: Connection, pid: int, timeout: float) -> Clone:
        """Wait for the clone forked as ``pid`` to report its port."""
        began = time.perf_counter()
        try:
            if not conn.poll(timeout):
                raise SandboxFailure(f"a sandbox clone did not start within {timeout:.0f} s")
            _status, port = conn.recv()
        except (EOFError, OSError):
            release(conn)
            raise SandboxFailure("a sandbox clone exited while starting") from None
        except SandboxFailure:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            release(conn)
            raise
        clone = cls(template, conn, pid, port)
        clone.ready_s = time.perf_counter() - began
        return clone

    def start(self) -> None:
        if self._conn is None:
            raise SandboxFailure("a stopped clone cannot be restarted; take a new clone of the template")

    @property
    def endpoint(self) -> str:
        if self._conn is None:
            raise SandboxFailure("the sandbox clone is not running")
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        """The clone's end of the pipe is open (a dead process closes it: EOF is readable)."""
        try:
            return self._conn is not None and not self._conn.poll(0)
        except (OSError, EOFError):
            return False

    def health(self) -> bool:
        return self.alive() and http_ok(f"{self.endpoint}/moto-api/")

    def reset(self) -> None:
        raise SandboxFailure("a sandbox clone is never reset", hint="Take a new clone of the template")

    def stop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        with contextlib.suppress(OSError, BrokenPipeError):
            conn.send("stop")
        try:
            exited = conn.poll(5)  # EOF once the clone has exited
        except OSError:
            exited = True
        if not exited:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        release(conn)
        self.template.released(self.pid)
