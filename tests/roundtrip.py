"""Round-trip helper: capture production, seed a sandbox, capture it, compare."""

from __future__ import annotations

from typing import Any

from deepdiff import DeepDiff

from harness.aws import Target
from harness.collectors.capture import capture
from harness.diff.masks import comparable
from harness.estate.snapshot import Snapshot
from harness.sandbox.session import Sandbox


def roundtrip(target: Target, services: list[str]) -> tuple[Snapshot, Snapshot, dict[str, Any], Sandbox]:
    """Return (prod snapshot, sandbox snapshot, per-address differences, open sandbox)."""
    prod = capture(target, regions=["us-east-1"], services=services)
    box = Sandbox.open(prod)
    try:
        mirror = box.capture()
    except BaseException:
        box.close()
        raise
    back = box.seeded.ids.sandbox_to_prod() if box.seeded else {}
    diffs: dict[str, Any] = {}
    for address, res in prod.resources.items():
        other = mirror.resources.get(address)
        if other is None:
            diffs[address] = "missing in sandbox"
            continue
        delta = DeepDiff(comparable(res, reseeded=True), comparable(other, reseeded=True, id_map=back))
        if delta:
            diffs[address] = delta.to_dict()
    for address in set(mirror.resources) - set(prod.resources):
        diffs[address] = "only in sandbox"
    return prod, mirror, diffs, box
