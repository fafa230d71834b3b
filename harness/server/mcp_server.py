"""The MCP server agents talk to (official ``mcp`` SDK, stdio).

Four tools, all on behalf of the one user whose token started the server:
``submit_bundle`` (simulate and queue), ``get_verdict``, ``get_report`` and
``list_scenarios``. There is deliberately no tool that approves, rejects, waives or
applies: those need a person's key and the gate refuses agents anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio

from harness.errors import BadInput, ShadowError
from harness.gate import Gate, intake
from harness.gate.model import Submission, User
from harness.server.settings import Settings

TOOLS = ("submit_bundle", "get_verdict", "get_report", "list_scenarios")


def verdict_of(gate: Gate, sub: Submission) -> dict[str, Any]:
    verdict = sub.report.get("verdict", {})
    return {"submission": sub.id, "name": sub.name, "outcome": sub.outcome, "status": sub.status,
            "status_note": sub.status_note, "headline": sub.report.get("headline", ""),
            "reasons": verdict.get("reasons", []), "approvals_required": sub.approvals_required,
            "destructive": sub.destructive, "elevated": sub.elevated,
            "findings": [{"rule": f["rule"], "severity": f["severity"], "address": f.get("address"),
                          "message": f["message"]} for f in sub.findings],
            "approvals": gate.assess(sub.id).to_json()}


@contextmanager
def said_to_agent() -> Iterator[None]:
    """A ShadowError reaches the agent as the tool's error text (what, where, what to do)."""
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        yield
    except ShadowError as err:
        raise ToolError(str(err)) from None


def build_server(gate: Gate, user: User, *, snapshot: str | None = None, scenarios: Path = Path("scenarios"),
                 simulation: dict[str, Any] | None = None) -> Any:
    """An ``MCPServer`` whose tools act as ``user``."""
    from mcp.server.mcpserver import MCPServer

    from harness import __version__

    settings = Settings(gate=gate, snapshot=snapshot, scenarios=scenarios,
                        simulation=dict(simulation or {}))
    server = MCPServer("shadow", version=__version__, instructions=(
        "shadow simulates infrastructure change bundles against a clone of production before a human reviews "
        "them. Submit a bundle (files, or a scenario name), then read its verdict and report. You cannot approve "
        "or apply: people do that, with their own keys."))

    @server.tool(description="Simulate a change bundle and queue it for human review. Give either `files` "
                             "(relative path -> content, with bundle.yaml) or the name of a `scenario`.")
    async def submit_bundle(files: dict[str, str] | None = None, scenario: str | None = None,
                            snapshot: str | None = None) -> dict[str, Any]:
        def work() -> Submission:
            if scenario:
                return intake.submit_scenario(gate, user, settings.scenarios, scenario, **settings.simulation)
            if files:
                return intake.submit_files(gate, user, files, settings.snapshot_for(snapshot), **settings.simulation)
            raise BadInput("give files (with bundle.yaml) or a scenario name", where="submit_bundle")

        with said_to_agent():
            sub = await anyio.to_thread.run_sync(work)
            return verdict_of(gate, sub)

    @server.tool(description="The verdict of a submission: outcome, reasons, findings, approvals still needed.")
    def get_verdict(submission: int) -> dict[str, Any]:
        with said_to_agent():
            return verdict_of(gate, gate.get_for(user, submission))

    @server.tool(description="The full report of a submission as text (default), markdown or json.")
    def get_report(submission: int, format: str = "text") -> str:
        from harness.report import RENDERERS

        with said_to_agent():
            return RENDERERS.get(format)(gate.get_for(user, submission).report)

    @server.tool(description="The scenarios this server can submit by name (incident replays and benign changes).")
    def list_scenarios() -> list[dict[str, Any]]:
        with said_to_agent():
            return intake.scenario_list(settings.scenarios)

    return server
