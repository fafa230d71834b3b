"""Stale-state detection as (input, expected) pairs: the author's state/plan against production."""

from __future__ import annotations

import pytest

from harness.estate.snapshot import Gap, Resource, Snapshot, Source
from harness.iac.stale import compare
from tests.factories import changeset, findings_for, intent, rules

ARN_DB = "arn:aws:rds:us-east-1:210987654321:db:prod-db"


def prod(*resources: Resource, services=("rds", "ec2", "s3"), gaps=()) -> Snapshot:
    return Snapshot(source=Source("210987654321", ["us-east-1"]), resources={r.address: r for r in resources},
                    services=list(services), gaps=list(gaps))


def db(cls="db.t3.small", tags=None) -> Resource:
    return Resource("rds:db/prod-db", "rds", "db", "prod-db", "us-east-1", id="db-LIVE", arn=ARN_DB,
                    config={"DBInstanceClass": cls, "AllocatedStorage": 20}, tags=tags or {"env": "prod"})


def vpc() -> Resource:
    return Resource("ec2:vpc/main", "ec2", "vpc", "main", "us-east-1", id="vpc-0live",
                    config={"CidrBlock": "10.0.0.0/16"}, tags={"Name": "main"})


def st(tf_address: str, rtype: str, **attributes) -> dict:
    return {"tf_address": tf_address, "type": rtype, "attributes": attributes}


def kinds(result) -> list[tuple[str, str | None]]:
    return sorted((f.kind, f.address) for f in result.facts)


def test_a_fresh_state_has_no_contradiction():
    state = [st("aws_db_instance.main", "aws_db_instance", arn=ARN_DB, identifier="prod-db", resource_id="db-LIVE",
                instance_class="db.t3.small", allocated_storage=20, tags={"env": "prod"}),
             st("aws_vpc.main", "aws_vpc", id="vpc-0live", cidr_block="10.0.0.0/16", tags={"Name": "main"})]
    result = compare(state, None, prod(db(), vpc()))
    assert result.facts == [] and result.not_compared == []


def test_state_resources_production_does_not_have_are_missing():
    state = [st("aws_s3_bucket.dup", "aws_s3_bucket", id="assets-copy", bucket="assets-copy"),
             st("aws_vpc.old", "aws_vpc", id="vpc-0gone", tags={"Name": "legacy"})]
    result = compare(state, None, prod(db(), vpc()))
    assert kinds(result) == [("missing", "ec2:vpc/legacy"), ("missing", "s3:bucket/assets-copy")]


def test_attribute_values_that_differ_from_production():
    state = [st("aws_db_instance.main", "aws_db_instance", arn=ARN_DB, identifier="prod-db", resource_id="db-OLD",
                instance_class="db.t3.micro", allocated_storage=20, tags={"env": "prod", "owner": "ana"})]
    result = compare(state, None, prod(db()))
    assert kinds(result) == [("differs", "rds:db/prod-db")] * 3
    paths = sorted(f.path for f in result.facts)
    assert paths == ["config.DBInstanceClass", "resource_id", "tags.owner"]


def test_plan_creating_what_production_already_has_but_the_state_ignores():
    plan = {"resource_changes": [
        {"address": "aws_db_instance.main", "mode": "managed", "type": "aws_db_instance",
         "change": {"actions": ["create"], "after": {"identifier": "prod-db"}}},
        {"address": "aws_s3_bucket.new", "mode": "managed", "type": "aws_s3_bucket",
         "change": {"actions": ["create"], "after": {"bucket": "brand-new"}}},
        {"address": "aws_vpc.imported", "mode": "managed", "type": "aws_vpc",
         "change": {"actions": ["create"], "after": {"tags": {"Name": "main"}}, "importing": {"id": "vpc-0live"}}},
    ]}
    result = compare([], plan, prod(db(), vpc()))
    assert kinds(result) == [("ignored", "rds:db/prod-db")]


def test_terraform_refresh_drift_with_a_delete_is_missing_once():
    state = [st("aws_s3_bucket.dup", "aws_s3_bucket", id="assets-copy", bucket="assets-copy")]
    plan = {"resource_drift": [{"address": "aws_s3_bucket.dup", "mode": "managed", "type": "aws_s3_bucket",
                                "change": {"actions": ["delete"], "before": {"bucket": "assets-copy"}}}]}
    assert kinds(compare(state, plan, prod(db()))) == [("missing", "s3:bucket/assets-copy")]
    plan_only = compare([], plan, prod(db()))
    assert kinds(plan_only) == [("missing", "s3:bucket/assets-copy")]


@pytest.mark.parametrize(("record", "snapshot", "why"), [
    (st("aws_mq_broker.b", "aws_mq_broker", id="b-1"), prod(), "does not map aws_mq_broker"),
    (st("aws_db_instance.x", "aws_db_instance", identifier="x"), prod(services=("s3",)), "did not capture rds"),
    (st("aws_db_instance.x", "aws_db_instance", identifier="x"),
     prod(gaps=[Gap("rds", "us-east-1", "DescribeDBInstances", "access-denied")]), "capture gap"),
])
def test_what_cannot_be_compared_is_said_never_assumed_equal(record, snapshot, why):
    result = compare([record], None, snapshot)
    assert result.facts == []
    assert len(result.not_compared) == 1 and why in result.not_compared[0]


def test_policy_blocks_unless_the_intent_accepts_it():
    from harness.policies import ExecutionFacts

    artifacts = {"terraform": {"state": [st("aws_s3_bucket.dup", "aws_s3_bucket", bucket="assets-copy")]}}
    facts = ExecutionFacts(artifacts=artifacts)
    blocked = findings_for(changeset(), intent(), execution=facts, production=prod(db()))
    assert rules(blocked, blocking=True) == {"SHD-STALE-STATE"}
    accepted = findings_for(changeset(), intent(accepts=["SHD-STALE-STATE"]), execution=facts, production=prod(db()))
    assert rules(accepted, blocking=True) == set()
    assert rules(accepted) == {"SHD-STALE-STATE"}
