"""What every seeder shares: the seed context, the id map, the seeder base class.

A seeder recreates one service's resources from a snapshot in a sandbox, through the
AWS API. Names are preserved. Where the emulator assigns its own ids (EC2 ids, ARNs
with random parts), the seeder records ``address -> sandbox id/arn`` in the ``IdMap``;
configurations in snapshots refer to other resources as ``@address`` (id) or
``@address#arn``, which ``SeedContext.ref`` turns into the sandbox's values.
Where an address itself holds an emulator-assigned name (EC2 resources without a
unique Name tag, RDS automated snapshots), the seeder records an alias, and
``IdMap.production_view`` renames the sandbox's capture back to production addresses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from harness.aws import Target
from harness.collectors.base import Limits
from harness.diff.masks import sort_unordered
from harness.estate.canonical import substitute
from harness.estate.snapshot import Resource, Snapshot

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class IdMap:
    """Production address <-> sandbox id and ARN, plus production id -> sandbox id."""

    ids: dict[str, str] = field(default_factory=dict)
    arns: dict[str, str] = field(default_factory=dict)
    prod_to_sandbox: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, tuple[str, str]] = field(default_factory=dict)  # sandbox address -> (address, name)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, resource: Resource, sandbox_id: str | None = None,
               sandbox_arn: str | None = None) -> None:
        with self._lock:
            if sandbox_id:
                self.ids[resource.address] = sandbox_id
                if resource.id:
                    self.prod_to_sandbox[resource.id] = sandbox_id
            if sandbox_arn:
                self.arns[resource.address] = sandbox_arn
                if resource.arn:
                    self.prod_to_sandbox[resource.arn] = sandbox_arn

    def alias(self, resource: Resource, sandbox_address: str) -> None:
        """The sandbox names ``resource`` ``sandbox_address`` (an id or a time it chose)."""
        if sandbox_address != resource.address:
            with self._lock:
                self.aliases[sandbox_address] = (resource.address, resource.name)

    def __getstate__(self) -> dict[str, Any]:
        """Picklable (a template process sends its id map to the controller): no lock."""
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def sandbox_to_prod(self) -> dict[str, str]:
        return {v: k for k, v in self.prod_to_sandbox.items()}

    def production_view(self, resources: dict[str, Resource]) -> dict[str, Resource]:
        """Rename a sandbox capture to production addresses, references included."""
        if not self.aliases:
            return resources
        refs = {f"@{sb}": f"@{prod}" for sb, (prod, _name) in self.aliases.items()}
        refs.update({f"@{sb}#arn": f"@{prod}#arn" for sb, (prod, _name) in self.aliases.items()})
        out: dict[str, Resource] = {}
        for address, res in resources.items():
            if address in self.aliases:
                res.address, res.name = self.aliases[address]
            res.config = substitute(res.config, refs)
            res.policies = substitute(res.policies, refs)
            res.refs = {k: self.aliases.get(v, (v, ""))[0] for k, v in res.refs.items()}
            sort_unordered(res)
            out[res.address] = res
        return dict(sorted(out.items()))

    def to_json(self) -> dict[str, Any]:
        return {"ids": dict(self.ids), "arns": dict(self.arns),
                "prod_to_sandbox": dict(self.prod_to_sandbox),
                "aliases": {sb: prod for sb, (prod, _name) in self.aliases.items()}}


@dataclass
class SeedProblem:
    """A resource the sandbox could not recreate; changes touching it are inconclusive."""

    address: str
    operation: str
    message: str


def snapshot_limits(snapshot: Snapshot) -> Limits:
    """The limits a snapshot was captured with (sandboxes seed and read it with the same)."""
    return Limits(**{k: v for k, v in snapshot.limits.items() if k in Limits.__dataclass_fields__})


class SeedContext:
    """Shared by all seeders of one seeding run."""

    def __init__(self, target: Target, snapshot: Snapshot, limits: Limits | None = None,
                 workers: int = 8):
        self.target = target
        self.snapshot = snapshot
        self.limits = limits or snapshot_limits(snapshot)
        self.workers = workers
        self.ids = IdMap()
        self.problems: list[SeedProblem] = []
        self.units: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str | None = None) -> Any:
        return self.target.client(service, region or self.snapshot.source.primary_region)

    def ref(self, value: Any) -> Any:
        """Resolve ``@address`` / ``@address#arn`` references (recursively) to sandbox values."""
        if isinstance(value, str) and value.startswith("@"):
            address, _, part = value[1:].partition("#")
            table = self.ids.arns if part == "arn" else self.ids.ids
            resolved = table.get(address) or (self.ids.arns.get(address) if part != "arn" else None)
            if resolved:
                return resolved
            res = self.snapshot.resources.get(address)
            if res is not None:
                return (res.arn if part == "arn" else res.id) or value
            return value
        if isinstance(value, dict):
            return {k: self.ref(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.ref(v) for v in value]
        return value

    def problem(self, address: str, operation: str, exc: BaseException | str) -> None:
        message = _message(exc)
        with self._lock:
            self.problems.append(SeedProblem(address, operation, message[:500]))

    def record_units(self, resource: Resource, sandbox_count: int) -> None:
        """Remember production vs sandbox data counts (for reports in production units)."""
        data = resource.data or {}
        with self._lock:
            self.units[resource.address] = {
                "unit": data.get("unit"),
                "production": data.get("count"),
                "sandbox": sandbox_count,
            }

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        items = list(items)
        if len(items) <= 1 or self.workers <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(items))) as pool:
            return list(pool.map(fn, items))

    def attempt(self, resource: Resource, operation: str, fn: Callable[[], R]) -> R | None:
        """Run one seeding step; a failure is recorded as a problem, not raised."""
        try:
            return fn()
        except (ClientError, BotoCoreError) as exc:
            self.problem(resource.address, operation, exc)
            return None


