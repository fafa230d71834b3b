"""Bundles: the contract agents write to (BUNDLE.md): schema, loading, digest, runners."""

from harness.bundles.load import load_bundle
from harness.bundles.model import Bundle, Effect, Intent

__all__ = ["Bundle", "Effect", "Intent", "load_bundle"]
