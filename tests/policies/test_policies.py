"""Guardrail policies as (input, expected) pairs, like cfn-lint's rule tests."""

from __future__ import annotations

import datetime as dt

import pytest

from harness.config import Config, Waiver, Window
from harness.diff.model import Grant
from harness.policies import POLICIES, ExecutionFacts
from tests.factories import change, changeset, findings_for, intent, rules

ROLE = "arn:aws:iam::210987654321:role/analytics"
PITR = "ContinuousBackups.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus"


def test_every_policy_has_id_title_doc():
    for name, policy in POLICIES.items():
        assert name.startswith("SHD-") and policy.title and policy.doc and policy.severity in ("block", "warn")


CASES = [
    ("undeclared data loss blocks",
     [change("dynamodb:table/orders", "update", deleted=10)],
     [{"action": "update", "resource": "dynamodb:table/orders"}], {"SHD-DATA-LOSS", "SHD-DATA-BOUND"}),
    ("declared deletion of rows is a warning",
     [change("dynamodb:table/orders", "update", deleted=10)],
     [{"action": "update", "resource": "dynamodb:table/orders", "data": {"deleted": "<=10"}}], set()),
    ("table deleted undeclared",
     [change("dynamodb:table/orders", "delete", deleted=200)], [],
     {"SHD-UNDECLARED-CHANGE", "SHD-DATA-LOSS", "SHD-DELETE-STATEFUL"}),
    ("table deleted declared still allowed",
     [change("dynamodb:table/tmp", "delete", deleted=20)], [{"action": "delete", "resource": "dynamodb:table/tmp"}],
     set()),
    ("fabricated records after recreate",
     [change("dynamodb:table/orders", "replace", deleted=200, inserted=200)],
     [{"action": "replace", "resource": "dynamodb:table/orders"}], {"SHD-FABRICATION", "SHD-DATA-BOUND"}),
    ("empty queue deleted is not stateful",
     [change("sqs:queue/old", "delete", before_data={"unit": "messages", "count": 0})],
     [{"action": "delete", "resource": "sqs:queue/old"}], set()),
    ("queue with messages deleted undeclared",
     [change("sqs:queue/billing", "delete", deleted=5, unit="messages",
             before_data={"unit": "messages", "count": 5})], [],
     {"SHD-UNDECLARED-CHANGE", "SHD-DATA-LOSS", "SHD-DELETE-STATEFUL"}),
    ("replace of a table undeclared",
     [change("dynamodb:table/orders", "replace")], [{"action": "update", "resource": "dynamodb:table/orders"}],
     {"SHD-UNDECLARED-CHANGE", "SHD-REPLACE-STATEFUL", "SHD-EFFECT-MISSING"}),
    ("pitr turned off undeclared field",
     [change("dynamodb:table/orders", "update", fields=[(PITR, "ENABLED", "DISABLED")])],
     [{"action": "update", "resource": "dynamodb:table/orders", "fields": ["BillingModeSummary"]}],
     {"SHD-UNDECLARED-FIELD", "SHD-BACKUP-REMOVED"}),
    ("snapshot deleted with its database",
     [change("rds:db/prod-db", "delete", unit="rows", deleted=1_900_000),
      change("rds:snapshot/prod-db-pre", "delete", refs={"db": "rds:db/prod-db"})],
     [{"action": "delete", "resource": "rds:db/prod-db"}, {"action": "delete", "resource": "rds:snapshot/*"}],
     {"SHD-BACKUP-REMOVED"}),
    ("public bucket policy",
     [change("s3:bucket/exports", "update", fields=[("Policies.BucketPolicy", None, {})],
             grants=[Grant("*", "s3:GetObject", "arn:aws:s3:::exports/*", "bucket policy", False, True)])],
     [{"action": "update", "resource": "s3:bucket/exports"}], {"SHD-PUBLIC-ACCESS"}),
    ("undeclared grant to a role",
     [change("s3:bucket/exports", "update", fields=[("Policies.BucketPolicy", None, {})],
             grants=[Grant(ROLE, "s3:PutObject", "arn:aws:s3:::exports/*", "bucket policy")])],
     [{"action": "update", "resource": "s3:bucket/exports"}], {"SHD-ACCESS-WIDENED"}),
    ("declared grant to a role",
     [change("s3:bucket/exports", "update", fields=[("Policies.BucketPolicy", None, {})],
             grants=[Grant(ROLE, "s3:GetObject", "arn:aws:s3:::exports/*", "bucket policy")])],
     [{"action": "update", "resource": "s3:bucket/exports"}], set()),
    ("admin attached undeclared",
     [change("iam:role/deployer", "update", fields=[("AttachedPolicies", [], ["x"])],
             grants=[Grant("arn:aws:iam::210987654321:role/deployer", "*", "*", "AWS managed AdministratorAccess")])],
     [{"action": "update", "resource": "iam:role/deployer"}], {"SHD-ACCESS-WIDENED"}),
    ("new user with key undeclared",
     [change("iam:user/backdoor", "create")], [], {"SHD-UNDECLARED-CHANGE", "SHD-NEW-CREDENTIALS"}),
    ("world-open security group rule",
     [change("ec2:security-group/db", "update", fields=[("IpPermissions", [], [{}])],
             grants=[Grant("0.0.0.0/0", "ingress:tcp:5432", "ec2:security-group/db", "sg", False, True)])],
     [{"action": "update", "resource": "ec2:security-group/db"}], {"SHD-PUBLIC-ACCESS"}),
]
ACCESS = [{"principal": ROLE, "actions": ["s3:GetObject"], "resource": "arn:aws:s3:::exports/*"}]


