"""The MCP server through the SDK's own stdio client, as an agent would use it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

from harness.gate import Gate
from harness.gate.store import open_store
from harness.server.mcp_server import TOOLS
from tests.gate.conftest import add_person
from tests.gate.recorded import queue_submission

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def setup(tmp_path):
    store_path = tmp_path / "gate.db"
    store = open_store(str(store_path))
    gate = Gate(store)
    bot = add_person(gate, tmp_path / "k", "agent:deploy-bot", "agent")
    other = add_person(gate, tmp_path / "k", "agent:other-bot", "agent")
    recorded = gate.submit(bot.user, *queue_submission(tmp_path / "b"))
    theirs = gate.submit(other.user, *queue_submission(tmp_path / "o", name="other-dlq", author="agent:other-bot"))
    yield {"store": store_path, "gate": gate, "bot": bot, "recorded": recorded, "theirs": theirs}
    store.close()


def call(setup, scenarios: Path, actions) -> list:
    """Start `shadow mcp` as the agent, run ``actions(session)``, return what it returned."""
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "harness", "mcp", "--store", str(setup["store"]),
                                      "--scenarios", str(scenarios)],
        env={"SHADOW_TOKEN": setup["bot"].token, "PYTHONPATH": str(ROOT),
             "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}, cwd=str(ROOT))

    async def main():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return await actions(session)

    return anyio.run(main)


def payload(result) -> object:
    assert not result.is_error, result.content
    if result.structured_content is not None:
        content = result.structured_content
        return content.get("result", content) if isinstance(content, dict) and set(content) == {"result"} else content
    return json.loads(result.content[0].text)


def test_tools_are_exactly_the_agent_tools(setup, tmp_path):
    async def actions(session):
        return [t.name for t in (await session.list_tools()).tools]

    names = call(setup, tmp_path, actions)
    assert sorted(names) == sorted(TOOLS)
    assert not any(word in n for n in names for word in ("approve", "apply", "waive", "reject"))


def test_agent_reads_its_verdict_and_report_but_not_anothers(setup, tmp_path):
    mine, theirs = setup["recorded"].id, setup["theirs"].id

    async def actions(session):
        verdict = await session.call_tool("get_verdict", {"submission": mine})
        report = await session.call_tool("get_report", {"submission": mine, "format": "json"})
        other = await session.call_tool("get_verdict", {"submission": theirs})
        return verdict, report, other

    verdict, report, other = call(setup, tmp_path, actions)
    v = payload(verdict)
    assert v["outcome"] == "promoted" and v["status"] == "queued" and v["approvals"]["required"] == 1
    assert json.loads(report.content[0].text)["digest"] == setup["recorded"].report_digest
    assert other.is_error and "not submitted by agent:deploy-bot" in other.content[0].text


def test_list_scenarios_lists_the_repository_scenarios(setup):
    async def actions(session):
        return payload(await session.call_tool("list_scenarios", {}))

    listed = call(setup, ROOT / "scenarios", actions)
    names = {s["name"] for s in listed}
    assert {"replit-freeze-wipe", "queue-with-dlq"} <= names
    assert next(s for s in listed if s["name"] == "replit-freeze-wipe")["expected_verdict"] == "rejected"


def test_agent_submits_a_scenario_bundle_and_reads_its_verdict(setup):
    async def actions(session):
        submitted = payload(await session.call_tool("submit_bundle", {"scenario": "queue-with-dlq"}))
        verdict = payload(await session.call_tool("get_verdict", {"submission": submitted["submission"]}))
        return submitted, verdict

    submitted, verdict = call(setup, ROOT / "scenarios", actions)
    assert verdict["outcome"] == "promoted" and verdict["status"] == "queued"
    stored = setup["gate"].get(submitted["submission"])
    assert stored.submitted_by == "agent:deploy-bot" and stored.name == verdict["name"]
    assert setup["gate"].verify_audit().ok
