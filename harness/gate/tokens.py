"""Per-user bearer tokens: random, shown once, stored only as a sha256 hash.

Tokens carry 256 bits of randomness, so a fast hash is enough (there is nothing to
brute-force); the store is looked up by hash, so the token itself never rests on disk.
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "shd_"


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.strip().encode()).hexdigest()
