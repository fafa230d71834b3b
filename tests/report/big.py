"""A 200-resource change: the stale-state destroy at scale, judged by the real code.

Production holds a database (1.9M rows) with two snapshots, 40 legacy queues (some
with messages), 35 buckets and 2 tables; the change deletes the database, its
snapshots and the queues, replaces both tables, retags the buckets (one made public)
and creates 120 shard queues (or as many as asked, for the size-cap test). It
declared only the shard queues and the tags.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from harness.bundles.runners import RunOutcome
from harness.config import Config
from harness.diff.model import Grant
from harness.intent.match import check_assumes
from harness.isolation import Call, Execution
from harness.simulate import Simulation, _judge
from tests.factories import change, changeset, snapshot
from tests.report.sims import aws_calls, write_bundle

DB = "rds:db/prod-db"


def _changes(shards: int) -> list:
    out = [change(DB, "delete", before_data={"unit": "rows", "count": 1_900_000}, deleted=1_900_000, unit="rows")]
    out += [change(f"rds:snapshot/prod-db-2026-11-{d}", "delete", refs={"db": DB}) for d in (23, 24)]
    out += [change(f"sqs:queue/legacy-{i:03d}", "delete", deleted=i % 4 * 25, unit="messages") for i in range(40)]
    out += [change(f"dynamodb:table/{t}", "replace", deleted=50_000, inserted=3) for t in ("orders", "ledger")]
    out += [change(f"s3:bucket/data-{i:03d}", "update", fields=[(f"Tags.owner-{i}", "team-a", "team-b")])
            for i in range(34)]
    out.append(change("s3:bucket/data-public", "update", fields=[("Tags.owner", "team-a", "team-b")],
                      grants=[Grant("*", "s3:GetObject", "arn:aws:s3:::data-public/*", public=True)]))
    out += [change(f"sqs:queue/shard-{i:03d}", "create") for i in range(shards)]
    return out


def simulation(folder: Path, *, now: dt.datetime, shards: int = 120) -> Simulation:
    """The judged simulation; 80 + ``shards`` resources (200 by default)."""
    changes = _changes(shards)
    production = snapshot(*(c.before for c in changes if c.before is not None))
    bundle = write_bundle(
        folder / "bundle", name="shard-queues", summary="Create 120 shard queues and retag the data buckets.",
        effects=[{"action": "create", "resource": "sqs:queue/shard-*"},
                 {"action": "update", "resource": "s3:bucket/data-*", "fields": ["Tags.*"]}],
        change=aws_calls({"service": "sqs", "operation": "CreateQueue", "params": {"QueueName": "shard-000"}}))
    sim = Simulation(bundle, production, Config(), now)
    sim.changes = changeset(*changes)
    trace = []
    for seq, c in enumerate(changes, 1):
        c.calls = [seq]
        trace.append(Call(c.service, {"create": "Create", "delete": "Delete", "replace": "Delete",
                                      "update": "Tag"}[c.action] + c.type.title(), "us-east-1", 200, None, {},
                          c.address.split("/", 1)[1], "127.0.0.1", False, True, False, 1.0, seq))
    sim.outcome = RunOutcome(execution=Execution(0, "", "", False, 1.0, trace, isolation="netns"))
    _judge(sim, check_assumes(bundle.intent, production))
    return sim

