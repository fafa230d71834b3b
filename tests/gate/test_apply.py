"""Apply against a second moto server standing in for production.

What is tested here needs no sandbox run: the refusals that happen before anything
executes (no approvals, an agent's token, drift, another account, stored bytes
changed). The full path (simulate, approve, apply, verify) is in test_end_to_end.py.
"""

from __future__ import annotations

import base64
import sqlite3

import pytest

from harness.collectors.capture import capture
from harness.demo.estate import PROD_ACCOUNT
from harness.errors import GateRefused, NotPermitted
from harness.gate import approvals
from harness.gate.apply import DRIFT_MESSAGE, apply_submission
from harness.gate.model import VOID
from harness.sandbox.moto import MotoBackend
from tests.factories import change, changeset
from tests.gate.recorded import report_for, write_bundle

UPDATE_BUNDLE = """\
apiVersion: shadow/v1
kind: ChangeBundle
metadata: {name: slower-orders, author: "agent:deploy-bot"}
intent:
  summary: Raise the orders queue's visibility timeout to 90 s.
  effects:
    - {action: update, resource: "sqs:queue/orders", fields: [Attributes.VisibilityTimeout]}
change:
  kind: aws-calls
  calls:
    - service: sqs
      operation: SetQueueAttributes
      params: {QueueUrl: "QUEUE_URL", Attributes: {VisibilityTimeout: "90"}}
"""


def small_estate(backend) -> None:
    """The part of production these tests need: the orders queue (60 s visibility) and one other."""
    sqs = backend.target().client("sqs")
    sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "60"}, tags={"env": "prod"})
    sqs.create_queue(QueueName="billing-events")


@pytest.fixture
def prod(fresh_prod):
    small_estate(fresh_prod)
    return fresh_prod


def orders_url(prod) -> str:
    return prod.target().client("sqs").get_queue_url(QueueName="orders")["QueueUrl"]


@pytest.fixture
def submitted(gate, people, prod, tmp_path):
    """The update bundle, simulated (recorded effect) on a fresh capture of production."""
    snap = capture(prod.target(), regions=["us-east-1"], services=["sqs"])
    bundle = write_bundle(tmp_path / "slower", UPDATE_BUNDLE.replace("QUEUE_URL", orders_url(prod)).replace("{", "{{")
                          .replace("}", "}}"))
    cs = changeset(change("sqs:queue/orders", "update", fields=[("Attributes.VisibilityTimeout", "60", "90")]))
    doc = report_for(bundle, snap, cs)
    assert doc["verdict"]["outcome"] == "promoted"
    return gate.submit(people["bot"].user, bundle, snap, doc)


def approve(gate, person, sid):
    stmt = gate.statement(sid, person.user.name)
    gate.review(person.user, sid, stmt, approvals.sign(stmt, str(person.key)))


def visibility(prod) -> str:
    sqs = prod.target().client("sqs")
    return sqs.get_queue_attributes(QueueUrl=orders_url(prod), AttributeNames=["VisibilityTimeout"])[
        "Attributes"]["VisibilityTimeout"]


def test_apply_without_approval_is_refused_and_audited(gate, people, prod, submitted):
    with pytest.raises(GateRefused, match="needs 1 more approval"):
        apply_submission(gate, people["ana"].user, submitted.id, prod.target())
    assert [e.action for e in gate.audit_entries(submission_id=submitted.id)][-1] == "apply-refused"
    assert visibility(prod) == "60"


def test_agent_token_cannot_apply(gate, people, prod, submitted):
    approve(gate, people["ana"], submitted.id)
    bot = gate.authenticate(people["bot"].token)
    with pytest.raises(NotPermitted, match="only reviewers apply"):
        apply_submission(gate, bot, submitted.id, prod.target())
    assert visibility(prod) == "60"


def test_drift_voids_approvals_and_refuses_with_a_diff(gate, people, prod, submitted):
    approve(gate, people["ana"], submitted.id)
    assert gate.assess(submitted.id).ready
    # someone changes production between the simulation and the apply
    prod.target().client("sqs").set_queue_attributes(QueueUrl=orders_url(prod), Attributes={"VisibilityTimeout": "30"})
    with pytest.raises(GateRefused) as refused:
        apply_submission(gate, people["ana"].user, submitted.id, prod.target())
    message = str(refused.value)
    assert DRIFT_MESSAGE in message
    assert "sqs:queue/orders Attributes.VisibilityTimeout: '60' -> '30'" in message
    assert gate.get(submitted.id).status == VOID
    assessment = gate.assess(submitted.id)
    assert not assessment.ready and assessment.approvers == []
    assert visibility(prod) == "30"  # nothing ran
    with pytest.raises(GateRefused, match="is void"):
        apply_submission(gate, people["ana"].user, submitted.id, prod.target())


def test_drift_in_a_resource_the_bundle_creates(gate, people, prod, tmp_path):
    from tests.gate.recorded import QUEUE_BUNDLE

    snap = capture(prod.target(), regions=["us-east-1"], services=["sqs"])
    bundle = write_bundle(tmp_path / "dlq", QUEUE_BUNDLE, name="add-dlq", author="agent:deploy-bot", queue="orders-dlq")
    doc = report_for(bundle, snap, changeset(change("sqs:queue/orders-dlq", "create")))
    sub = gate.submit(people["bot"].user, bundle, snap, doc)
    approve(gate, people["ana"], sub.id)
    prod.target().client("sqs").create_queue(QueueName="orders-dlq")
    with pytest.raises(GateRefused, match="sqs:queue/orders-dlq now exists"):
        apply_submission(gate, people["ana"].user, sub.id, prod.target())


def test_apply_to_another_account_is_refused(gate, people, submitted):
    approve(gate, people["ana"], submitted.id)
    with MotoBackend(account="111122223333") as other:
        small_estate(other)
        with pytest.raises(GateRefused, match=f"the target is account 111122223333.*{PROD_ACCOUNT}"):
            apply_submission(gate, people["ana"].user, submitted.id, other.target())


def test_changed_stored_bundle_bytes_are_refused(gate, people, prod, submitted):
    approve(gate, people["ana"], submitted.id)
    sub = gate.get(submitted.id)
    text = base64.b64decode(sub.files["bundle.yaml"]).decode().replace('"90"', '"900"')
    files = {**sub.files, "bundle.yaml": base64.b64encode(text.encode()).decode()}
    conn = sqlite3.connect(gate.store.path)
    import json

    conn.execute("UPDATE submissions SET files = ? WHERE id = ?", (json.dumps(files), sub.id))
    conn.commit()
    conn.close()
    with pytest.raises(GateRefused, match="the stored bytes were changed"):
        apply_submission(gate, people["ana"].user, sub.id, prod.target())
    assert visibility(prod) == "60"
