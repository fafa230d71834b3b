"""What the server was started with: the gate, its production snapshot, scenarios, simulation options."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import BadInput
from harness.estate.snapshot import Snapshot
from harness.gate import Gate

if TYPE_CHECKING:
    from harness.server.auth import Auth


@dataclass
class Settings:
    gate: Gate
    auth: Auth | None = None  # None for the MCP server, which acts as one fixed user
    snapshot: str | None = None  # digest of the default production snapshot (stored in the gate)
    scenarios: Path = Path("scenarios")
    simulation: dict[str, Any] = field(default_factory=dict)  # config, backend, timeout for simulate()

    def snapshot_for(self, digest: str | None) -> Snapshot:
        """A production snapshot the gate holds: ``digest``, else the server's default."""
        wanted = digest or self.snapshot
        if not wanted:
            raise BadInput("the server has no production snapshot", where="snapshot",
                           hint="Start it with `shadow serve --snapshot FILE`, or name a stored snapshot's digest")
        doc = self.gate.snapshot_doc(wanted)
        if doc is None:
            raise BadInput(f"the gate holds no snapshot {wanted}", where="snapshot",
                           hint="Use the digest of a snapshot the server was started with")
        return Snapshot.from_json(doc, where=f"stored snapshot {wanted[:23]}…")
