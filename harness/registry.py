"""A plain named registry: filled explicitly, fails loudly on an unknown name.

Extension points (collectors, seeders, backends, runners, policies, renderers) are
``Registry`` instances filled by an explicit ``register`` call in their package's
``__init__``, never as an import side effect of the plug-in module itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from harness.errors import UnknownName

T = TypeVar("T")


class Registry(Generic[T]):
    """Name -> item, with a ``get`` that lists the valid names when it fails."""

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T) -> T:
        if name in self._items:
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self._items[name] = item
        return item

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            valid = ", ".join(sorted(self._items)) or "(none)"
            raise UnknownName(
                f"unknown {self.kind} {name!r}", hint=f"Valid {self.kind} names: {valid}"
            ) from None

    def names(self) -> list[str]:
        return list(self._items)

    def items(self) -> Iterator[tuple[str, T]]:
        return iter(self._items.items())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __len__(self) -> int:
        return len(self._items)
