"""Run the change in fresh network + PID namespaces whose only way out is shadow's proxy.

``unshare --net --pid --fork --mount-proc --kill-child`` starts this file as a script
(standard library only, ``python -I``) inside the namespaces. As the namespace's PID 1 it
brings ``lo`` up, relays ``127.0.0.1:PORT`` to the proxy's unix-domain socket (unix sockets
cross network namespaces; nothing else does: the namespace has no other interface, so a
bug in shadow cannot let traffic leave the machine), then runs the change and exits with
its code. When PID 1 exits or is killed, the kernel kills everything else in the namespace,
which is how a timeout kills the whole process tree, daemons included. ``/proc`` is
remounted, so the change cannot read other processes' environments.
"""

from __future__ import annotations

import contextlib
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


def wrap(argv: list[str], *, unix_socket: str, port: int = RELAY_PORT) -> list[str]:
    """The command line that runs ``argv`` inside new namespaces behind the relay."""
    unshare = shutil.which("unshare") or "unshare"
    return [unshare, *_UNSHARE_FLAGS, sys.executable, "-I", os.path.abspath(__file__),
            unix_socket, str(port), "--", *argv]


# ---- inside the namespace (standard library only) -------------------------------------------

def _lo_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh22x", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(sock, _SIOCGIFFLAGS, request)[:18])[1]
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sh22x", b"lo", flags | _IFF_UP))


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
    """Bootstrap: ``netns.py UNIX_SOCKET PORT -- argv...`` as PID 1 of the new namespaces."""
    try:
        unix_socket, port, dashdash, *argv = args
        if dashdash != "--" or not argv:
            raise ValueError("usage: netns.py UNIX_SOCKET PORT -- COMMAND...")
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
