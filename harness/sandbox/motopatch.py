"""Two narrow patches to moto, applied only inside sandbox processes, each for a measured cost.

- ``cache_module_list``: moto's request router calls ``moto.backends.list_of_moto_modules()``
  on every request, which lists moto's package folder and stats each entry; py-spy put it
  at about 10% of in-process seeding and capture. The list depends only on the installed
  files, so it is computed once.
- ``shared_symmetric_material``: moto generates a 2048-bit RSA private key for every KMS
  key, symmetric ones included (about 19% of seeding a 1,000-resource estate, 143 keys).
  A symmetric key never signs, verifies or shows that key (real KMS refuses; moto only
  exposes it through GetPublicKey, which AWS does not allow on symmetric keys). While
  seeding, symmetric keys share one generated key; asymmetric specs (RSA_*, ECC_*) get
  their own as before, and keys the change creates are untouched (the patch is undone
  before the sandbox serves anything).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cache
from typing import Any

ASYMMETRIC_PREFIXES = ("RSA_", "ECC_", "SM2")


def cache_module_list() -> None:
    """Make ``moto.backends.list_of_moto_modules`` compute its answer once."""
    import moto.backends as backends

    if getattr(backends.list_of_moto_modules, "shadow_cached", False):
        return
    listed = tuple(backends.list_of_moto_modules())

    def list_of_moto_modules() -> tuple[str, ...]:
        return listed

    list_of_moto_modules.shadow_cached = True  # type: ignore[attr-defined]
    backends.list_of_moto_modules = list_of_moto_modules  # type: ignore[assignment]


@contextlib.contextmanager
def shared_symmetric_material() -> Iterator[None]:
    """While active, KMS keys of a symmetric spec share one generated private key."""
    import moto.kms.models as kms_models

    original = kms_models.generate_private_key

    @cache
    def shared(spec: str) -> Any:
        return original(spec)

    def generate(spec: str) -> Any:
        if str(spec).startswith(ASYMMETRIC_PREFIXES):
            return original(spec)
        return shared(str(spec))

    kms_models.generate_private_key = generate
    try:
        yield
    finally:
        kms_models.generate_private_key = original
