"""Production estates for scenarios: a named recipe built on a private moto server and
captured once per process, then patched with production facts per scenario."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from harness.aws import Target
from harness.errors import BadInput
from harness.estate.snapshot import Snapshot
from harness.registry import Registry

Recipe = Callable[[Target], Any]


def _demo(target: Target) -> Any:
    from harness.demo.estate import build_estate

    return build_estate(target)


def _orders_stack(target: Target) -> Any:
    from harness.iac.estates import build_orders_stack

    return build_orders_stack(target)


def _log_bucket(target: Target) -> Any:
    from harness.iac.estates import build_log_bucket

    return build_log_bucket(target)


RECIPES: Registry[Recipe] = Registry("estate recipe")
RECIPES.register("demo", _demo)
RECIPES.register("orders-stack", _orders_stack)
RECIPES.register("log-bucket", _log_bucket)

_cache: dict[str, Snapshot] = {}
_lock = threading.Lock()


def production_snapshot(name: str) -> Snapshot:
    """Build recipe ``name`` on a fresh moto "production" and capture it (cached)."""
    with _lock:
        if name not in _cache:
            from harness.collectors.capture import capture
            from harness.demo.estate import PROD_ACCOUNT
            from harness.sandbox.moto import MotoBackend

            recipe = RECIPES.get(name)
            with MotoBackend(account=PROD_ACCOUNT) as prod:
                recipe(prod.target())
                _cache[name] = capture(prod.target(), regions=["us-east-1"])
        return copy.deepcopy(_cache[name])


def prime(name: str, snapshot: Snapshot) -> None:
    """Use an already captured snapshot for recipe ``name`` (the demo captured it itself)."""
    with _lock:
        _cache[name] = copy.deepcopy(snapshot)


def patch(snapshot: Snapshot, facts: dict[str, dict[str, Any]], where: str) -> Snapshot:
    """Apply production facts (data counts the emulator cannot hold) to a snapshot copy."""
    for address, values in facts.items():
        res = snapshot.resources.get(address)
        if res is None:
            raise BadInput(f"production fact for {address}, which the estate does not contain", where=where)
        data = dict(res.data or {})
        data.update(values)
        res.data = data
    return snapshot
