"""``run_isolated``: run one command against the sandbox with no way to reach anything else.

The child gets an environment built from scratch (throwaway credentials, the proxy as its
AWS endpoint and HTTP(S) proxy, a throwaway CA as its only trust store, an empty HOME),
runs in its own session (and, where the OS allows, its own network and PID namespaces),
and is killed with its whole process tree when it runs past ``timeout``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from harness.aws import SANDBOX_ACCESS_KEY, SANDBOX_SECRET_KEY
from harness.errors import BadInput, SandboxFailure, ToolMissing
from harness.isolation import netns
from harness.isolation.ca import ThrowawayCA
from harness.isolation.models import Execution
from harness.isolation.proxy import Proxy
from harness.sandbox.guard import check_endpoint

CA_VARIABLES = ("AWS_CA_BUNDLE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
# Variables a caller's ``env=`` may never set (besides every variable shadow sets itself,
# PATH and LANG excepted): they would un-pin the endpoint, bring real credentials or a
# profile back, or let traffic bypass the proxy.
FORBIDDEN_NAMES = frozenset({"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                             "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                             "NO_PROXY", "no_proxy", "SSL_CERT_DIR"})
FORBIDDEN_PREFIXES = ("AWS_ENDPOINT_URL", "AWS_CONTAINER_", "AWS_EC2_METADATA")


def child_environment(*, port: int, region: str, home: Path, tmp: Path, ca_bundle: Path,
                      extra: dict[str, str] | None = None) -> dict[str, str]:
    """The child's whole environment; nothing is inherited except PATH and the locale."""
    endpoint = f"http://127.0.0.1:{port}"
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "AWS_ACCESS_KEY_ID": SANDBOX_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SANDBOX_SECRET_KEY,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_CONFIG_FILE": str(home / ".aws" / "no-config"),  # never created: points at nothing
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
    }
    env.update({name: str(ca_bundle) for name in CA_VARIABLES})
    env.update({name: endpoint for name in PROXY_VARIABLES})
    for name, value in (extra or {}).items():
        pinned = name in env and name not in ("PATH", "LANG")
        if pinned or name in FORBIDDEN_NAMES or name.startswith(FORBIDDEN_PREFIXES):
            raise BadInput(f"the change may not set {name}: shadow pins it to keep the run isolated",
                           where="env", hint="Remove it; the sandbox endpoint and credentials are given")
        env[name] = value
    return env


def _check_program(argv: list[str], env: dict[str, str], cwd: Path) -> None:
    if not argv:
        raise BadInput("nothing to run: the command is empty", where="argv")
    program = argv[0]
    found = (cwd / program).exists() if "/" in program else shutil.which(program, path=env["PATH"])
    if not found:
        raise ToolMissing(f"{program} is not installed (or not on PATH)", where="argv",
                          hint="Install it, or give the full path")


def _proc_stats() -> list[tuple[int, int, int]]:
    """(pid, ppid, pgid) of every process (Linux /proc); empty elsewhere."""
    rows = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        rows.append((int(entry), int(fields[1]), int(fields[2])))
    return rows


def _tree(root: int) -> set[int]:
    """``root``'s process group and every descendant of ``root`` still alive."""
    stats = _proc_stats()
    found = {pid for pid, _, pgid in stats if pgid == root} | {root}
    children: dict[int, list[int]] = {}
    for pid, ppid, _ in stats:
        children.setdefault(ppid, []).append(pid)
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _kill_tree(root: int, *, alive: bool = True) -> int:
    """SIGKILL ``root``'s process group (and, while ``root`` is not yet reaped, its descendants);
    return how many processes other than ``root`` were hit. Once ``root`` is reaped its pid may
    be reused, so then only its group (whose id nothing else can take while it has members)."""
    members = _tree(root) if alive else {pid for pid, _, pgid in _proc_stats() if pgid == root}
    if not members:
        return 0
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(root, signal.SIGKILL)
    for pid in members:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return len(members - {root})


