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
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from harness.aws import Target
from harness.collectors.base import CaptureContext, Collector, Limits
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
    primary = regions[0]

    tasks: list[tuple[Collector, str]] = []
    for collector in collectors:
        if collector.is_global:
            tasks.append((collector, primary))
        else:
            tasks.extend((collector, r) for r in regions)

    resources: dict[str, Resource] = {}
    gaps: list[Gap] = []

    def run(task: tuple[Collector, str]) -> tuple[list[Resource], list[Gap]]:
        collector, region = task
        ctx = CaptureContext(target, region, primary, account, limits, collector.service, workers)
        found = list(collector.collect(ctx))
        return found, ctx.gaps

    pool_size = max(1, min(workers, len(tasks)))
    with _progress(progress, len(tasks)) as advance, ThreadPoolExecutor(max_workers=pool_size) as pool:
        futures = {pool.submit(run, t): t for t in tasks}
        for future in as_completed(futures):
            collector, region = futures[future]
            found, task_gaps = future.result()
            for res in found:
                resources[res.address] = res
            gaps.extend(task_gaps)
            advance(f"{collector.service} {region}: {len(found)} resources")

    link_ids(resources)
    for res in resources.values():
        sort_unordered(res)
    gaps.sort(key=lambda g: (g.service, g.region, g.operation, g.address or ""))
    return Snapshot(
        source=Source(account, regions, target.kind, target.endpoint_url),
        resources=dict(sorted(resources.items())),
        gaps=gaps,
        services=sorted(names),
        limits=limits.to_json(),
    )


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


def link_ids(resources: dict[str, Resource]) -> None:
    """Replace ids and ARNs inside configs and policies by ``@address`` / ``@address#arn``."""
    index: dict[str, str] = {}
    for res in resources.values():
        if res.id and len(res.id) >= 6:
            index.setdefault(res.id, f"@{res.address}")
        if res.arn and res.arn != res.id:
            index.setdefault(res.arn, f"@{res.address}#arn")
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