def operation_name(call: Any) -> str:
    """``client.create_cluster`` -> ``CreateCluster``: the AWS name of a boto3 client method."""
    client = getattr(call, "__self__", None)
    mapping = getattr(getattr(client, "meta", None), "method_to_api_mapping", {}) or {}
    return mapping.get(call.__name__, call.__name__)


def _message(exc: BaseException | str) -> str:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code')}: {err.get('Message')}"
    return str(exc)


def tag_list(tags: dict[str, str], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    """``{k: v}`` -> ``[{"Key": k, "Value": v}]`` (the AWS list shape; names vary by service)."""
    return [{key: k, value: v} for k, v in tags.items()]


def attribute_text(value: Any) -> str:
    """An attribute value as the string AWS expects (JSON for documents, text otherwise)."""
    import json

    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def waiting_days(deadline: str | None, captured_at: str | None, low: int = 7, high: int = 30) -> int:
    """Whole days from capture to ``deadline`` (a scheduled deletion), within AWS's window.

    KMS key deletion and Secrets Manager recovery both take 7 to 30 days; a sandbox
    seeded later schedules the same remaining period, rounded up.
    """
    import datetime as dt
    import math

    def when(text: str | None) -> dt.datetime | None:
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
        except ValueError:
            return None

    end, start = when(deadline), when(captured_at)
    if end is None or start is None:
        return high
    return max(low, min(high, math.ceil((end - start).total_seconds() / 86400)))


class Seeder:
    """Base class: recreate one service's resources in a sandbox."""

    service: ClassVar[str]
    after: ClassVar[tuple[str, ...]] = ()  # services that must be seeded first

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        raise NotImplementedError

    def seed_data(self, ctx: SeedContext, resource: Resource) -> None:
        """Seed only the data of a resource something else created (a CloudFormation stack)."""
        ctx.problem(resource.address, "seed", f"the {self.service} seeder cannot seed data into an existing resource")
