"""Intake: simulate a bundle and record it in the gate (CLI ``submit``, HTTP ``POST /bundles``, MCP).

Bundles sent over the network arrive as a map of relative path -> content; they are
written into a private folder with the same path rules as bundles on disk (no
absolute paths, no ``..``, size limits) and then loaded like any other bundle. The
production snapshot is never the agent's: it is one the gate already holds.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from harness.bundles import load_bundle
from harness.bundles.load import BUNDLE_NAMES, MAX_CARRIED_COUNT, MAX_CARRIED_TOTAL
from harness.bundles.model import Bundle
from harness.config import Config
from harness.errors import BadInput, BundleError
from harness.estate.snapshot import Snapshot
from harness.gate.model import Submission, User
from harness.gate.service import Gate


def simulate_and_submit(gate: Gate, actor: User, bundle: Bundle, snapshot: Snapshot, *,
                        config: Config | None = None, now: dt.datetime | None = None, backend: str = "moto",
                        backend_options: dict[str, Any] | None = None, timeout: float | None = None,
                        capture: str = "incremental") -> Submission:
    """Run the simulation and record the bundle, its exact bytes and its report."""
    from harness.report.model import build
    from harness.simulate import simulate

    sim = simulate(bundle, snapshot, config=config, backend=backend, backend_options=backend_options,
                   now=now or dt.datetime.now(dt.UTC), timeout=timeout, capture=capture)
    return gate.submit(actor, bundle, snapshot, build(sim))


def write_files(files: dict[str, str], dest: Path, *, encoding: str = "utf-8") -> Path:
    """Write a path -> content map into ``dest`` safely; return the bundle file."""
    if not isinstance(files, dict) or not files:
        raise BundleError("no files sent", where="files", hint="Send at least bundle.yaml")
    if len(files) > MAX_CARRIED_COUNT:
        raise BundleError(f"more than {MAX_CARRIED_COUNT} files", where="files")
    total = 0
    for rel, content in files.items():
        path = PurePosixPath(rel)
        if not rel or path.is_absolute() or ".." in path.parts or "\\" in rel:
            raise BundleError(f"{rel!r} is not a relative path inside the bundle", where="files",
                              hint="Use paths such as bundle.yaml or scripts/change.py")
        if not isinstance(content, str):
            raise BundleError(f"the content of {rel!r} is not a string", where=f"files.{rel}")
        try:
            data = base64.b64decode(content, validate=True) if encoding == "base64" else content.encode()
        except (binascii.Error, ValueError):
            raise BundleError(f"the content of {rel!r} is not base64", where=f"files.{rel}") from None
        total += len(data)
        if total > MAX_CARRIED_TOTAL:
            raise BundleError(f"the files hold more than {MAX_CARRIED_TOTAL} bytes", where="files")
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    found = [n for n in BUNDLE_NAMES if n in files]
    if len(found) != 1:
        raise BundleError("exactly one of bundle.yaml, bundle.yml or bundle.json must be sent at the top level",
                          where="files")
    return dest / found[0]


def submit_files(gate: Gate, actor: User, files: dict[str, str], snapshot: Snapshot, *, encoding: str = "utf-8",
                 **options: Any) -> Submission:
    """Simulate and record a bundle sent as files (the folder is gone afterwards; the gate keeps the bytes)."""
    with tempfile.TemporaryDirectory(prefix="shadow-intake-") as tmp:
        bundle = load_bundle(write_files(files, Path(tmp) / "bundle", encoding=encoding))
        return simulate_and_submit(gate, actor, bundle, snapshot, **options)


def submit_scenario(gate: Gate, actor: User, root: Path, name: str, **options: Any) -> Submission:
    """Simulate and record the bundle of scenario ``name`` against that scenario's production."""
    from harness.scenarios import discover, prepare

    found = {s.name: s for s in discover(root)}
    if name not in found:
        raise BadInput(f"no scenario {name!r}", where=str(root), hint=f"Scenarios: {', '.join(sorted(found))}")
    bundle, snapshot, config, now = prepare(found[name])
    options = {k: v for k, v in options.items() if k not in ("config", "now")}  # the scenario's own win
    return simulate_and_submit(gate, actor, bundle, snapshot, config=config, now=now, **options)


def scenario_list(root: Path) -> list[dict[str, Any]]:
    """Every scenario under ``root``: name, title, kind and expected verdict."""
    from harness.scenarios import discover

    if not root.is_dir():
        return []
    return [{"name": s.name, "title": s.title, "kind": s.kind, "expected_verdict": s.verdict,
             "incident": s.incident.strip()} for s in discover(root)]
