"""Recorded report documents for gate tests that need no sandbox.

A ``Simulation`` is assembled from a loaded bundle, a snapshot and a hand-made change
set, and judged by the real intent matcher, policies and verdict, so the report
document is exactly what ``shadow run`` would write for that measured effect.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from harness.bundles import load_bundle
from harness.bundles.model import Bundle
from harness.config import Config
from harness.diff.model import ChangeSet
from harness.estate.snapshot import Snapshot
from harness.intent.match import match
from harness.policies import ExecutionFacts, PolicyContext, apply_config, evaluate
from harness.policies.recoverability import tiers
from harness.report.model import build
from harness.simulate import Simulation
from harness.verdict import decide
from tests.factories import change, changeset, res, snapshot

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)

ONE_CALL = """\
apiVersion: shadow/v1
kind: ChangeBundle
metadata: {{name: {name}, author: "{author}"}}
intent:
  summary: {verb} the {queue} queue.
  effects:
    - {{action: {action}, resource: "sqs:queue/{queue}"}}
change:
  kind: aws-calls
  calls:
    - {{service: sqs, operation: {operation}, params: {{{param}: {value}}}}}
"""
QUEUE_BUNDLE = ONE_CALL.replace("{verb}", "Create").replace("{action}", "create").replace(
    "{operation}", "CreateQueue").replace("{param}", "QueueName").replace("{value}", "{queue}")
DELETE_BUNDLE = ONE_CALL.replace("{verb}", "Delete").replace("{action}", "delete").replace(
    "{operation}", "DeleteQueue").replace("{param}", "QueueUrl").replace(
    "{value}", '"http://sqs.us-east-1.localhost/210987654321/{queue}"')


def write_bundle(folder: Path, text: str, **fields: str) -> Bundle:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bundle.yaml").write_text(text.format(**fields))
    return load_bundle(folder)


def production() -> Snapshot:
    return snapshot(res("sqs:queue/orders", config={"Attributes": {"VisibilityTimeout": "60"}}),
                    res("sqs:queue/legacy", config={"Attributes": {"VisibilityTimeout": "30"}}))


def report_for(bundle: Bundle, snap: Snapshot, changes: ChangeSet, *, now: dt.datetime = NOW) -> dict[str, Any]:
    """The report document of ``bundle`` whose measured effect is ``changes``."""
    sim = Simulation(bundle, snap, Config(), now)
    sim.changes = changes
    sim.intent = match(bundle.intent, changes)
    ctx = PolicyContext(changes, bundle.intent, sim.intent, snap, None, ExecutionFacts(returncode=0), Config(), now)
    sim.findings = apply_config(sim.intent.findings + evaluate(ctx), ctx)
    sim.tiers = tiers(changes, None)
    sim.verdict = decide(sim.findings, [], destructive=changes.destructive, elevated=False)
    return build(sim)


def queue_submission(folder: Path, *, queue: str = "orders-dlq", name: str = "add-dlq",
                     author: str = "agent:deploy-bot") -> tuple[Bundle, Snapshot, dict[str, Any]]:
    """A benign bundle (creates one queue), promoted, one approver."""
    bundle = write_bundle(folder, QUEUE_BUNDLE, name=name, author=author, queue=queue)
    snap = production()
    return bundle, snap, report_for(bundle, snap, changeset(change(f"sqs:queue/{queue}", "create")))


def delete_submission(folder: Path, *, author: str = "agent:deploy-bot") -> tuple[Bundle, Snapshot, dict[str, Any]]:
    """A declared delete: promoted, destructive, two approvers."""
    bundle = write_bundle(folder, DELETE_BUNDLE, name="drop-legacy", author=author, queue="legacy")
    snap = production()
    return bundle, snap, report_for(bundle, snap, changeset(change("sqs:queue/legacy", "delete")))


def undeclared_submission(folder: Path) -> tuple[Bundle, Snapshot, dict[str, Any]]:
    """Declares a create, also deletes a queue: rejected (undeclared destructive effect)."""
    bundle = write_bundle(folder, QUEUE_BUNDLE, name="sneaky", author="agent:deploy-bot", queue="orders-dlq")
    snap = production()
    cs = changeset(change("sqs:queue/orders-dlq", "create"), change("sqs:queue/legacy", "delete"))
    return bundle, snap, report_for(bundle, snap, cs)
