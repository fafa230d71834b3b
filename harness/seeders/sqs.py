"""SQS seeder: queues with attributes, policy and tags (dead-letter queues first),
and placeholder messages up to ``limits.messages_seeded`` per queue."""

from __future__ import annotations

import json
from typing import Any

from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder

_READ_ONLY = {
    "QueueArn", "CreatedTimestamp", "LastModifiedTimestamp", "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
}


def _attributes(res: Resource) -> dict[str, Any]:
    return dict(res.config.get("Attributes") or {})


class SQSSeeder(Seeder):
    service = "sqs"
    after = ("kms",)

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        first = [r for r in resources if "RedrivePolicy" not in _attributes(r)]
        then = [r for r in resources if "RedrivePolicy" in _attributes(r)]
        for group in (first, then):
            ctx.map(lambda r: self._queue(ctx, r), group)

    def _queue(self, ctx: SeedContext, res: Resource) -> None:
        sqs = ctx.client("sqs", res.region)
        attrs: dict[str, str] = {}
        for key, value in ctx.ref(_attributes(res)).items():
            if key in _READ_ONLY:
                continue
            attrs[key] = json.dumps(value) if isinstance(value, dict | list) else str(value)
        policy = ctx.ref(res.policies.get("QueuePolicy"))
        if policy:
            attrs["Policy"] = json.dumps(policy)
        params: dict[str, Any] = {"QueueName": res.name, "Attributes": attrs}
        if res.tags:
            params["tags"] = res.tags
        created = ctx.attempt(res, "CreateQueue", lambda: sqs.create_queue(**params))
        if created is None:
            return
        url = created["QueueUrl"]
        ctx.ids.record(res, sandbox_id=None, sandbox_arn=res.arn)
        count = min(int((res.data or {}).get("count") or 0), ctx.limits.messages_seeded)
        fifo = res.name.endswith(".fifo")
        for start in range(0, count, 10):
            entries = []
            for i in range(start, min(start + 10, count)):
                entry: dict[str, Any] = {"Id": str(i), "MessageBody": f"shadow-placeholder-{i}"}
                if fifo:
                    entry["MessageGroupId"] = "shadow"
                    entry["MessageDeduplicationId"] = f"shadow-{i}"
                entries.append(entry)
            ctx.attempt(res, "SendMessageBatch", lambda e=entries: sqs.send_message_batch(QueueUrl=url, Entries=e))
        if res.data:
            ctx.record_units(res, count)
