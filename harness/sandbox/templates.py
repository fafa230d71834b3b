"""The process's templates: one seeded template per snapshot digest and backend options.

``shadow run`` over many bundles, ``shadow scenarios run`` and the gate server all take
their clones from here, so a snapshot is seeded (and captured) once per process. The
cache holds at most ``max_templates`` templates (each holds a seeded estate in memory);
beyond that the least recently used template with no running clone is stopped. A
template that failed or died is dropped, so the next run starts a new one.
"""

from __future__ import annotations

import atexit
import threading
from collections import OrderedDict

from harness.collectors.base import Limits
from harness.errors import SandboxFailure
from harness.estate.snapshot import Snapshot
from harness.sandbox.template import Template, TemplateKey, template_key

MAX_TEMPLATES = 4


class TemplateCache:
    """Templates by ``TemplateKey``, started on first use and reused afterwards."""

    def __init__(self, max_templates: int = MAX_TEMPLATES):
        self.max_templates = max_templates
        self._templates: OrderedDict[TemplateKey, Template] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, snapshot: Snapshot, *, limits: Limits | None = None, managed_policies: bool = True,
            workers: int = 8) -> Template:
        """The ready template for ``snapshot`` (seeded now if this process has none)."""
        key = template_key(snapshot, limits=limits, managed_policies=managed_policies)
        with self._lock:
            template = self._templates.get(key)
            if template is not None and template.finished and not (template.ready and template.alive()):
                self._drop(key)
                template = None
            if template is None:
                template = Template(snapshot, managed_policies=managed_policies, limits=limits, workers=workers)
                template.start()
                self._templates[key] = template
                self._evict()
            self._templates.move_to_end(key)
        try:
            return template.wait()
        except SandboxFailure:
            with self._lock:
                if self._templates.get(key) is template:
                    self._drop(key)
            raise

    def _evict(self) -> None:
        idle = [k for k, t in self._templates.items() if t.active == 0 and t.finished]
        while len(self._templates) > self.max_templates and idle:
            self._drop(idle.pop(0))

    def _drop(self, key: TemplateKey) -> None:
        template = self._templates.pop(key, None)
        if template is not None:
            template.close()

    def templates(self) -> list[Template]:
        """The templates held now (oldest use first)."""
        with self._lock:
            return list(self._templates.values())

    def __len__(self) -> int:
        return len(self._templates)

    def close(self) -> None:
        """Stop every template (and so every clone)."""
        with self._lock:
            for key in list(self._templates):
                self._drop(key)


TEMPLATES = TemplateCache()
atexit.register(TEMPLATES.close)
