"""``diff_s``: the synthetic snapshots hold what the figure claims, and the figures keep their names."""

from __future__ import annotations

from harness.bench.diff import DELETED, INSERTED, UPDATED, diff_details, diff_figures, snapshots
from harness.diff.engine import diff


def test_the_two_snapshots_differ_by_the_documented_shares():
    before, after = snapshots(2000)
    b = before.resources["dynamodb:table/orders"].data["hashes"]
    a = after.resources["dynamodb:table/orders"].data["hashes"]
    assert len(b) == 2000 and len(a) == 2000 - int(2000 * DELETED) + int(2000 * INSERTED)
    assert sum(1 for k in b if k in a and a[k] != b[k]) == int(2000 * UPDATED)
    change = diff(before, after).changes["dynamodb:table/orders"]
    assert [f.path for f in change.fields] == ["BillingModeSummary.BillingMode"]
    assert (change.data.inserted, change.data.updated, change.data.deleted) == (10, 20, 10)


def test_figures_have_stable_names():
    figures = diff_figures((1000, 2000), runs=1)
    assert sorted(figures) == ["diff_s.items_1000", "diff_s.items_2000"]
    assert all(v > 0 for v in figures.values())
    details = diff_details((1000, 2000, 4000), runs=2)
    assert [len(v) for v in details["diff_runs"].values()] == [2, 2, 2]
    assert isinstance(details["diff_slope_s_per_million_items"], float)
    assert "diff_target" not in details  # the 10 s target is about a million items
