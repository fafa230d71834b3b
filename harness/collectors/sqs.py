"""SQS: queues (every attribute incl. redrive and policy, tags) and approximate
message counts as data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, parse_policy
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    volatile={"queue": ("config.Attributes.LastModifiedTimestamp",)},
    identity={"queue": ("CreatedTimestamp",)},
    reseeded={"queue": ("data.ApproximateNumberOfMessages", "data.ApproximateNumberOfMessagesNotVisible",
                        "data.ApproximateNumberOfMessagesDelayed")},
    why={
        "config.Attributes.LastModifiedTimestamp": "set by SQS on every attribute write, also when seeded",
        "data.ApproximateNumberOfMessages*": "seeded placeholder messages are all visible; the total is kept",
    },
)

_COUNTS = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)
_JSON_ATTRS = ("RedrivePolicy", "RedriveAllowPolicy")


def queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


class SQSCollector(Collector):
    service = "sqs"
    client_name = "sqs"
    types = ("queue",)
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        sqs = ctx.client()
        urls = ctx.paginate(sqs, "ListQueues", "QueueUrls")
        if urls is None:
            return
        yield from (r for r in ctx.map(lambda u: self._queue(ctx, u), urls) if r)

    def _queue(self, ctx: CaptureContext, url: str) -> Resource | None:
        sqs = ctx.client()
        name = queue_name(url)
        address = ctx.address("queue", name)
        got = ctx.call(sqs, "GetQueueAttributes", QueueUrl=url, AttributeNames=["All"], address=address,
                       absent=("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"))
        if got is None:
            return None
        attrs: dict[str, Any] = dict(got.get("Attributes", {}))
        counts = {k: int(attrs.pop(k, 0) or 0) for k in _COUNTS}
        policy = attrs.pop("Policy", None)
        created = attrs.pop("CreatedTimestamp", None)
        arn = attrs.pop("QueueArn", None)
        for key in _JSON_ATTRS:
            if key in attrs:
                attrs[key] = parse_policy(attrs[key])
        tags = ctx.call(sqs, "ListQueueTags", QueueUrl=url, address=address) or {}
        return ctx.resource(
            "queue", name,
            arn=arn,
            config={"Attributes": attrs},
            tags=tags.get("Tags", {}) or {},
            policies={"QueuePolicy": parse_policy(policy)} if policy else {},
            data={"unit": "messages", "count": sum(counts.values()), **counts},
            identity={"CreatedTimestamp": created, "QueueUrl": url},
        )
