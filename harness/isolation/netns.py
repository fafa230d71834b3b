"""Run the change in fresh network + PID namespaces whose only way out is shadow's proxy.

``unshare --net --pid --fork --mount-proc --kill-child`` starts this file as a script
(standard library only, ``python -I``) inside the namespaces. As the namespace's PID 1 it
brings ``lo`` up, relays ``127.0.0.1:PORT`` to the proxy's unix-domain socket (unix sockets
cross network namespaces; nothing else does: the namespace has no other interface, so a
bug in shadow cannot let traffic leave the machine), then runs the change and exits with
its code. When PID 1 exits or is killed, the kernel kills everything else in the namespace,
which is how a timeout kills the whole process tree, daemons included. ``/proc`` is
remounted, so the change cannot read other processes' environments, and the caller's
credential files and folders (``~/.aws``, ``~/.ssh``, ``~/.netrc``, ...; ``hidden_paths``)
are covered by empty read-only mounts in the namespace's private mount table, so the
change cannot read real credentials by absolute path either.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import functools
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading

RELAY_PORT = 4580  # inside the namespace: any port is free there
SETUP_FAILED = 125  # exit code of the bootstrap when it could not set the namespace up
MARKER = "shadow-netns:"
_UNSHARE_FLAGS = ("--net", "--pid", "--fork", "--mount-proc", "--kill-child")

_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_BIND = 1, 2, 4, 8, 4096
# Where tools keep long-lived credentials, relative to a home folder.
CREDENTIAL_PATHS = (".aws", ".ssh", ".netrc", ".config/gcloud", ".azure", ".kube", ".docker",
                    ".terraform.d", ".config/gh", ".git-credentials", ".pgpass")


def hidden_paths() -> list[str]:
    """Existing credential files and folders of the caller (its HOME and its passwd home)."""
    import pwd

    homes = {os.path.expanduser("~")}
    with contextlib.suppress(KeyError):
        homes.add(pwd.getpwuid(os.getuid()).pw_dir)
    found = []
    for home in sorted(h for h in homes if h and h != "/"):
        for rel in CREDENTIAL_PATHS:
            path = os.path.join(home, rel)
            if os.path.lexists(path):
                found.append(os.path.realpath(path))
    return sorted(set(found))


@functools.cache
def available() -> tuple[bool, str]:
    """(True, "") when namespaces can be made here, else (False, why not)."""
    if not sys.platform.startswith("linux"):
        return False, f"network namespaces need Linux (this is {sys.platform})"
    unshare = shutil.which("unshare")
    if unshare is None:
        return False, "the unshare program (util-linux) is not installed"
    try:
        probe = subprocess.run([unshare, *_UNSHARE_FLAGS, "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        return False, f"unshare failed: {error}"
    if probe.returncode != 0:
        why = probe.stderr.decode(errors="replace").strip() or f"exit {probe.returncode}"
        return False, f"unshare is not allowed here ({why}); namespaces need root or CAP_SYS_ADMIN"
    return True, ""


def wrap(argv: list[str], *, unix_socket: str, port: int = RELAY_PORT, hide: list[str] | None = None) -> list[str]:
    """The command line that runs ``argv`` inside new namespaces behind the relay."""
    unshare = shutil.which("unshare") or "unshare"
    hidden = [arg for path in (hidden_paths() if hide is None else hide) for arg in ("--hide", path)]
    return [unshare, *_UNSHARE_FLAGS, sys.executable, "-I", os.path.abspath(__file__),
            unix_socket, str(port), *hidden, "--", *argv]


# ---- inside the namespace (standard library only) -------------------------------------------

def _lo_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh22x", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(sock, _SIOCGIFFLAGS, request)[:18])[1]
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sh22x", b"lo", flags | _IFF_UP))


def _hide(paths: list[str]) -> None:
    """Cover each path with an empty read-only mount (a folder) or /dev/null (a file)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for path in paths:
        target = path.encode()
        if os.path.isdir(path):
            flags = _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
            result = libc.mount(b"shadow-hidden", target, b"tmpfs", flags, b"size=4k,mode=0555")
        elif os.path.exists(path):
            result = libc.mount(b"/dev/null", target, None, _MS_BIND, None)
        else:
            continue
        if result != 0:
            raise OSError(ctypes.get_errno(), f"cannot hide {path}")


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def _pair(client: socket.socket, unix_socket: str) -> None:
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(unix_socket)
    except OSError:
        client.close()
        upstream.close()
        return
    back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
    back.start()
    _pump(client, upstream)
    back.join()
    client.close()
    upstream.close()


def _relay(listener: socket.socket, unix_socket: str) -> None:
    while True:
        client, _ = listener.accept()
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_pair, args=(client, unix_socket), daemon=True).start()


def main(args: list[str]) -> int:
    """Bootstrap: ``netns.py UNIX_SOCKET PORT [--hide PATH]... -- argv...`` as PID 1 of the namespaces."""
    try:
        unix_socket, port, *rest = args
        hide: list[str] = []
        while len(rest) >= 2 and rest[0] == "--hide":
            hide.append(rest[1])
            rest = rest[2:]
        if not rest or rest[0] != "--" or len(rest) < 2:
            raise ValueError("usage: netns.py UNIX_SOCKET PORT [--hide PATH]... -- COMMAND...")
        argv = rest[1:]
        _hide(hide)
        _lo_up()
        listener = socket.create_server(("127.0.0.1", int(port)))
        threading.Thread(target=_relay, args=(listener, unix_socket), daemon=True).start()
        child = subprocess.Popen(argv)
    except (OSError, ValueError) as error:
        print(f"{MARKER} could not set up the namespace: {error}", file=sys.stderr, flush=True)
        return SETUP_FAILED
    while True:  # as PID 1, reap every orphan until the change itself ends
        pid, status = os.wait()
        if pid == child.pid:
            return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
