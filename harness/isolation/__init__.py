"""Isolated execution: run a change against the sandbox with fake credentials, the endpoint
pinned, egress refused and every AWS API call traced. Runners call ``run_isolated``."""

from harness.isolation.models import Call, Egress, Execution
from harness.isolation.run import run_isolated

__all__ = ["Call", "Egress", "Execution", "run_isolated"]
