"""Helpers for isolation tests: write a change script and run it isolated."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from harness.isolation import Execution, run_isolated


def run_python(folder: Path, code: str, endpoint: str, *, timeout: float = 60, **options) -> Execution:
    """Write ``code`` to ``folder/change.py`` and run it with this Python, isolated."""
    (folder / "change.py").write_text(textwrap.dedent(code))
    return run_isolated([sys.executable, "change.py"], sandbox_endpoint=endpoint, cwd=folder, timeout=timeout,
                        **options)


def ops(execution: Execution) -> list[tuple[str, str]]:
    return [(call.service, call.operation) for call in execution.calls]
