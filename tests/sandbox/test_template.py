"""Seed once, fork many: clones of a seeded template, on real moto processes.

What the tests hold the template to: one seeding per snapshot, clones that never see
each other's writes nor leak them into the template, a before-state equal to what a
clone serves, fast (in-process) seeding equal to seeding over HTTP, and every failure
(a dead clone, a dead template, seeding problems) surfacing instead of a clean sandbox.
"""

from __future__ import annotations

import copy
import os
import signal
import time
from collections.abc import Callable, Iterator

import pytest

from harness.collectors.capture import capture
from harness.demo.estate import build_estate
from harness.diff.engine import diff
from harness.diff.masks import comparable
from harness.errors import SandboxFailure
from harness.estate.snapshot import Resource, Snapshot
from harness.sandbox.session import Sandbox
from harness.sandbox.templates import TemplateCache

SMALL = ("s3", "sqs", "dynamodb")


def eventually(condition: Callable[[], bool], what: str, limit_s: float = 20.0) -> None:
    """Wait for a state change (a process exiting); fail with ``what`` if it never comes."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(what)
        time.sleep(0.05)


@pytest.fixture(scope="module")
def small_snapshot() -> Snapshot:
    from harness.demo.estate import PROD_ACCOUNT
    from harness.sandbox.moto import MotoBackend

    with MotoBackend(account=PROD_ACCOUNT) as prod:
        build_estate(prod.target(), services=SMALL)
        return capture(prod.target(), regions=["us-east-1"], services=list(SMALL))


@pytest.fixture
def cache() -> Iterator[TemplateCache]:
    templates = TemplateCache()
    try:
        yield templates
    finally:
        templates.close()


def test_fast_seeding_equals_seeding_over_http(prod_snapshot, cache):
    """The whole sample estate: seeded in process (template) vs through the HTTP API, read back."""
    fast = Sandbox.open(prod_snapshot, templates=cache)
    slow = Sandbox.open(prod_snapshot, fork=False)
    try:
        assert fast.seeded.problems == [] and slow.seeded.problems == []
        served = fast.capture()  # the clone, read over HTTP like any sandbox
        recreated = slow.capture()
        before = fast.before()  # the template, read in process once
        expected = set(prod_snapshot.resources)
        assert set(served.resources) == expected
        assert set(recreated.resources) == expected
        assert set(before.resources) == expected
        fast_back, slow_back = fast.seeded.ids.sandbox_to_prod(), slow.seeded.ids.sandbox_to_prod()
        for address in sorted(expected):
            # reseeded masks: fields that differ between any two seedings (placeholder bodies, new key ids)
            assert comparable(served.resources[address], reseeded=True, id_map=fast_back) == comparable(
                recreated.resources[address], reseeded=True, id_map=slow_back), address
            # the in-process reading of the template is the same as an HTTP reading of its clone
            assert comparable(before.resources[address]) == comparable(served.resources[address]), address
        assert served.gaps == before.gaps == []
    finally:
        fast.close()
        slow.close()


def test_template_is_seeded_once_and_clones_share_it(small_snapshot, cache):
    boxes = [Sandbox.open(small_snapshot, templates=cache) for _ in range(3)]
    try:
        template = boxes[0].template
        assert template is not None and all(b.template is template for b in boxes)
        assert template.clones_made == 3 and len(cache) == 1
        assert len({b.endpoint for b in boxes}) == 3
        assert "seed_s" in boxes[0].timings and "seed_s" not in boxes[1].timings
    finally:
        for b in boxes:
            b.close()


def test_a_clone_never_leaks_into_the_template_or_another_clone(small_snapshot, cache):
    a = Sandbox.open(small_snapshot, templates=cache)
    b = Sandbox.open(small_snapshot, templates=cache)
    try:
        ta = a.target()
        ta.client("s3").put_object(Bucket="app-logs", Key="written-in-a.log", Body=b"a")
        ta.client("sqs").create_queue(QueueName="only-in-a")
        ta.client("dynamodb").delete_item(TableName="orders", Key={"order_id": {"S": "o-0000000"}})
        ta.client("s3").delete_bucket_tagging(Bucket="app-logs")
        # the writes happened (else the test below could not fail)
        assert _has_object(ta, "written-in-a.log") and _has_queue(ta, "only-in-a")
        assert not _has_item(ta, "o-0000000") and _tags(ta) == {}
        c = Sandbox.open(small_snapshot, templates=cache)  # cloned after A wrote
        try:
            for other in (b.target(), c.target()):
                assert not _has_object(other, "written-in-a.log")
                assert not _has_queue(other, "only-in-a")
                assert _has_item(other, "o-0000000")
                assert _tags(other) == {"env": "prod", "team": "platform"}
            # the template's state, served by the late clone, is still the snapshot: no change at all
            changes = diff(c.before(), c.capture(), production=small_snapshot, calls=[])
            assert changes.changes == {} and changes.unknown == []
        finally:
            c.close()
    finally:
        a.close()
        b.close()


def test_before_state_is_a_private_copy(small_snapshot, cache):
    a = Sandbox.open(small_snapshot, templates=cache)
    try:
        mine = a.before()
        mine.resources.pop("s3:bucket/app-logs")
        mine.resources["sqs:queue/orders"].tags["touched"] = "yes"
        again = a.before()
        assert "s3:bucket/app-logs" in again.resources
        assert "touched" not in again.resources["sqs:queue/orders"].tags
    finally:
        a.close()


def test_a_dead_clone_is_a_sandbox_failure(small_snapshot, cache):
    box = Sandbox.open(small_snapshot, templates=cache)
    try:
        assert box.backend.health()
        os.kill(box.backend.pid, signal.SIGKILL)
        eventually(lambda: not box.backend.alive(), "the killed clone still looks alive")
        assert not box.backend.health()
        with pytest.raises(SandboxFailure):
            box.capture()
    finally:
        box.close()


def test_a_dead_template_takes_its_clones_and_is_replaced(small_snapshot, cache):
    box = Sandbox.open(small_snapshot, templates=cache)
    template = box.template
    try:
        os.kill(template._proc.pid, signal.SIGKILL)
        eventually(lambda: not template.alive(), "the killed template still looks alive")
        eventually(lambda: not box.backend.alive(), "a clone outlived its template")
        with pytest.raises(SandboxFailure):
            template.clone()
        fresh = Sandbox.open(small_snapshot, templates=cache)
        try:
            assert fresh.template is not template and fresh.backend.health()
        finally:
            fresh.close()
    finally:
        box.close()


def test_seeding_problems_travel_with_every_clone(small_snapshot, cache):
    broken = copy.deepcopy(small_snapshot)
    bad = Resource(address="s3:bucket/ab", service="s3", type="bucket", name="ab",  # too short for S3
                   region="us-east-1", config={})
    broken.resources[bad.address] = bad
    first = Sandbox.open(broken, templates=cache)
    second = Sandbox.open(broken, templates=cache)
    try:
        assert first.template is second.template
        for box in (first, second):
            assert [p.address for p in box.seeded.problems] == [bad.address]
    finally:
        first.close()
        second.close()


def test_a_template_that_cannot_seed_is_a_sandbox_failure(small_snapshot, cache):
    broken = copy.deepcopy(small_snapshot)
    broken.resources["s3:bucket/app-logs"].config = ["not", "a", "mapping"]  # the seeder cannot read it
    with pytest.raises(SandboxFailure, match="could not be seeded"):
        Sandbox.open(broken, templates=cache)
    assert len(cache) == 0  # not kept: the next run tries again


def _has_object(target, key: str) -> bool:
    listed = target.client("s3").list_objects_v2(Bucket="app-logs", Prefix=key)
    return any(o["Key"] == key for o in listed.get("Contents", []))


def _has_queue(target, name: str) -> bool:
    return any(u.endswith(f"/{name}") for u in target.client("sqs").list_queues().get("QueueUrls", []))


def _has_item(target, order_id: str) -> bool:
    got = target.client("dynamodb").get_item(TableName="orders", Key={"order_id": {"S": order_id}})
    return "Item" in got


def _tags(target) -> dict[str, str]:
    try:
        tags = target.client("s3").get_bucket_tagging(Bucket="app-logs")["TagSet"]
    except target.client("s3").exceptions.ClientError:
        return {}
    return {t["Key"]: t["Value"] for t in tags}
