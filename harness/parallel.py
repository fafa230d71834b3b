"""Run simulations side by side: N at a time on threads, results in input order.

Each simulation has its own sandbox (a clone of the snapshot's template, a process of
its own), its own isolation (proxy on its own port or unix socket, its own network
namespace, its own temporary folders), so simulations share nothing but the template
they were cloned from, which none of them writes. The threads here mostly wait: on the
clone, on the change's process tree, on HTTP. Verdicts do not depend on ``jobs``
(tested: same verdicts, findings and change sets as one at a time).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# exit codes by severity: bad input first, then inconclusive, rejected, promoted
SEVERITY = {2: 4, 3: 3, 1: 2, 0: 1}


def default_jobs() -> int:
    """Simulations at a time when the user does not say: one per core."""
    return max(1, os.cpu_count() or 1)


def run_parallel(fn: Callable[[T], R], items: Iterable[T], jobs: int) -> Iterator[R]:
    """``fn`` over ``items`` on up to ``jobs`` threads; yields results in input order as they complete."""
    items = list(items)
    if jobs <= 1 or len(items) <= 1:
        yield from (fn(item) for item in items)
        return
    with ThreadPoolExecutor(max_workers=min(jobs, len(items)), thread_name_prefix="shadow-sim") as pool:
        futures = [pool.submit(fn, item) for item in items]
        for future in futures:
            yield future.result()


def worst_exit(codes: Iterable[int]) -> int:
    """The exit code of many verdicts: the worst one (bad input 2 > inconclusive 3 > rejected 1 > promoted 0)."""
    codes = list(codes)
    if not codes:
        return 0
    return max(codes, key=lambda c: SEVERITY.get(c, 5))
