"""Argument helpers shared by several subcommands."""

from __future__ import annotations

import argparse

from harness.aws import Target
from harness.errors import BadInput
from harness.sandbox.guard import check_endpoint


def positive_int(text: str) -> int:
    """An argparse type: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give 1 or more")
    return value


def split_services(text: str | None) -> list[str] | None:
    """``"s3,dynamodb"`` -> ``["s3", "dynamodb"]``; unknown names fail in the registry."""
    if not text:
        return None
    return [s.strip() for s in text.split(",") if s.strip()]


def add_target_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint-url", help="an AWS-compatible emulator URL instead of real AWS")
    parser.add_argument("--profile", help="AWS profile for real AWS (standard credential chain)")
    parser.add_argument("--allow-remote-endpoint", action="store_true",
                        help="allow an --endpoint-url that is not on this machine (never AWS)")


def target_from_args(args: argparse.Namespace, region: str) -> Target:
    """Real AWS (standard chain / --profile) or a checked emulator endpoint."""
    if args.endpoint_url:
        if args.profile:
            raise BadInput("--endpoint-url and --profile exclude each other",
                           hint="Use --profile for real AWS, --endpoint-url for an emulator")
        url = check_endpoint(args.endpoint_url, allow_remote=args.allow_remote_endpoint)
        return Target.sandbox(url, kind="endpoint", region=region)
    return Target(profile=args.profile, region=region, kind="aws")
