"""What an isolated run reports: the calls it made, the egress it tried, how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Call:
    """One AWS API request the change made, as seen by shadow's proxy."""

    service: str  # botocore service name, e.g. "s3", "dynamodb", "sqs" ("unknown" if unidentifiable)
    operation: str  # botocore operation name, e.g. "PutObject" ("unknown" if unidentifiable)
    region: str
    status: int  # HTTP status returned by the sandbox (502 when the sandbox did not answer)
    error_code: str | None
    params: dict  # request parameters as far as cheaply parseable
    target: str | None  # best guess of the resource name
    host: str  # host the client addressed
    hardwired: bool  # the client addressed a real AWS hostname instead of the pinned endpoint
    mutating: bool  # see trace.is_mutating for the rule
    emulator_gap: bool  # the sandbox could not do it (5xx, or its own "no such route" page)
    duration_ms: float
    seq: int


@dataclass
class Egress:
    """An attempt to reach anything that is not the sandbox; always refused."""

    destination: str  # host:port (or the name, for DNS)
    how: str  # "proxy-connect" | "proxy-http" | "emulator-control" | "dns"
    detail: str


@dataclass
class Execution:
    """The outcome of one isolated run."""

    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool
    duration_s: float
    calls: list[Call] = field(default_factory=list)
    egress: list[Egress] = field(default_factory=list)
    isolation: str = "proxy"  # "netns" (only way out is the proxy) or "proxy" (no namespace)
    notes: list[str] = field(default_factory=list)

    @property
    def emulator_gaps(self) -> list[Call]:
        return [c for c in self.calls if c.emulator_gap]

    @property
    def hardwired_calls(self) -> list[Call]:
        return [c for c in self.calls if c.hardwired]
