"""Property: after random changes (traced by the real proxy), the incremental after-capture
equals a full capture of the same sandbox, resource by resource (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.aws import Target
from harness.collectors.capture import capture
from harness.collectors.incremental import capture_incremental, differences
from harness.collectors.plan import plan_capture
from harness.isolation.ca import ThrowawayCA
from harness.isolation.proxy import Proxy
from harness.sandbox.moto import MotoBackend
from tests.collectors import incremental_estate as estate

EXAMPLES = 30


@pytest.fixture(scope="module")
def sandbox():
    with MotoBackend(account=estate.ACCOUNT) as backend:
        yield backend


@pytest.fixture(scope="module")
def ca():
    return ThrowawayCA()


def _baseline(sandbox: MotoBackend):
    sandbox.reset()
    t = sandbox.target()
    ids = estate.build(t)
    return t, ids, capture(t, regions=[estate.REGION])


def _traced(sandbox: MotoBackend, ca: ThrowawayCA, change):
    """Run ``change(target)`` through a fresh proxy; the calls it traced."""
    with Proxy(sandbox.endpoint, ca) as proxy:
        traced = Target.sandbox(f"http://127.0.0.1:{proxy.port}", account=estate.ACCOUNT)
        change(traced)
        return proxy.calls(estate.REGION)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
@given(data=st.data())
def test_incremental_capture_equals_full_capture(sandbox, ca, data):
    t, ids, before = _baseline(sandbox)
    names = data.draw(st.lists(st.sampled_from(sorted(estate.CHANGES)), min_size=1, max_size=5), label="changes")
    done: list[str] = []
    calls = _traced(sandbox, ca, lambda traced: done.extend(estate.apply(traced, ids, n, data.draw) for n in names))
    full = capture(t, regions=[estate.REGION])
    plan = plan_capture(before, calls)
    incremental = capture_incremental(t, before, calls)
    assert differences(full, incremental) == [], (done, plan.summary())


def test_a_change_the_calls_do_not_show_is_a_difference(sandbox, ca):
    """The property can fail: an incremental capture told of no calls misses what they did."""
    t, _ids, before = _baseline(sandbox)
    calls = _traced(sandbox, ca, lambda traced: traced.client("s3").put_object(Bucket="inc-logs", Key="new",
                                                                                Body=b"x"))
    full = capture(t, regions=[estate.REGION])
    assert differences(full, capture_incremental(t, before, calls)) == []
    assert differences(full, capture_incremental(t, before, [])) == ["s3:bucket/inc-logs: data differ"]


def test_an_object_write_reads_that_object_and_the_notified_queue_only(sandbox, ca):
    t, _ids, before = _baseline(sandbox)
    calls = _traced(sandbox, ca, lambda traced: traced.client("s3").put_object(Bucket="inc-data", Key="k",
                                                                                Body=b"x"))
    plan = plan_capture(before, calls, notifications=lambda bucket: [estate.queue_arn("inc-notify")]
                        if bucket == "inc-data" else [])
    assert plan.everything is None and not plan.whole
    assert plan.listed == {"s3", "sqs"}
    assert set(plan.focus) == {"s3:bucket/inc-data", "sqs:queue/inc-notify"}
    assert plan.focus["s3:bucket/inc-data"].config is False
    assert plan.focus["s3:bucket/inc-data"].data == frozenset({"k"})
    after = capture_incremental(t, before, calls)
    assert after.resources["s3:bucket/inc-data"].data["objects"].keys() == {"k"}
    notified = before.resources["sqs:queue/inc-notify"].data["count"] + 1  # the bucket notified the queue
    assert after.resources["sqs:queue/inc-notify"].data["count"] == notified
    assert differences(capture(t, regions=[estate.REGION]), after) == []
