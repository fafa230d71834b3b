"""SQS: queues (every attribute incl. redrive and policy, tags) and approximate
message counts as data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

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
LIST_CAP = 1000  # ListQueues returns at most this many URLs per call
# characters of queue names; "." only ever starts the ".fifo" suffix, looked up by exact name
_NAME_CHARS = "-_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_MISSING = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


def queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


class SQSCollector(Collector):
    service = "sqs"
    client_name = "sqs"
    types = ("queue",)
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        urls = self._urls(ctx, "")
        if urls is None:
            return
        urls = {u for u in urls if not ctx.carry(ctx.address("queue", queue_name(u)))}
        yield from (r for r in ctx.map(lambda u: self._queue(ctx, u), sorted(urls)) if r)

    def _urls(self, ctx: CaptureContext, prefix: str) -> set[str] | None:
        """Every queue URL under ``prefix``, or None if a listing failed.

        Without ``MaxResults`` SQS stops at 1,000 queues and gives no NextToken; some
        emulators (moto) stop there even with it. A full page without a token is
        therefore split by the next character of the name until each listing is whole.
        """
        sqs = ctx.client()
        params = {"QueueNamePrefix": prefix} if prefix else {}
        urls = ctx.paginate(sqs, "ListQueues", "QueueUrls", MaxResults=LIST_CAP, **params)
        if urls is None or len(urls) != LIST_CAP:
            return None if urls is None else set(urls)
        found: set[str] = set()
        for name in (prefix, f"{prefix}.fifo") if prefix else ():  # names no longer prefix can reach
            known = {u for u in urls if queue_name(u) == name}
            got = None if known else ctx.call(sqs, "GetQueueUrl", QueueName=name, absent=_MISSING)
            found |= known or ({got["QueueUrl"]} if got else set())
        parts = ctx.map(lambda ch: self._urls(ctx, prefix + ch), _NAME_CHARS)
        if any(part is None for part in parts):
            return None
        return found.union(*parts)

    def _queue(self, ctx: CaptureContext, url: str) -> Resource | None:
        sqs = ctx.client()
        name = queue_name(url)
        address = ctx.address("queue", name)
        got = ctx.call(sqs, "GetQueueAttributes", QueueUrl=url, AttributeNames=["All"], address=address,
                       absent=_MISSING)
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
            # the URL's path only: its host is whichever endpoint was read (production, a
            # template answering in process, a clone on its own port)
            identity={"CreatedTimestamp": created, "QueuePath": urlsplit(url).path},
        )
