"""Fixtures for collector tests: one capture of the sample estate's infrastructure."""

from __future__ import annotations

import pytest

from harness.collectors.capture import capture
from harness.estate.snapshot import Snapshot

INFRA = ["ec2", "rds", "ecs", "elbv2"]


@pytest.fixture(scope="session")
def infra_snapshot(prod_estate) -> Snapshot:
    """The sample production estate's EC2, RDS, ECS and ELBv2 resources, captured once (read-only)."""
    backend, _info = prod_estate
    return capture(backend.target(), regions=["us-east-1"], services=INFRA)
