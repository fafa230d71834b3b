"""``shadow capture``: read production (read-only) into a snapshot file."""

from __future__ import annotations

import argparse
import sys

from harness.collectors.base import Limits
from harness.collectors.capture import capture
from harness.commands.common import add_target_args, split_services, target_from_args
from harness.errors import UnknownName
from harness.estate.snapshot import save


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="capture production metadata into a snapshot (read-only)",
                       description="Read an AWS account (or an emulator) through boto3, read-only, "
                                   "into a shadow.snapshot/v1 JSON file. Secrets are never captured.")
    add_target_args(p)
    p.add_argument("--region", action="append", dest="regions", metavar="R",
                   help="region to capture (repeatable; the first is primary; default us-east-1)")
    p.add_argument("--services", help="comma-separated services (default: all): "
                                      "s3,dynamodb,sqs,sns,iam,ec2,rds,lambda,kms,secretsmanager,...")
    p.add_argument("--max-objects", type=int, default=Limits.objects,
                   help="S3 object metadata entries kept per bucket (default %(default)s)")
    p.add_argument("--sample-items", type=int, default=Limits.items_sample,
                   help="DynamoDB items kept whole per table (default %(default)s)")
    p.add_argument("--hash-items", type=int, default=Limits.items_hashed,
                   help="DynamoDB items hashed per table (default %(default)s)")
    p.add_argument("--workers", type=int, default=8, help="parallel readers (default %(default)s)")
    p.add_argument("-o", "--output", required=True, help="snapshot file to write")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    regions = args.regions or ["us-east-1"]
    services = split_services(args.services)
    check_services(services)
    target = target_from_args(args, regions[0])
    limits = Limits(objects=args.max_objects, items_sample=args.sample_items, items_hashed=args.hash_items)
    snapshot = capture(target, regions=regions, services=services, limits=limits,
                       workers=args.workers, progress=True)
    save(snapshot, args.output)
    print(f"captured {len(snapshot.resources)} resources from account {snapshot.source.account} "
          f"({', '.join(snapshot.source.regions)}) -> {args.output}")
    print(f"digest {snapshot.digest}")
    if snapshot.gaps:
        print(f"{len(snapshot.gaps)} gaps (unknown, not absent):", file=sys.stderr)
        for gap in snapshot.gaps[:20]:
            print(f"  {gap.service} {gap.region} {gap.operation}: {gap.reason} {gap.address or ''}",
                  file=sys.stderr)
    return 0


def check_services(names: list[str] | None) -> None:
    """Unknown service names fail before any network call, naming the option."""
    from harness.collectors import REGISTRY

    try:
        for name in names or []:
            REGISTRY.get(name)
    except UnknownName as err:
        err.where = "--services"
        raise