def _decide_namespace(namespace: bool | None) -> tuple[bool, str | None]:
    ok, why = netns.available()
    if namespace is True and not ok:
        raise SandboxFailure(f"cannot run the change in a network namespace: {why}",
                             hint="Run shadow as root on Linux, or allow proxy-only isolation")
    if namespace is False:
        return False, "namespace isolation was turned off by the caller: the proxy is the only guard"
    if not ok:
        return False, f"no network namespace ({why}): the proxy is the only guard"
    return True, None


def run_isolated(argv: list[str], *, sandbox_endpoint: str, cwd: Path, timeout: float,
                 region: str = "us-east-1", env: dict[str, str] | None = None,
                 namespace: bool | None = None) -> Execution:
    """Run ``argv`` against the sandbox, isolated, traced, and bounded by ``timeout`` seconds.

    ``namespace``: True forces network+PID namespaces (error if impossible), False forbids
    them, None uses them where possible. ``env`` adds bundle-specific variables; it may not
    touch what shadow pins (endpoint, credentials, proxy, CA, HOME).
    """
    endpoint = check_endpoint(sandbox_endpoint, where="sandbox_endpoint")
    cwd = Path(cwd)
    if not cwd.is_dir():
        raise BadInput(f"{cwd} is not a directory", where="cwd")
    use_namespace, note = _decide_namespace(namespace)
    notes = [note] if note else []
    with tempfile.TemporaryDirectory(prefix="shadow-run-") as scratch:
        root = Path(scratch)
        home, tmp = root / "home", root / "tmp"
        home.mkdir()
        tmp.mkdir()
        ca = ThrowawayCA()
        bundle = ca.write_bundle(root)
        if use_namespace:
            proxy = Proxy(endpoint, ca, tcp=False, unix_path=root / "proxy.sock")
            port = netns.RELAY_PORT
            proxy.pin(f"127.0.0.1:{port}")
            proxy.pin(f"localhost:{port}")
        else:
            proxy = Proxy(endpoint, ca)
            assert proxy.port is not None
            port = proxy.port
        child_env = child_environment(port=port, region=region, home=home, tmp=tmp, ca_bundle=bundle, extra=env)
        _check_program(argv, child_env, cwd)
        command = netns.wrap(argv, unix_socket=str(root / "proxy.sock"), port=port) if use_namespace else argv
        out_path, err_path = root / "stdout", root / "stderr"
        with proxy, open(out_path, "wb") as out, open(err_path, "wb") as err:
            started = time.perf_counter()
            try:
                process = subprocess.Popen(command, cwd=cwd, env=child_env, stdin=subprocess.DEVNULL,
                                           stdout=out, stderr=err, start_new_session=True)
            except OSError as error:
                raise ToolMissing(f"cannot start {argv[0]}: {error}", where="argv") from None
            timed_out = False
            try:
                returncode: int | None = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out, returncode = True, None
                killed = _kill_tree(process.pid)
                process.wait()
                notes.append(f"timed out after {timeout:g} s: killed the process tree"
                             + (" (the whole namespace)" if use_namespace else f" ({killed + 1} processes)"))
            duration = time.perf_counter() - started
            if not timed_out and not use_namespace:
                leftovers = _kill_tree(process.pid, alive=False)
                if leftovers:
                    notes.append(f"killed {leftovers} process(es) the change left running")
        stdout = out_path.read_text(errors="replace")
        stderr = err_path.read_text(errors="replace")
        if use_namespace and returncode == netns.SETUP_FAILED and netns.MARKER in stderr:
            raise SandboxFailure(stderr.strip().splitlines()[-1], hint="Run with namespace=False to compare")
        notes.extend(proxy.notes)
        return Execution(returncode=returncode, stdout=stdout, stderr=stderr, timed_out=timed_out,
                         duration_s=round(duration, 3), calls=proxy.calls(region), egress=list(proxy.egress),
                         isolation="netns" if use_namespace else "proxy", notes=notes)

