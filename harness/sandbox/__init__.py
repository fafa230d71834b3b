"""Sandbox backends (one registry) and the seeded sandbox session."""

from harness.registry import Registry
from harness.sandbox.base import Backend
from harness.sandbox.endpoint import EndpointBackend
from harness.sandbox.localstack import LocalStackBackend
from harness.sandbox.moto import MotoBackend

BACKENDS: Registry[type[Backend]] = Registry("backend")
BACKENDS.register("moto", MotoBackend)
BACKENDS.register("endpoint", EndpointBackend)
BACKENDS.register("localstack", LocalStackBackend)

__all__ = ["BACKENDS", "Backend", "EndpointBackend", "LocalStackBackend", "MotoBackend"]
