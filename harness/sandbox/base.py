"""The sandbox backend interface: something that speaks the AWS API, seeded and read.

Backends: ``moto`` (embedded default, no Docker), ``endpoint`` (any running
AWS-compatible emulator), ``localstack`` (Docker, a plain process, or a running one).
Each must refuse real AWS.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from harness.aws import Target


class Backend(ABC):
    """A sandbox emulator: start, endpoint, health, reset, stop."""

    name: str = "backend"
    kind: str = "endpoint"  # the Target kind: moto | localstack | endpoint

    def __init__(self, *, account: str | None = None, region: str = "us-east-1", **_: Any):
        self.account = account
        self.region = region

    @abstractmethod
    def start(self) -> None:
        """Make the emulator ready (start it, or check a running one)."""

    @property
    @abstractmethod
    def endpoint(self) -> str:
        """The base URL of the running emulator."""

    @abstractmethod
    def health(self) -> bool:
        """True when the emulator answers."""

    @abstractmethod
    def reset(self) -> None:
        """Forget all state (a clean account)."""

    @abstractmethod
    def stop(self) -> None:
        """Stop the emulator if this backend started it."""

    def target(self) -> Target:
        return Target.sandbox(self.endpoint, kind=self.kind, account=self.account, region=self.region)

    def __enter__(self) -> Backend:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
