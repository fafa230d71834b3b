"""The one error hierarchy of shadow; every error knows its exit code.

::

    ShadowError                    exit 1   base class; never raised bare
    ├── BadInput                   exit 2   the user's input is wrong: say what, where, what to do
    │   ├── SnapshotError                   snapshot file unreadable or invalid
    │   ├── BundleError                     bundle file/folder invalid
    │   ├── ConfigError                     shadow.toml / [tool.shadow] invalid
    │   ├── UnknownName                     a registry was asked for a name it does not hold
    │   ├── UnsafeEndpoint                  a sandbox endpoint that is (or resolves to) real AWS
    │   ├── EndpointUnreachable             nothing answers at the given endpoint
    │   ├── ToolMissing                     an external program (terraform, ...) is not installed
    │   └── UnknownSubmission               the gate holds no submission with that id
    ├── Inconclusive               exit 3   the change could not be simulated faithfully
    │   ├── EmulatorGap                     the emulator does not implement an operation
    │   ├── SandboxFailure                  the sandbox crashed, hung or could not be seeded
    │   └── ChangeTimeout                   the change ran past its timeout (process tree killed)
    ├── GateRefused                exit 1   the human gate refused an action (approval, apply)
    │   └── NotPermitted                    the caller's role may not do this
    │       └── Unauthenticated             no token, or one the gate does not know
    └── ApplyDiverged              exit 4   applied, but production's real effect differs from the simulation

The CLI turns any of these into one line: ``where: what. hint`` and exits with
``exit_code``. Anything else is a bug and is reported as such (exit 1, or 3 inside a
simulation, so that a crash never reads as ``promoted``).
"""

from __future__ import annotations


class ShadowError(Exception):
    """Base class: a message the user can act on, a location, a hint, an exit code."""

    exit_code: int = 1

    def __init__(self, what: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(what)
        self.what = what
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.hint:
            text = f"{text.rstrip('.')}. {self.hint}"
        return text


class BadInput(ShadowError):
    """The input is invalid; nothing was run or written."""

    exit_code = 2


class SnapshotError(BadInput):
    """A snapshot file cannot be read or does not follow shadow.snapshot/v1."""


class BundleError(BadInput):
    """A change bundle cannot be read or does not follow the bundle contract."""


class ConfigError(BadInput):
    """shadow configuration (shadow.toml or [tool.shadow]) is invalid."""


class UnknownName(BadInput):
    """A registry lookup for a name that does not exist."""


class UnsafeEndpoint(BadInput):
    """A sandbox endpoint points at real AWS or a non-loopback host that was not allowed."""


class EndpointUnreachable(BadInput):
    """Nothing answers at an endpoint the user named."""


class ToolMissing(BadInput):
    """An external program shadow needs (terraform, bash, ...) is not installed."""


class Inconclusive(ShadowError):
    """The change could not be simulated faithfully; never promoted."""

    exit_code = 3


class EmulatorGap(Inconclusive):
    """The sandbox emulator does not implement something the change needs."""


class SandboxFailure(Inconclusive):
    """The sandbox crashed, hung, or could not be seeded or read."""


class ChangeTimeout(Inconclusive):
    """The change ran past its timeout; its process tree was killed."""


class UnknownSubmission(BadInput):
    """The gate holds no submission with the id given."""


class GateRefused(ShadowError):
    """The gate refused an action: a rule about approvals, digests or drift."""

    exit_code = 1


class NotPermitted(GateRefused):
    """Authentication failed, or the caller's role may not do this (agents never approve or apply)."""


class Unauthenticated(NotPermitted):
    """No token was given, or the gate does not know it (replaced or never issued)."""


class ApplyDiverged(ShadowError):
    """The change ran in production, but its measured effect differs from the simulated one."""

    exit_code = 4
