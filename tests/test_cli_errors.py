"""Bad input to the CLI: exit code 2, one clear line on stderr, nothing written.

The CLI runs as a real subprocess (``python -m harness``), so the exit code and stderr
are what a user sees. Endpoint-safety tests run the CLI with a Python audit hook that
reports every ``socket.getaddrinfo`` / ``socket.connect``, inside ``unshare -n`` (an
empty network namespace), to show that refused endpoints are refused before any
lookup or connection is attempted.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import main

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "210987654321"
NET_MARK = "SHADOW-TEST-NETWORK:"

# Prints one marker line to stderr for every name lookup or connection the CLI attempts.
AUDITED = f"""
import sys
def hook(event, args):
    if event in ("socket.getaddrinfo", "socket.connect"):
        shown = args[1:3] if event == "socket.connect" else args[:2]
        sys.stderr.write("{NET_MARK} " + event + " " + repr(shown) + "\\n")
sys.addaudithook(hook)
from harness.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-n", "-m", "true"], capture_output=True).returncode == 0


needs_unshare = pytest.mark.skipif(not _can_unshare(), reason="needs `unshare -n -m` (root)")


def shadow(*args: str, cwd: Path, netns: bool = False, hosts: Path | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``shadow ARGS`` as a subprocess (audited; optionally with no network at all)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AWS_CONFIG_FILE": "/nonexistent",
           "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
    command = [sys.executable, "-c", AUDITED, *args]
    if netns:
        prefix = ["unshare", "-n", "-m"]
        if hosts is not None:  # a private /etc/hosts inside the private mount namespace
            command = ["sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', str(hosts), *command]
        command = prefix + command
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def network_calls(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith(NET_MARK)]


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one user-facing stderr line (audit marker lines aside); fails on anything else."""
    lines = [line for line in result.stderr.splitlines() if line and not line.startswith(NET_MARK)]
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("shadow: error: "), lines[0]
    return lines[0]


def snapshot_doc() -> dict:
    """A minimal valid snapshot document (written from the v1 schema)."""
    return {
        "format": "shadow.snapshot/v1",
        "captured_at": "2026-11-20T10:00:00Z",
        "source": {"account": ACCOUNT, "regions": ["us-east-1"], "endpoint_kind": "moto", "endpoint": None},
        "services": ["s3"],
        "limits": {},
        "resources": {
            "s3:bucket/app-logs": {"service": "s3", "type": "bucket", "name": "app-logs",
                                   "region": "us-east-1", "tags": {"env": "prod"}},
        },
        "gaps": [],
    }


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """An empty working folder; each test checks that nothing new appears in it."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def assert_nothing_written(folder: Path, *inputs: str) -> None:
    """Only the input files remain: no output file and no temp file."""
    assert sorted(p.name for p in folder.iterdir()) == sorted(inputs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- shadow sandbox up --snapshot: bad snapshot files ------------------------------------

def _write(folder: Path, name: str, text: str) -> str:
    (folder / name).write_text(text)
    return name


def test_valid_snapshot_document_is_accepted_by_the_loader(work):
    """Guards the cases below: the base document itself is valid, so each edit is the cause."""
    from harness.estate.snapshot import load

    path = work / "ok.json"
    path.write_text(json.dumps(snapshot_doc()))
    assert list(load(path).resources) == ["s3:bucket/app-logs"]


def test_snapshot_malformed_json(work):
    name = _write(work, "broken.json", '{"format": "shadow.snapshot/v1",\n "source": {')
    result = shadow("sandbox", "up", "--snapshot", name, cwd=work)
    assert result.returncode == 2
    line = error_line(result)
    assert "broken.json:2:" in line  # file, line and column of the break
    assert "not valid JSON" in line
    assert_nothing_written(work, name)


def test_snapshot_wrong_format_version(work):
    doc = snapshot_doc()
    doc["format"] = "shadow.snapshot/v9"
    name = _write(work, "future.json", json.dumps(doc))
    result = shadow("sandbox", "up", "--snapshot", name, cwd=work)
    assert result.returncode == 2
    line = error_line(result)
    assert "future.json: format:" in line
    assert "shadow.snapshot/v9" in line and "shadow.snapshot/v1" in line
    assert_nothing_written(work, name)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d.pop("captured_at"), "captured_at"),
        (lambda d: d["source"].pop("account"), "source.account"),
        (lambda d: d["resources"]["s3:bucket/app-logs"].pop("region"), "resources.s3:bucket/app-logs.region"),
        (lambda d: d["source"].__setitem__("regions", "us-east-1"), "source.regions"),
        (lambda d: d["source"].__setitem__("account", 210987654321), "source.account"),
        (lambda d: d["resources"]["s3:bucket/app-logs"]["tags"].__setitem__("env", 1),
         "resources.s3:bucket/app-logs.tags.env"),
    ],
    ids=["missing-captured_at", "missing-account", "missing-resource-region", "regions-not-a-list",
         "account-a-number", "tag-not-a-string"],
)
def test_snapshot_wrong_shape_names_file_and_field(work, edit, field):
    doc = snapshot_doc()
    edit(doc)
    name = _write(work, "shape.json", json.dumps(doc))
    result = shadow("sandbox", "up", "--snapshot", name, cwd=work)
    assert result.returncode == 2
    line = error_line(result)
    assert f"shape.json: {field}:" in line
    assert_nothing_written(work, name)


