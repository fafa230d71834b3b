"""The LocalStack backend's choices that need no LocalStack: where a running one is found,
and the one line it says when no Docker engine is reachable."""

from __future__ import annotations

import pytest

from harness.errors import EndpointUnreachable, UnsafeEndpoint
from harness.sandbox.localstack import LocalStackBackend, docker_client


@pytest.mark.parametrize("host, ssl, expected", [
    ("127.0.0.1:4599", None, "http://127.0.0.1:4599"),
    ("127.0.0.1", None, "http://127.0.0.1:4566"),  # LocalStack's default edge port
    ("localhost:4510", "1", "https://localhost:4510"),
])
def test_a_running_localstack_is_found_from_localstack_host(monkeypatch, host, ssl, expected):
    monkeypatch.setenv("LOCALSTACK_HOST", host)
    if ssl:
        monkeypatch.setenv("USE_SSL", ssl)
    else:
        monkeypatch.delenv("USE_SSL", raising=False)
    assert LocalStackBackend(mode="auto").endpoint.rstrip("/") == expected


def test_localstack_host_elsewhere_is_refused_without_connecting(monkeypatch):
    """A LOCALSTACK_HOST off this machine needs --allow-remote-endpoint, like any endpoint
    (192.0.2.0/24 is reserved for documentation; the check only reads the address)."""
    monkeypatch.setenv("LOCALSTACK_HOST", "192.0.2.10:4566")
    with pytest.raises(UnsafeEndpoint, match="not this machine"):
        LocalStackBackend(mode="endpoint")


def test_unresolvable_localstack_host_is_refused(monkeypatch):
    monkeypatch.setenv("LOCALSTACK_HOST", "ls.example.invalid:4566")
    with pytest.raises(EndpointUnreachable, match="cannot resolve"):
        LocalStackBackend(mode="endpoint")


def test_docker_mode_without_an_engine_says_so_in_one_line(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    client, why = docker_client()
    assert client is None
    assert "\n" not in why and "Docker engine" in why
