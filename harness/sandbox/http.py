"""Tiny HTTP helpers for emulator control endpoints (health, reset)."""

from __future__ import annotations

import urllib.error
import urllib.request


def http_ok(url: str, *, method: str = "GET", timeout: float = 2.0) -> bool:
    """True when ``url`` answers with a 2xx status."""
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def http_get(url: str, *, timeout: float = 5.0) -> bytes:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=timeout) as response:
        return response.read()
