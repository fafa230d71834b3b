"""Intent matching (BUNDLE.md "Meaning"), as (change set, intent) -> findings pairs."""

from __future__ import annotations

import pytest

from harness.intent.match import check_assumes, field_covered, match
from tests.factories import change, changeset, intent, res, snapshot


@pytest.mark.parametrize(
    ("path", "declared", "covered"),
    [
        ("Attributes.RedrivePolicy", ("Attributes.RedrivePolicy",), True),
        ("Attributes.RedrivePolicy.maxReceiveCount", ("Attributes.RedrivePolicy",), True),
        ("Attributes.Policy", ("Attributes.RedrivePolicy",), False),
        ("Attributes", ("Attributes.RedrivePolicy",), False),
        ("Tags.team", ("Tags.*",), True),
        ("Lifecycle.0.Expiration.Days", ("Lifecycle",), True),
        ("MemorySize", ("Timeout", "MemorySize"), True),
    ],
)
def test_field_coverage(path, declared, covered):
    assert field_covered(path, declared) is covered


CASES = [
    # (name, changes, effects, expected finding rules)
    ("declared create", [change("sqs:queue/orders-dlq", "create")],
     [{"action": "create", "resource": "sqs:queue/orders-dlq"}], set()),
    ("undeclared create", [change("sqs:queue/other", "create")],
     [{"action": "create", "resource": "sqs:queue/orders-dlq"}], {"SHD-UNDECLARED-CHANGE", "SHD-EFFECT-MISSING"}),
    ("declared effect missing", [], [{"action": "delete", "resource": "s3:bucket/tmp"}], {"SHD-EFFECT-MISSING"}),
    ("optional effect may not happen", [], [{"action": "delete", "resource": "s3:bucket/tmp", "optional": True}],
     set()),
    ("update declared but replaced", [change("dynamodb:table/orders", "replace")],
     [{"action": "update", "resource": "dynamodb:table/orders"}], {"SHD-UNDECLARED-CHANGE", "SHD-EFFECT-MISSING"}),
    ("glob covers many", [change("s3:bucket/a", "update", fields=[("Tags.team", None, "x")]),
                          change("s3:bucket/b", "update", fields=[("Tags.team", None, "x")])],
     [{"action": "update", "resource": "s3:bucket/*", "fields": ["Tags.*"]}], set()),
    ("field outside declared",
     [change("sqs:queue/orders", "update",
             fields=[("Attributes.RedrivePolicy", None, {}), ("Attributes.Policy", None, {})])],
     [{"action": "update", "resource": "sqs:queue/orders", "fields": ["Attributes.RedrivePolicy"]}],
     {"SHD-UNDECLARED-FIELD"}),
    ("data without bounds", [change("dynamodb:table/orders", "update", updated=5)],
     [{"action": "update", "resource": "dynamodb:table/orders"}], {"SHD-DATA-BOUND"}),
    ("data within bounds", [change("dynamodb:table/orders", "update", updated=100)],
     [{"action": "update", "resource": "dynamodb:table/orders", "data": {"updated": "<=100"}}], set()),
    ("data beyond bounds", [change("dynamodb:table/orders", "update", updated=101)],
     [{"action": "update", "resource": "dynamodb:table/orders", "data": {"updated": "<=100"}}], {"SHD-DATA-BOUND"}),
    ("omitted kind means none", [change("dynamodb:table/orders", "update", updated=3, deleted=1)],
     [{"action": "update", "resource": "dynamodb:table/orders", "data": {"updated": "<=100"}}], {"SHD-DATA-BOUND"}),
    ("declared delete implies its data", [change("dynamodb:table/tmp", "delete", deleted=50)],
     [{"action": "delete", "resource": "dynamodb:table/tmp"}], set()),
]


@pytest.mark.parametrize(("name", "changes", "effects", "expected"), CASES, ids=[c[0] for c in CASES])
def test_intent(name, changes, effects, expected):
    result = match(intent(effects), changeset(*changes))
    assert {f.rule for f in result.findings} == expected


def test_rows_show_what_each_effect_covered():
    result = match(intent([{"action": "update", "resource": "s3:bucket/*"}]),
                   changeset(change("s3:bucket/a", "update", fields=[("Tags.x", None, "1")])))
    assert result.rows[0].covered == ["s3:bucket/a"]
    assert result.rows[0].status == "happened"


def test_assumptions_checked_against_the_snapshot():
    snap = snapshot(res("rds:db/prod-db"), res("s3:bucket/reports"))
    ok = intent(assumes={"exists": ["rds:db/prod-db"], "absent": ["s3:bucket/new-reports"]})
    assert check_assumes(ok, snap) == []
    stale = intent(assumes={"exists": ["rds:db/old-db"], "absent": ["s3:bucket/rep*"]})
    found = check_assumes(stale, snap)
    assert [f.rule for f in found] == ["SHD-STALE-ASSUMPTION", "SHD-STALE-ASSUMPTION"]
    assert "rds:db/old-db" in found[0].message
    assert "s3:bucket/reports" in found[1].message
