"""Report documents of several shapes, built once per session from real simulations.

- ``promoted``: the queue-with-DLQ change, declared exactly;
- ``rejected``: a table dropped and refilled during a freeze, a public bucket policy,
  attempted egress, and hostile strings in every user-controlled place;
- ``inconclusive``: an operation the emulator does not implement;
- ``big``: a 200-resource change (the stale-state destroy at scale) from the real
  intent matcher, policies and tiers over a built change set (a 200-resource sandbox
  run would cost a minute on this machine).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from harness.collectors.capture import capture
from harness.demo.estate import PROD_ACCOUNT, build_estate
from harness.estate.snapshot import Snapshot
from harness.report.model import build
from harness.sandbox.moto import MotoBackend
from harness.seeders.dynamodb import create_table_params
from tests.report import big
from tests.report.sims import HOSTILE, SERVICES, Egress, policy, run_here, write_bundle, write_config

AT = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
AWS_QUEUE_URL = f"https://sqs.us-east-1.amazonaws.com/{PROD_ACCOUNT}"


@pytest.fixture(scope="session")
def production() -> Snapshot:
    with MotoBackend(account=PROD_ACCOUNT) as prod:
        build_estate(prod.target(), services=tuple(SERVICES), items=20, objects=5)
        snap = capture(prod.target(), regions=["us-east-1"], services=SERVICES)
    snap.resources["dynamodb:table/orders"].data["count"] = 1206  # production holds more than the sample
    return snap


@pytest.fixture(scope="session")
def promoted(production, tmp_path_factory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("promoted")
    bundle = write_bundle(
        folder / "bundle", name="add-orders-dlq", summary="Create orders-dlq and set it as the DLQ of orders.",
        effects=[{"action": "create", "resource": "sqs:queue/orders-dlq"},
                 {"action": "update", "resource": "sqs:queue/orders", "fields": ["Attributes.RedrivePolicy"]}],
        calls=[{"service": "sqs", "operation": "CreateQueue", "params": {"QueueName": "orders-dlq"}},
               {"service": "sqs", "operation": "SetQueueAttributes", "params": {
                   "QueueUrl": f"{AWS_QUEUE_URL}/orders", "Attributes": {"RedrivePolicy": (
                       '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:210987654321:orders-dlq", '
                       '"maxReceiveCount": "5"}')}}}])
    return build(run_here(production, bundle, now=AT))


@pytest.fixture(scope="session")
def rejected(production, tmp_path_factory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("rejected")
    orders = production.resources["dynamodb:table/orders"]
    bundle = write_bundle(
        folder / "bundle", name="fix-order-o-0000007", author="agent:x@octocat", description=HOSTILE,
        summary=f"Set the status of order o-0000007 to shipped. {HOSTILE}",
        effects=[{"action": "update", "resource": "dynamodb:table/orders", "data": {"updated": 1},
                  "reason": HOSTILE}],
        access=[{"principal": HOSTILE, "actions": ["s3:GetObject"], "resource": "arn:aws:s3:::app-logs/*"}],
        calls=[
            {"service": "dynamodb", "operation": "UpdateTable",
             "params": {"TableName": "orders", "DeletionProtectionEnabled": False}},
            {"service": "dynamodb", "operation": "DeleteTable", "params": {"TableName": "orders"}},
            {"service": "dynamodb", "operation": "CreateTable", "params": create_table_params(orders, orders.config)},
            {"service": "dynamodb", "operation": "PutItem", "params": {"TableName": "orders", "Item": {
                "order_id": {"S": "o-0000007"}, "customer_id": {"S": HOSTILE}}}},
            {"service": "s3", "operation": "PutBucketPolicy",
             "params": {"Bucket": "app-logs", "Policy": policy(HOSTILE, "*", "app-logs")}},
            {"service": "sqs", "operation": "TagQueue",
             "params": {"QueueUrl": f"{AWS_QUEUE_URL}/orders", "Tags": {"note|`x`": HOSTILE}}},
            {"service": "s3", "operation": "DeleteObject", "params": {"Bucket": "app-logs", "Key": "2026/11/0001.log"}},
        ])
    config = write_config(folder / "shadow.toml", f'''
protected = ["dynamodb:table/orders"]
[[freeze]]
start = "2026-11-20T00:00:00Z"
end = "2026-11-30T00:00:00Z"
reason = {_toml(HOSTILE)}
[[waivers]]
rule = "SHD-DATA-LOSS"
address = "s3:bucket/app-logs"
reason = {_toml("old logs, versioned | " + HOSTILE)}
''')
    stdout = f"deleting orders\n```\n</details>\n# {HOSTILE}\n~~~\nrefilled 1 order"
    egress = [Egress("exfil.invalid:443", "proxy-connect", HOSTILE)]
    return build(run_here(production, bundle, config=config, now=AT, stdout=stdout, egress=egress))


@pytest.fixture(scope="session")
def inconclusive(production, tmp_path_factory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("inconclusive")
    bundle = write_bundle(
        folder / "bundle", name="orders-insights", summary="Turn on contributor insights for orders.",
        effects=[{"action": "update", "resource": "dynamodb:table/orders"}],
        calls=[{"service": "dynamodb", "operation": "UpdateContributorInsights",
                "params": {"TableName": "orders", "ContributorInsightsAction": "ENABLE"}}])
    return build(run_here(production, bundle, now=AT))


@pytest.fixture(scope="session")
def big_doc(tmp_path_factory) -> dict[str, Any]:
    return build(big.simulation(tmp_path_factory.mktemp("big"), now=AT))


@pytest.fixture(scope="session")
def docs(promoted, rejected, inconclusive, big_doc) -> dict[str, dict[str, Any]]:
    return {"promoted": promoted, "rejected": rejected, "inconclusive": inconclusive, "big": big_doc}


def _toml(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
