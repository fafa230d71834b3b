"""A real PostgreSQL server for tests, started from the machine's own binaries.

``initdb`` and ``pg_ctl`` refuse to run as root, so as root the server runs as the
``postgres`` user in a private temp folder, listening only on a unix socket there (no
TCP port at all); the tests connect over that socket. Without the binaries the
tests that need it are skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

INSTALL_HINT = "apt-get install postgresql"


def binaries() -> str | None:
    """The newest /usr/lib/postgresql/*/bin that has initdb and pg_ctl, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    for initdb in reversed(found):
        folder = os.path.dirname(initdb)
        if os.access(os.path.join(folder, "pg_ctl"), os.X_OK):
            return folder
    return None


def why_not() -> str | None:
    """None when a server can be started here, else the reason to skip."""
    if binaries() is None:
        return f"PostgreSQL binaries not found under /usr/lib/postgresql/*/bin ({INSTALL_HINT})"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    return None


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextmanager
def server() -> Iterator[str]:
    """Start a throwaway server; yield its socket folder; stop and delete it afterwards."""
    bin_dir = binaries()
    assert bin_dir is not None
    root = tempfile.mkdtemp(prefix="shadow-pg-")
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    os.chmod(root, 0o700)
    data = os.path.join(root, "data")
    log = os.path.join(root, "server.log")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}
    try:
        subprocess.run(_as_server_user([f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "postgres",
                                        "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True, env=env, timeout=120)
        options = f"-k {root} -c listen_addresses='' -c fsync=off -c max_connections=200"
        subprocess.run(_as_server_user([f"{bin_dir}/pg_ctl", "-D", data, "-o", options, "-l", log, "-w",
                                        "start"]), check=True, capture_output=True, env=env, timeout=120)
        yield root
    finally:
        subprocess.run(_as_server_user([f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]),
                       capture_output=True, env=env, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def new_database(socket_dir: str) -> str:
    """Create an empty database on the server; return its URL."""
    import psycopg

    name = f"shadow_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"postgresql://postgres@/postgres?host={socket_dir}", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql://postgres@/{name}?host={socket_dir}"
