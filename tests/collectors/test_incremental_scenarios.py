"""Every scenario, its sandbox read both ways after the change: the incremental after-capture
gives the change set the full one gives (addresses, actions, field changes, data effects,
grants, calls, unknowns), and equals it resource by resource.

Both captures read the same sandbox after the same execution (``capture="verify"``), so a
difference can only come from the capture, never from two runs of a change differing
(new ids, timestamps).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.collectors.incremental import differences
from harness.diff.engine import diff
from harness.diff.model import ChangeSet
from harness.scenarios import discover
from harness.scenarios.run import missing_tool, simulate_scenario
from harness.simulate import traced

SCENARIOS = discover(Path(__file__).resolve().parents[2] / "scenarios")


def change_view(changes: ChangeSet) -> dict[str, Any]:
    """A change set as compared: everything it says (no timings)."""
    return {
        "changes": {a: {"action": c.action, "replaced_by": c.replaced_by, "calls": c.calls,
                        "fields": [(f.path, f.kind, f.before, f.after) for f in c.fields],
                        "data": c.data.to_json() if c.data else None,
                        "grants_added": [g.to_json() for g in c.grants_added],
                        "grants_removed": [g.to_json() for g in c.grants_removed]}
                    for a, c in sorted(changes.changes.items())},
        "unknown": [u.to_json() for u in changes.unknown],
    }


@pytest.mark.parametrize("scenario", [pytest.param(s, id=s.name, marks=[pytest.mark.slow] if s.slow else [])
                                      for s in SCENARIOS])
def test_incremental_capture_gives_the_full_change_set(scenario):
    tool = missing_tool(scenario)
    if tool is not None:
        pytest.skip(f"{tool} is not installed")
    sim = simulate_scenario(scenario, capture="verify")
    assert sim.after is not None and sim.after_incremental is not None, sim.inconclusive
    assert differences(sim.after, sim.after_incremental) == []
    calls = traced(sim)
    full = change_view(diff(sim.before, sim.after, production=sim.snapshot, calls=calls))
    incremental = change_view(diff(sim.before, sim.after_incremental, production=sim.snapshot, calls=calls))
    assert full["changes"], "the scenario's change changed nothing: the comparison would prove nothing"
    assert incremental == full
