"""``shadow bench``: a smoke run of the real command, and the arithmetic behind its verdicts."""

from __future__ import annotations

import json

import pytest

from harness.bench.estate import BUILDERS, bench_services, spread
from harness.bench.stats import linear_fit
from harness.cli import main

QUICK_SIZES = (3, 9)  # BenchPlan.quick()
QUICK_ITEMS = (50,)
QUICK_COMBINED = ("resources_9_items_50",)


@pytest.mark.slow
def test_quick_bench_writes_the_stable_figures(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    estates = [f"resources_{n}" for n in QUICK_SIZES] + [f"items_{m}" for m in QUICK_ITEMS] + list(QUICK_COMBINED)
    assert doc["ready_s"]["cold"] > 0 and doc["ready_s"]["warm"] > 0
    assert doc["ready_s"]["cold_includes_moto_import"] is True
    for figure in ("capture_s", "seed_s", "clone_s", "verdict_cold_s", "verdict_warm_s"):
        assert sorted(doc[figure]) == sorted(estates)
        assert all(doc[figure][k] > 0 for k in estates)
    # seeding over HTTP is a comparison for the cheap estates, not for the combined one
    assert all(doc["seed_http_s"][k] > 0 for k in estates if k not in QUICK_COMBINED)
    assert doc["throughput"]["bundles"] == 4 and doc["throughput_bundles_per_min"] > 0
    assert isinstance(doc["capture_slope_ms_per_resource"], float)
    assert doc["capture_linear"] is None  # quick sizes are too small to judge
    for n in QUICK_SIZES:  # the scaled estate holds what was asked, and it all seeds
        est = doc["estates"][f"resources_{n}"]
        assert est["resources"] == n
        assert est["capture_gaps"] == 0 and est["seed_problems"] == 0 and est["shortfalls"] == []
    assert doc["estates"]["items_50"]["items"] == 50
    assert set(doc["targets"]) == {"ready_cold_under_1s", "seed_1000_resources_under_10s",
                                   "capture_linear_in_resources", "clone_under_0.2s", "clone_flat_within_2x",
                                   "verdict_warm_1000_resources_100k_items_under_2s",
                                   "throughput_100_bundles_under_2min", "e2e_demo_under_3s"}
    # the quick plan's overhead bundles (1 and 5 calls) are judged and promoted, and timed against the bare calls
    assert sorted(doc["overhead_ratio"]) == ["calls_1", "calls_5"]
    for row in doc["overhead"].values():
        assert set(row["outcomes"]) == {"promoted"} and row["bare_s"] > 0 and row["ratio"] > 0
    assert doc["e2e_demo_outcomes"] == ["promoted"] and doc["e2e_demo_s"] > doc["e2e_demo_bare_s"] > 0
    assert sorted(doc["diff_s"]) == ["items_1000", "items_2000"]
    assert doc["terraform"] == {"skipped": "not in this plan"}
    assert doc["targets"]["throughput_100_bundles_under_2min"]["met"] is None  # 4 bundles are not 100
    assert doc["targets"]["seed_1000_resources_under_10s"]["met"] is None  # size not measured
    assert "capture" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["bench.json"]  # no temp file left


def test_bench_rejects_bad_sizes(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", "--sizes", "100,lots"])
    assert exit_info.value.code == 2
    assert "'100,lots' is not a comma-separated list" in capsys.readouterr().err


def test_linear_fit_of_a_line():
    fit = linear_fit([100, 1000, 5000], [0.5 + 0.03 * x for x in (100, 1000, 5000)])
    assert fit.slope == pytest.approx(0.03)
    assert fit.intercept == pytest.approx(0.5)
    assert fit.r2 == pytest.approx(1.0)
    assert fit.linear is True


def test_quadratic_cost_is_not_linear():
    assert linear_fit([100, 1000, 5000], [1e-6 * x * x for x in (100, 1000, 5000)]).linear is False


def test_two_sizes_cannot_be_judged():
    assert linear_fit([10, 20], [1.0, 2.0]).linear is None


def test_spread_is_round_robin_and_exact():
    assert spread(10, ["s3", "dynamodb", "sqs"]) == {"s3": 4, "dynamodb": 3, "sqs": 3}
    assert spread(0, ["s3"]) == {"s3": 0}


def test_bench_uses_only_registered_services_with_builders():
    from harness.collectors import REGISTRY

    services = bench_services()
    assert {"s3", "dynamodb", "sqs"} <= set(services)
    assert all(s in REGISTRY and s in BUILDERS for s in services)


def test_an_estate_captured_short_is_reported_not_passed_as_measured():
    from harness.bench.measure import EstateRun

    run = EstateRun("resources_5000", resources_requested=5000, items=0, resources=4334)
    assert run.shortfalls() == ["captured 4334 of 5000 resources"]
    assert EstateRun("items_50", 0, 50, item_count=50).shortfalls() == []
