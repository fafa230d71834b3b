"""SQS listing past 1,000 queues: ListQueues stops at 1,000 (moto even with MaxResults),
so the collector must split the listing rather than silently miss queues."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.collectors.capture import capture

# 1,030 queues under one prefix; a queue named exactly like a prefix the split visits (q-1);
# a FIFO queue whose name only an exact lookup reaches (q-0 is a full listing); one outside
NAMES = [f"q-{i:04d}" for i in range(1030)] + ["q-1", "q-0.fifo", "r"]


def create(sqs, name: str) -> None:
    attrs = {"FifoQueue": "true"} if name.endswith(".fifo") else {}
    sqs.create_queue(QueueName=name, Attributes=attrs)


@pytest.mark.slow
def test_capture_finds_every_queue_past_the_listing_cap(fresh_prod):
    sqs = fresh_prod.target().client("sqs")
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: create(sqs, n), NAMES))
    assert len(sqs.list_queues()["QueueUrls"]) == 1000  # the cap this test is about is really there

    snapshot = capture(fresh_prod.target(), regions=["us-east-1"], services=["sqs"])

    assert not snapshot.gaps
    assert sorted(r.name for r in snapshot.resources.values()) == sorted(NAMES)
