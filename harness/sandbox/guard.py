"""Refuse sandbox endpoints that are (or resolve to) real AWS or leave the machine.

A sandbox must never be production. A URL whose host is an AWS domain is refused
outright; any other host must resolve only to loopback addresses unless the user
explicitly allows a remote emulator (``allow_remote=True``), and even then AWS domains
stay refused.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from harness.errors import BadInput, EndpointUnreachable, UnsafeEndpoint

AWS_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".aws", ".api.aws", ".amazon.com",
                ".aws.dev", ".c2s.ic.gov", ".sc2s.sgov.gov")


def is_aws_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == s.lstrip(".") or host.endswith(s) for s in AWS_SUFFIXES)


def check_endpoint(url: str, *, allow_remote: bool = False, where: str = "--endpoint-url") -> str:
    """Validate a sandbox endpoint URL; return it normalized (no trailing slash)."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"{url!r} is not an http(s) URL", where=where,
                       hint="Give the emulator's URL, for example http://127.0.0.1:4566")
    host = parts.hostname
    if is_aws_host(host):
        raise UnsafeEndpoint(
            f"{host} is a real AWS endpoint; a sandbox must never be production",
            where=where, hint="Point at an emulator (moto, LocalStack) on this machine",
        )
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        raise EndpointUnreachable(f"cannot resolve {host}", where=where,
                                  hint="Check the host name of the emulator") from None
    addresses = {info[4][0] for info in infos}
    remote = [a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_loopback]
    if remote and not allow_remote:
        raise UnsafeEndpoint(
            f"{host} resolves to {', '.join(sorted(remote))}, which is not this machine",
            where=where,
            hint="Sandboxes run on loopback; pass --allow-remote-endpoint for a team emulator you trust",
        )
    return url.rstrip("/")
