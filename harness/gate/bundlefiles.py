"""Keep the exact bytes that were simulated, and give them back for apply.

The gate stores the bundle document and every carried file (base64); apply writes
them into a fresh folder, loads that bundle again and refuses unless it digests to
the simulated bundle digest. So what runs in production is what ran in the sandbox.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from harness.bundles import load_bundle
from harness.bundles.model import Bundle
from harness.errors import BadInput, BundleError, GateRefused
from harness.gate.model import Submission


def pack(bundle: Bundle) -> tuple[dict[str, str], str]:
    """(relative path -> base64 bytes, the bundle file's name), checked against the manifest."""
    doc = bundle.path.read_bytes()
    if hashlib.sha256(doc).hexdigest() != bundle.manifest["bundle"]["sha256"]:
        raise BadInput("the bundle file changed after it was loaded", where=str(bundle.path),
                       hint="Do not edit a bundle while it is being submitted; submit it again")
    files = {bundle.path.name: base64.b64encode(doc).decode()}
    sums = {e["path"]: e["sha256"] for e in bundle.manifest["files"]}
    for rel, source in sorted(bundle.files.items()):
        data = source.read_bytes()
        if hashlib.sha256(data).hexdigest() != sums.get(rel):
            raise BadInput(f"{rel} changed after the bundle was loaded", where=str(bundle.root),
                           hint="Do not edit a bundle while it is being submitted; submit it again")
        files[rel] = base64.b64encode(data).decode()
    return files, bundle.path.name


def materialize(sub: Submission, dest: Path) -> Bundle:
    """Write the stored bytes under ``dest`` and load them; refuse unless the digest matches."""
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    for rel, b64 in sub.files.items():
        target = (dest / rel).resolve()
        if root not in target.parents:
            raise GateRefused(f"stored file {rel!r} would leave the bundle folder", where=f"submission {sub.id}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(b64))
    try:
        bundle = load_bundle(dest / sub.bundle_file)
    except BundleError as exc:
        raise GateRefused(f"the stored bundle no longer loads ({exc})", where=f"submission {sub.id}") from None
    if bundle.digest != sub.bundle_digest:
        raise GateRefused(f"the stored bundle digests to {bundle.digest[:23]}…, not the simulated "
                          f"{sub.bundle_digest[:23]}…: the stored bytes were changed", where=f"submission {sub.id}",
                          hint="Submit the bundle again and have it re-simulated")
    return bundle
