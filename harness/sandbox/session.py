"""A seeded sandbox: a backend started and seeded from a production snapshot.

The session keeps the id map (production address <-> sandbox ids) and the production
units (how many items/objects/rows production holds for each resource whose data the
sandbox holds only a sample of), so that reports always speak in production terms.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from harness.aws import Target
from harness.collectors.base import Limits
from harness.errors import SandboxFailure
from harness.estate.snapshot import Snapshot
from harness.sandbox import BACKENDS
from harness.sandbox.base import Backend
from harness.seeders.seed import SeedResult, seed


@dataclass
class Sandbox:
    """A running, seeded sandbox."""

    backend: Backend
    snapshot: Snapshot
    seeded: SeedResult | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def open(cls, snapshot: Snapshot, *, backend: str = "moto", seed_data: bool = True,
             limits: Limits | None = None, workers: int = 8, **options: Any) -> Sandbox:
        """Start a backend in the snapshot's account and region, and seed it."""
        kind = BACKENDS.get(backend)
        instance = kind(account=snapshot.source.account, region=snapshot.source.primary_region,
                        **options)
        started = time.perf_counter()
        instance.start()
        box = cls(instance, snapshot)
        box.timings["ready_s"] = time.perf_counter() - started
        try:
            if backend != "moto":
                instance.reset()
            began = time.perf_counter()
            box.seeded = seed(instance.target(), snapshot, limits=limits, workers=workers)
            box.timings["seed_s"] = time.perf_counter() - began
        except BaseException:
            instance.stop()
            raise
        return box

    @property
    def endpoint(self) -> str:
        return self.backend.endpoint

    def target(self) -> Target:
        return self.backend.target()

    def capture(self, services: Iterable[str] | None = None, workers: int = 8) -> Snapshot:
        """Read the sandbox with the same collectors that read production, at production addresses."""
        from harness.collectors.capture import capture

        if not self.backend.health():
            raise SandboxFailure("the sandbox stopped answering", where=self.endpoint)
        snapshot = capture(self.target(), regions=list(self.snapshot.source.regions),
                           services=services or self.snapshot.services or None,
                           limits=Limits(**{k: v for k, v in self.snapshot.limits.items()
                                            if k in Limits.__dataclass_fields__}),
                           workers=workers)
        if self.seeded is not None:
            snapshot.resources = self.seeded.ids.production_view(snapshot.resources)
        return snapshot

    def close(self) -> None:
        self.backend.stop()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
