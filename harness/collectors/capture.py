"""Capture an estate: run collectors over services and regions on a bounded pool.

The same function reads production (real AWS, read-only) and sandboxes (an emulator
endpoint); only the ``Target`` differs. After collection, generated ids and ARNs
found inside configurations are replaced by ``@address`` references (``link_ids``),
so that a subnet's ``VpcId`` reads ``@ec2:vpc/main`` both in production and in the
sandbox, where the emulator gave the VPC another id.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from harness.aws import Target
from harness.collectors.base import CaptureContext, Collector, Limits, Partial
from harness.diff.masks import sort_unordered
from harness.errors import BadInput, EndpointUnreachable
from harness.estate.canonical import substitute
from harness.estate.snapshot import Gap, Resource, Snapshot, Source


def capture(
    target: Target,
    *,
    regions: list[str],
    services: Iterable[str] | None = None,
    limits: Limits | None = None,
    workers: int = 8,
    progress: bool = False,
) -> Snapshot:
    """Read every requested service in every region into a Snapshot."""
    from harness.collectors import REGISTRY

    names = list(services) if services else REGISTRY.names()
    collectors = [REGISTRY.get(n) for n in names]  # unknown names fail here, before any call
    limits = limits or Limits()
    regions = list(dict.fromkeys(regions)) or [target.region]
    account = _account(target)
    read = collect(target, collectors, regions=regions, account=account, limits=limits, workers=workers,
                   progress=progress)
    resources, gaps = read.resources, read.gaps
    link_ids(resources)
    for res in resources.values():
        sort_unordered(res)
    return Snapshot(
        source=Source(account, regions, target.kind, target.endpoint_url),
        resources=dict(sorted(resources.items())),
        gaps=sort_gaps(gaps),
        services=sorted(names),
        limits=limits.to_json(),
    )


@dataclass
class Collected:
    """What a set of collector tasks read: resources as collected (ids not yet linked), gaps,
    and the addresses an incremental capture carried over unread, per (service, region)."""

    resources: dict[str, Resource] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)
    kept: dict[tuple[str, str], set[str]] = field(default_factory=dict)


def tasks_for(collectors: Iterable[Collector], regions: list[str]) -> list[tuple[Collector, str]]:
    """(collector, region) tasks: a global service once, in the primary region; others per region."""
    tasks: list[tuple[Collector, str]] = []
    for collector in collectors:
        if collector.is_global:
            tasks.append((collector, regions[0]))
        else:
            tasks.extend((collector, r) for r in regions)
    return tasks


def collect(target: Target, collectors: Iterable[Collector], *, regions: list[str], account: str, limits: Limits,
            workers: int = 8, progress: bool = False,
            partials: dict[tuple[str, str], Partial] | None = None) -> Collected:
    """Run the collectors over the regions on a bounded pool.

    ``partials`` makes a (service, region) task incremental (see ``CaptureContext.carry``).
    """
    tasks = tasks_for(collectors, regions)
    out = Collected()

    def run(task: tuple[Collector, str]) -> tuple[list[Resource], CaptureContext]:
        collector, region = task
        partial = (partials or {}).get((collector.service, region))
        ctx = CaptureContext(target, region, regions[0], account, limits, collector.service, workers, partial)
        return list(collector.collect(ctx)), ctx

    pool_size = max(1, min(workers, len(tasks)))
    with _progress(progress, len(tasks)) as advance, ThreadPoolExecutor(max_workers=pool_size) as pool:
        futures = {pool.submit(run, t): t for t in tasks}
        for future in as_completed(futures):
            collector, region = futures[future]
            found, ctx = future.result()
            for res in found:
                out.resources[res.address] = res
            out.gaps.extend(ctx.gaps)
            out.kept[(collector.service, region)] = ctx.kept
            advance(f"{collector.service} {region}: {len(found)} resources")
    return out


def sort_gaps(gaps: Iterable[Gap]) -> list[Gap]:
    return sorted(gaps, key=lambda g: (g.service, g.region, g.operation, g.address or ""))


def _account(target: Target) -> str:
    try:
        return target.account_id()
    except EndpointConnectionError:
        raise EndpointUnreachable(
            f"nothing answers at {target.endpoint_url}",
            hint="Check the URL and that the server is running",
        ) from None
    except NoCredentialsError:
        raise BadInput(
            "no AWS credentials found",
            hint="Pass --profile, set AWS credentials, or use --endpoint-url for an emulator",
        ) from None
    except ClientError as exc:
        raise BadInput(
            f"cannot identify the account ({exc.response.get('Error', {}).get('Code')})",
            where=target.endpoint_url or "AWS STS",
            hint="Check the credentials; capture needs sts:GetCallerIdentity",
        ) from None


def link_index(resources: Iterable[Resource]) -> dict[str, str]:
    """id -> ``@address`` and ARN -> ``@address#arn`` for the given resources."""
    index: dict[str, str] = {}
    for res in resources:
        if res.id and len(res.id) >= 6:
            index.setdefault(res.id, f"@{res.address}")
        if res.arn and res.arn != res.id:
            index.setdefault(res.arn, f"@{res.address}#arn")
    return index


def link_ids(resources: dict[str, Resource], extra: dict[str, str] | None = None) -> None:
    """Replace ids and ARNs inside configs and policies by ``@address`` / ``@address#arn``.

    ``extra`` adds ids of resources that no longer exist (a capture taken after a
    deletion), so a dangling reference still reads as the address it pointed to.
    """
    index = {**(extra or {}), **link_index(resources.values())}
    if not index:
        return
    for res in resources.values():
        res.config = substitute(res.config, index)
        res.policies = substitute(res.policies, index)


class _progress:
    """A rich progress bar on a terminal; silent elsewhere (CI logs stay clean)."""

    def __init__(self, enabled: bool, total: int):
        self.enabled = enabled and sys.stderr.isatty()
        self.total = total
        self._bar: Any = None

    def __enter__(self):
        if not self.enabled:
            return lambda _msg: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            TextColumn("capture"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}"), console=Console(stderr=True), transient=True,
        )
        self._bar.start()
        task = self._bar.add_task("", total=self.total)

        def advance(msg: str) -> None:
            self._bar.update(task, advance=1, description=msg)

        return advance

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
