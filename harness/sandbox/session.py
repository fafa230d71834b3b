"""A seeded sandbox: a backend started and seeded from a production snapshot.

The session keeps the id map (production address <-> sandbox ids) and the production
units (how many items/objects/rows production holds for each resource whose data the
sandbox holds only a sample of), so that reports always speak in production terms.

For the embedded moto backend a sandbox is a clone of the process's template for the
snapshot (``harness.sandbox.template``: seeded and captured once, forked per bundle), and
its before-state is a private copy of the template's capture. Other backends (LocalStack,
an endpoint) are reset and seeded through the AWS API for every sandbox, as is moto
with ``fork=False``.
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
from harness.sandbox.template import Template
from harness.sandbox.templates import TemplateCache
from harness.seeders.base import snapshot_limits
from harness.seeders.seed import SeedResult, seed


@dataclass
class Sandbox:
    """A running, seeded sandbox."""

    backend: Backend
    snapshot: Snapshot
    seeded: SeedResult | None = None
    timings: dict[str, float] = field(default_factory=dict)
    template: Template | None = None

    @classmethod
    def open(cls, snapshot: Snapshot, *, backend: str = "moto", limits: Limits | None = None, workers: int = 8,
             fork: bool = True, templates: TemplateCache | None = None, **options: Any) -> Sandbox:
        """Start a backend in the snapshot's account and region, and seed it (or clone a seeded template)."""
        if backend == "moto" and fork:
            return cls.clone_of(snapshot, limits=limits, workers=workers, templates=templates, **options)
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

    @classmethod
    def warm(cls, snapshot: Snapshot, *, backend: str = "moto", limits: Limits | None = None, workers: int = 8,
             fork: bool = True, templates: TemplateCache | None = None, managed_policies: bool = True,
             **_options: Any) -> None:
        """Make sure the template ``open`` would clone exists (moto only; others seed per sandbox)."""
        if backend == "moto" and fork:
            _template(snapshot, limits, workers, templates, managed_policies)

    @classmethod
    def clone_of(cls, snapshot: Snapshot, *, limits: Limits | None = None, workers: int = 8,
                 templates: TemplateCache | None = None, managed_policies: bool = True) -> Sandbox:
        """A clone of this process's moto template for ``snapshot`` (seeding it first if needed)."""
        started = time.perf_counter()
        template = _template(snapshot, limits, workers, templates, managed_policies)
        waited = time.perf_counter() - started
        fresh = template.clones_made == 0
        clone = template.clone()
        box = cls(clone, snapshot, seeded=template.seeded(), template=template)
        box.timings["template_s"] = waited  # seeding and capture when this run made the template, else ~0
        if fresh:
            box.timings["seed_s"] = template.timings.get("seed_s", 0.0)
        box.timings["clone_s"] = time.perf_counter() - started - waited
        box.timings["ready_s"] = time.perf_counter() - started
        return box

    def before(self) -> Snapshot:
        """The sandbox's state before the change: the template's capture (a private copy) when
        this sandbox is a clone, else a capture now."""
        if self.template is not None:
            return self.template.before()
        return self.capture()

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
                           limits=snapshot_limits(self.snapshot),
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


def _template(snapshot: Snapshot, limits: Limits | None, workers: int, templates: TemplateCache | None,
              managed_policies: bool) -> Template:
    from harness.sandbox.templates import TEMPLATES

    cache = TEMPLATES if templates is None else templates
    return cache.get(snapshot, limits=limits, managed_policies=managed_policies, workers=workers)
