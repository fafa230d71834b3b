"""Sandbox backends (one registry) and the seeded sandbox session."""

from harness.registry import Registry
from harness.sandbox.base import Backend
from harness.sandbox.endpoint import EndpointBackend
from harness.sandbox.moto import MotoBackend

BACKENDS: Registry[type[Backend]] = Registry("backend")
BACKENDS.register("moto", MotoBackend)
BACKENDS.register("endpoint", EndpointBackend)

__all__ = ["BACKENDS", "Backend", "EndpointBackend", "MotoBackend"]
