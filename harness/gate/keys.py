"""Reviewer keys: ed25519 key pairs, signing and verifying review statements.

The private key stays with the reviewer (a PKCS#8 PEM file, mode 0600); the gate only
ever holds public keys (``ed25519 <base64 of 32 bytes> <name>``, one line). A
signature is base64 of the 64-byte ed25519 signature over the canonical JSON bytes.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from harness.errors import BadInput

PREFIX = "ed25519"


def generate() -> tuple[bytes, str]:
    """A new key pair: (private key PEM bytes, public key base64)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem, public_of(key)


def public_of(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def write_pair(stem: Path, name: str, *, force: bool = False) -> tuple[Path, Path]:
    """Write ``STEM.key`` (0600) and ``STEM.pub``; refuse to overwrite unless ``force``."""
    private, public = stem.with_suffix(".key"), stem.with_suffix(".pub")
    for path in (private, public):
        if path.exists() and not force:
            raise BadInput("already exists", where=str(path), hint="Choose another name or pass --force")
    pem, pub = generate()
    stem.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public.write_text(f"{PREFIX} {pub} {name}\n")
    return private, public


def load_private(path: str | Path) -> Ed25519PrivateKey:
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read the key ({exc.strerror})", where=str(file),
                       hint="Create one with `shadow keygen NAME`") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise BadInput("not an unencrypted PEM private key", where=str(file),
                       hint="Use the .key file written by `shadow keygen`") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadInput("not an ed25519 key", where=str(file), hint="Use the .key file written by `shadow keygen`")
    return key


def parse_public(text: str, *, where: str = "public key") -> str:
    """Accept ``ed25519 BASE64 [comment]`` or bare base64; return the canonical base64."""
    parts = text.strip().split()
    if parts and parts[0] == PREFIX:
        parts = parts[1:]
    try:
        raw = base64.b64decode(parts[0], validate=True) if parts else b""
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise BadInput("not an ed25519 public key", where=where,
                       hint="Give the .pub file written by `shadow keygen` (ed25519 BASE64 NAME)")
    return base64.b64encode(raw).decode()


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data)).decode()


def verify(public_b64: str, data: bytes, signature_b64: str) -> bool:
    """True only for a well-formed signature by that key over exactly ``data``."""
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
        signature = base64.b64decode(signature_b64.strip(), validate=True)
        public.verify(signature, data)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