def test_snapshot_that_is_not_an_object(work, capsys):
    """In-process through harness.cli.main: same contract as the subprocess."""
    name = _write(work, "list.json", "[1, 2]")
    code = main(["sandbox", "up", "--snapshot", str(work / name)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "list.json" in err and "JSON object" in err
    assert_nothing_written(work, name)


# --- shadow capture: bad services and endpoints ------------------------------------------

def test_capture_unknown_service_lists_valid_ones(work, fresh_prod):
    from harness.collectors import REGISTRY

    result = shadow("capture", "--services", "s3,nosuch", "--endpoint-url", fresh_prod.endpoint,
                    "-o", "out.json", cwd=work)
    assert result.returncode == 2
    line = error_line(result)
    assert "--services" in line and "'nosuch'" in line
    for valid in REGISTRY.names():
        assert valid in line
    assert not network_calls(result)  # refused before the endpoint is even checked
    assert_nothing_written(work)


def test_capture_unreachable_endpoint(work):
    url = f"http://127.0.0.1:{free_port()}"
    result = shadow("capture", "--endpoint-url", url, "-o", "out.json", cwd=work)
    assert result.returncode == 2
    line = error_line(result)
    assert "nothing answers" in line and url in line
    assert_nothing_written(work)


def test_capture_unresolvable_endpoint(work):
    result = shadow("capture", "--endpoint-url", "http://emulator.shadow.invalid:4566", "-o", "out.json",
                    cwd=work)
    assert result.returncode == 2
    line = error_line(result)
    assert "--endpoint-url" in line and "cannot resolve emulator.shadow.invalid" in line
    assert not [c for c in network_calls(result) if "socket.connect" in c]
    assert_nothing_written(work)


@needs_unshare
@pytest.mark.parametrize("url", ["https://s3.us-east-1.amazonaws.com", "https://sts.amazonaws.com"])
def test_capture_refuses_real_aws_before_any_network_call(work, url):
    result = shadow("capture", "--endpoint-url", url, "-o", "out.json", cwd=work, netns=True)
    assert result.returncode == 2
    line = error_line(result)
    assert "--endpoint-url" in line and "real AWS endpoint" in line
    assert network_calls(result) == []  # not even a name lookup
    assert_nothing_written(work)


@needs_unshare
def test_capture_refuses_non_loopback_address_without_connecting(work):
    result = shadow("capture", "--endpoint-url", "http://10.255.255.1:4566", "-o", "out.json",
                    cwd=work, netns=True)
    assert result.returncode == 2
    line = error_line(result)
    assert "10.255.255.1" in line and "not this machine" in line
    assert "--allow-remote-endpoint" in line  # the hint names the flag that exists
    assert not [c for c in network_calls(result) if "socket.connect" in c]
    assert_nothing_written(work)


@needs_unshare
def test_capture_refuses_name_resolving_to_non_loopback(work, tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n10.255.255.1 team-emulator.test\n")
    result = shadow("capture", "--endpoint-url", "http://team-emulator.test:4566", "-o", "out.json",
                    cwd=work, netns=True, hosts=hosts)
    assert result.returncode == 2
    line = error_line(result)
    assert "team-emulator.test resolves to 10.255.255.1" in line
    assert not [c for c in network_calls(result) if "socket.connect" in c]
    assert_nothing_written(work)


@needs_unshare
def test_allow_remote_endpoint_lets_a_non_loopback_endpoint_through_the_guard(work):
    """With the flag the guard passes and the capture tries the host (in an empty netns)."""
    result = shadow("capture", "--endpoint-url", "http://10.255.255.1:4566", "--allow-remote-endpoint",
                    "-o", "out.json", cwd=work, netns=True)
    assert result.returncode == 2
    line = error_line(result)
    assert "nothing answers at http://10.255.255.1:4566" in line
    assert [c for c in network_calls(result) if "socket.connect" in c]
    assert_nothing_written(work)
