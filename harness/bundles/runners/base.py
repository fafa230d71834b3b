"""The runner interface: one class per change kind (aws-calls, script, terraform, ...).

A runner carries the JSON Schema of its ``change`` section, names the files the
change carries, may validate more deeply at load time (bad input, exit 2), and runs
the change against a sandbox through ``harness.isolation.run_isolated`` from a
private working copy that holds exactly the bundle's carried bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from harness.bundles.model import Bundle
    from harness.isolation import Execution


@dataclass
class RunContext:
    bundle: Bundle
    workdir: Path  # private copy of the carried files; the change runs here
    endpoint: str  # the sandbox endpoint (the isolation layer puts its proxy in front)
    region: str
    account: str
    timeout: float
    scratch: Path | None = None  # a private folder outside the working copy (plans, state)
    # How commands run: ``harness.isolation.run_isolated`` for simulations (the default);
    # the gate's apply passes an executor that targets production instead.
    executor: Callable[..., Execution] | None = None
    apply: bool = False  # True when the change runs against production (gate apply)
    # Production id/ARN -> the sandbox's id/ARN of the same resource (from seeding), for
    # runners that carry production ids (a Terraform state); empty against production.
    ids: dict[str, str] = field(default_factory=dict)

    def execute(self, argv: list[str], *, env: dict[str, str] | None = None) -> Execution:
        """Run ``argv`` in the working copy against this context's endpoint."""
        if self.executor is None:
            from harness.isolation import run_isolated

            self.executor = run_isolated
        return self.executor(argv, sandbox_endpoint=self.endpoint, cwd=self.workdir, timeout=self.timeout,
                             region=self.region, env=env or {})


@dataclass
class RunOutcome:
    execution: Execution
    failed: str | None = None  # one line: which call or command failed and why
    emulator_gap: str | None = None  # the emulator could not do something: inconclusive
    artifacts: dict[str, Any] = field(default_factory=dict)  # plan JSON, stack events, ...


class Runner:
    kind: ClassVar[str]
    schema: ClassVar[dict[str, Any]]

    def carried(self, change: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
        """(field path inside ``change``, relative path) of every carried file or folder."""
        return []

    def validate(self, bundle: Bundle) -> None:
        """Deeper checks at load time; raise BundleError (exit 2)."""

    def run(self, ctx: RunContext) -> RunOutcome:
        raise NotImplementedError
