"""The estate model: addresses, canonical JSON and digests, the snapshot document."""

from harness.estate.address import Address, matches, parse_address
from harness.estate.canonical import canonical_bytes, digest_of, jsonable
from harness.estate.snapshot import FORMAT, Gap, Resource, Snapshot, Source, load, save

__all__ = [
    "FORMAT",
    "Address",
    "Gap",
    "Resource",
    "Snapshot",
    "Source",
    "canonical_bytes",
    "digest_of",
    "jsonable",
    "load",
    "matches",
    "parse_address",
    "save",
]
