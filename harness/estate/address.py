"""Resource addresses: ``service:type/name`` (optionally ``@region``), and glob matching.

An address names a resource the same way in production, the snapshot, the sandbox and
the report. EC2 resources use their Name tag where it is unique, else their id.
Resources outside the snapshot's primary region carry an ``@region`` suffix so that two
queues called ``orders`` in two regions never collide.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from harness.errors import BadInput

_ADDRESS = re.compile(r"^(?P<service>[a-z0-9-]+):(?P<type>[a-z0-9-]+)/(?P<name>.+)$")


@dataclass(frozen=True, order=True)
class Address:
    """A parsed resource address."""

    service: str
    type: str
    name: str

    def __str__(self) -> str:
        return f"{self.service}:{self.type}/{self.name}"


def parse_address(text: str, *, where: str | None = None) -> Address:
    """Parse ``service:type/name``; a malformed address is bad input."""
    match = _ADDRESS.match(text or "")
    if not match:
        raise BadInput(
            f"{text!r} is not a resource address",
            where=where,
            hint="Write it as service:type/name, for example s3:bucket/app-logs",
        )
    return Address(match["service"], match["type"], match["name"])


def make_address(service: str, rtype: str, name: str, region: str | None = None,
                 primary_region: str | None = None) -> str:
    """Build the address string; add ``@region`` when outside the primary region."""
    text = f"{service}:{rtype}/{name}"
    if region and primary_region and region != primary_region and region != "global":
        text = f"{text}@{region}"
    return text


def matches(pattern: str, address: str) -> bool:
    """True when ``address`` matches ``pattern``; ``*`` and ``?`` glob the whole address."""
    if pattern == address:
        return True
    if "*" not in pattern and "?" not in pattern and "[" not in pattern:
        return False
    return fnmatch.fnmatchcase(address, pattern)