@pytest.mark.parametrize(("name", "changes", "effects", "expected"), CASES, ids=[c[0] for c in CASES])
def test_blocking_rules(name, changes, effects, expected):
    found = findings_for(changeset(*changes), intent(effects, access=ACCESS))
    assert rules(found, blocking=True) == expected


def test_declared_destructive_change_is_a_warning_not_a_block():
    found = findings_for(changeset(change("dynamodb:table/tmp", "delete", deleted=20)),
                         intent([{"action": "delete", "resource": "dynamodb:table/tmp"}]))
    assert {f.rule: f.severity for f in found} == {"SHD-DATA-LOSS": "warn", "SHD-DELETE-STATEFUL": "warn"}


def test_freeze_window_blocks_any_change():
    cfg = Config(freeze=[Window(dt.datetime(2025, 7, 10, tzinfo=dt.UTC), dt.datetime(2025, 7, 25, tzinfo=dt.UTC),
                                "code freeze")])
    cs = changeset(change("sqs:queue/x", "create"))
    it = intent([{"action": "create", "resource": "sqs:queue/x"}])
    inside = findings_for(cs, it, config=cfg, now=dt.datetime(2025, 7, 18, tzinfo=dt.UTC))
    outside = findings_for(cs, it, config=cfg, now=dt.datetime(2025, 7, 26, tzinfo=dt.UTC))
    assert rules(inside, blocking=True) == {"SHD-FREEZE"}
    assert rules(outside, blocking=True) == set()


def test_protected_address_blocks_even_when_declared_and_waived():
    cfg = Config(protected=["rds:db/prod-*"],
                 waivers=[Waiver("SHD-PROTECTED", "rds:db/prod-db", "please")])
    found = findings_for(changeset(change("rds:db/prod-db", "delete")),
                         intent([{"action": "delete", "resource": "rds:db/prod-db"}]), config=cfg)
    assert "SHD-PROTECTED" in rules(found, blocking=True)


def test_waiver_keeps_the_finding_visible_but_not_blocking():
    cfg = Config(waivers=[Waiver("SHD-DATA-LOSS", "dynamodb:table/scratch-*", "scratch tables")])
    cs = changeset(change("dynamodb:table/scratch-1", "update", deleted=3))
    found = findings_for(cs, intent([{"action": "update", "resource": "dynamodb:table/scratch-1",
                                      "data": {"deleted": 0}}]), config=cfg)
    loss = [f for f in found if f.rule == "SHD-DATA-LOSS"]
    assert loss and loss[0].waived_by == "scratch tables" and not loss[0].blocking
    assert "SHD-DATA-BOUND" in rules(found, blocking=True)  # the intent still says 0 deletions


def test_severity_override_and_off():
    cs = changeset(change("dynamodb:table/orders", "update", deleted=1))
    it = intent([{"action": "update", "resource": "dynamodb:table/orders", "data": {"deleted": 1}}])
    assert "SHD-DATA-LOSS" in rules(findings_for(cs, it, config=Config(severities={"SHD-DATA-LOSS": "block"})),
                                    blocking=True)
    assert "SHD-DATA-LOSS" not in rules(findings_for(cs, it, config=Config(severities={"SHD-DATA-LOSS": "off"})))


def test_egress_and_failed_change_block_even_without_changes():
    facts = ExecutionFacts(returncode=1, failed="call 2 failed",
                           egress=[{"destination": "exfil.invalid:443", "how": "proxy-connect", "detail": ""}],
                           hardwired=["s3.us-east-1.amazonaws.com"])
    found = findings_for(changeset(), intent(), execution=facts)
    assert rules(found, blocking=True) == {"SHD-EGRESS", "SHD-CHANGE-FAILED"}
    assert "SHD-HARDWIRED-ENDPOINT" in rules(found, blocking=False)
    assert any("exfil.invalid:443" in f.message for f in found)
