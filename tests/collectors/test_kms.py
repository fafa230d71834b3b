"""KMS collector and seeder, checked against what the sample estate's recipe built."""

from __future__ import annotations

import datetime as dt

import pytest

from harness.collectors.kms import key_name
from harness.demo.estate import PROD_ACCOUNT, REGION
from harness.seeders.base import waiting_days


def test_app_data_key(prod_snapshot, prod_estate):
    key = prod_snapshot.resources["kms:key/app-data"]
    info = prod_estate[1]
    assert key.id == info.kms_key_id
    assert key.arn == f"arn:aws:kms:{REGION}:{PROD_ACCOUNT}:key/{info.kms_key_id}"
    assert key.config["KeyRotationEnabled"] is True
    assert key.config["KeyState"] == "Enabled"
    assert key.config["Description"] == "application data key"
    assert key.config["Aliases"] == ["alias/app-data"]
    assert key.tags == {"env": "prod"}
    assert key.policies["KeyPolicy"]["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{PROD_ACCOUNT}:root"}
    assert "CreationDate" in key.identity and "CreationDate" not in key.config


def test_key_pending_deletion_keeps_state_and_date(prod_snapshot):
    key = prod_snapshot.resources["kms:key/old-reports"]
    assert key.config["KeyState"] == "PendingDeletion"
    assert key.config["Enabled"] is False
    deletion = dt.datetime.fromisoformat(key.config["DeletionDate"].replace("Z", "+00:00"))
    created = dt.datetime.fromisoformat(key.identity["CreationDate"].replace("Z", "+00:00"))
    assert dt.timedelta(days=29) < deletion - created <= dt.timedelta(days=31)  # scheduled with a 30 day window


def test_aws_managed_keys_are_skipped(prod_snapshot):
    keys = sorted(a for a, r in prod_snapshot.resources.items() if r.service == "kms")
    assert keys == ["kms:key/app-data", "kms:key/old-reports"]


@pytest.mark.parametrize(("aliases", "expected"), [
    (["alias/zeta", "alias/alpha"], "alpha"),
    (["alias/team/data"], "team/data"),
    ([], "1234abcd-12ab-34cd-56ef-1234567890ab"),
])
def test_key_name_is_first_alias_else_id(aliases, expected):
    assert key_name("1234abcd-12ab-34cd-56ef-1234567890ab", aliases) == expected


@pytest.mark.parametrize(("deadline", "captured", "days"), [
    ("2026-12-25T07:00:00.000000Z", "2026-11-25T07:00:00Z", 30),
    ("2026-12-02T06:00:00.000000Z", "2026-11-25T07:00:00Z", 7),   # 6 days 23 h: rounded up to 7
    ("2026-12-10T08:00:00.000000Z", "2026-11-25T07:00:00Z", 16),  # 15 days 1 h: rounded up
    ("2026-11-26T07:00:00.000000Z", "2026-11-25T07:00:00Z", 7),   # below the minimum window
    (None, "2026-11-25T07:00:00Z", 30),                           # unknown: the longest (safest) window
])
def test_waiting_days(deadline, captured, days):
    assert waiting_days(deadline, captured) == days
