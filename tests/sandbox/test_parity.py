"""Backend parity: the same bundles against moto and LocalStack give the same verdicts.

moto always; LocalStack where one is available (a running one at LOCALSTACK_HOST, Docker,
or the docker-less process from the localstack-core venv that .ci/run builds). Only
services LocalStack serves offline are used (S3, SQS here).
"""

from __future__ import annotations

import os

import pytest

from harness.bundles import load_bundle
from harness.collectors.capture import capture
from harness.sandbox.localstack import docker_available, venv_python
from harness.simulate import simulate


def localstack_available() -> bool:
    return bool(os.environ.get("LOCALSTACK_HOST")) or venv_python() is not None or docker_available()


BACKENDS = ["moto", pytest.param("localstack", marks=[
    pytest.mark.slow,
    pytest.mark.skipif(not localstack_available(), reason="no LocalStack: no LOCALSTACK_HOST, Docker engine or "
                                                          "localstack-core venv")])]

CASES = {
    # a declared new queue with its dead-letter queue: promoted
    "queue-with-dlq": ("""\
intent:
  summary: Create jobs with a dead-letter queue.
  effects:
    - {action: create, resource: sqs:queue/jobs-dlq}
    - {action: create, resource: sqs:queue/jobs}
change:
  kind: aws-calls
  calls:
    - {service: sqs, operation: CreateQueue, params: {QueueName: jobs-dlq}}
    - {service: sqs, operation: CreateQueue, params: {QueueName: jobs}}
""", "promoted", set()),
    # objects deleted from a bucket that the intent only says to tag: rejected
    "undeclared-object-deletion": ("""\
intent:
  summary: Tag the reports bucket.
  effects:
    - {action: update, resource: s3:bucket/reports, fields: [Tags]}
change:
  kind: aws-calls
  calls:
    - {service: s3, operation: PutBucketTagging, params: {Bucket: reports, Tagging: {TagSet: [{Key: team, Value: bi}]}}}
    - {service: s3, operation: DeleteObject, params: {Bucket: reports, Key: q3.csv}}
""", "rejected", {"SHD-DATA-LOSS", "SHD-DATA-BOUND"}),
}


@pytest.fixture(scope="module")
def production():
    from harness.demo.estate import PROD_ACCOUNT
    from harness.sandbox.moto import MotoBackend

    with MotoBackend(account=PROD_ACCOUNT) as prod:
        t = prod.target()
        t.client("s3").create_bucket(Bucket="reports")
        for key in ("q1.csv", "q2.csv", "q3.csv"):
            t.client("s3").put_object(Bucket="reports", Key=key, Body=b"id,total\n1,2\n")
        t.client("sqs").create_queue(QueueName="orders")
        yield capture(t, regions=["us-east-1"], services=["s3", "sqs"])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_same_verdict_on_every_backend(tmp_path, production, backend, case):
    text, verdict, findings = CASES[case]
    (tmp_path / "bundle.yaml").write_text(
        f"apiVersion: shadow/v1\nkind: ChangeBundle\nmetadata: {{name: {case}, author: 'agent:parity'}}\n{text}")
    options = {"mode": "auto"} if backend == "localstack" else {}
    sim = simulate(load_bundle(tmp_path), production, backend=backend, backend_options=options)
    assert sim.verdict.outcome == verdict, sim.verdict.reasons
    assert findings <= {f.rule for f in sim.findings if f.blocking}
