"""The infrastructure-as-code scenarios, run as tests (real terraform where they need it)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from harness.scenarios.model import load_scenario
from harness.scenarios.run import run_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
NAMES = ["cfn-queue-timeout", "cfn-replace-table", "tf-lifecycle-rule", "tf-stale-state-destroy"]


@cache
def result_of(name: str):
    return run_scenario(load_scenario(SCENARIOS / name))


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_scenario(name):
    result = result_of(name)
    if result.skipped:
        pytest.skip(result.skipped)
    assert result.passed, result.problems


@pytest.mark.slow
def test_stale_state_report_names_the_database_its_snapshots_and_the_network():
    result = result_of("tf-stale-state-destroy")
    if result.skipped:
        pytest.skip(result.skipped)
    radius = [line["text"] for line in result.report["blast_radius"]]
    assert radius[0].startswith("deletes rds:db/prod-db (1,900,000 rows lost) and both of its snapshots")
    assert any("ec2:vpc/main" in line for line in radius)
    stale = [f for f in result.report["findings"] if f["rule"] == "SHD-STALE-STATE"]
    assert {f["address"] for f in stale} == {"rds:db/prod-db", "s3:bucket/prod-assets-copy"}
    assert result.report["artifacts"]["terraform"]["plan"]["resource_changes"]
