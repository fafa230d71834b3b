"""CI scenarios: incident replays and benign changes with their expected verdicts."""

from harness.scenarios.model import Scenario, discover, load_scenario
from harness.scenarios.run import ScenarioResult, check, prepare, run_scenario

__all__ = ["Scenario", "ScenarioResult", "check", "discover", "load_scenario", "prepare", "run_scenario"]
