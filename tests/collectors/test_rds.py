"""RDS collector and seeder: expectations written from the estate recipe (harness/demo/estate.py)."""

from __future__ import annotations

import copy
import datetime as dt

import moto.rds.models as moto_rds
from deepdiff import DeepDiff

from harness.collectors.capture import capture
from harness.demo.estate import PROD_ACCOUNT, SECRET_VALUE, build_estate
from harness.diff.masks import comparable
from harness.estate.snapshot import dumps
from harness.sandbox.moto import MotoBackend
from harness.sandbox.session import Sandbox


def test_prod_db_configuration(infra_snapshot):
    res = infra_snapshot.resources["rds:db/prod-db"]
    cfg = res.config
    assert (cfg["Engine"], cfg["EngineVersion"], cfg["DBInstanceClass"]) == ("postgres", "16.3", "db.t3.medium")
    assert (cfg["StorageType"], cfg["AllocatedStorage"]) == ("gp3", 100)
    assert cfg["DeletionProtection"] is True
    assert cfg["BackupRetentionPeriod"] == 7
    assert cfg["MultiAZ"] is False
    assert cfg["StorageEncrypted"] is False
    assert cfg["MasterUsername"] == "app"
    assert cfg["DBSubnetGroup"] == "@rds:subnet-group/prod-db-subnets#arn"
    assert cfg["VpcSecurityGroups"] == ["@ec2:security-group/db"]
    assert res.tags == {"env": "prod", "data-class": "confidential"}
    assert res.data == {"unit": "rows", "count": None}  # unknown through the AWS API, not zero


def test_subnet_group_links_its_subnets(infra_snapshot):
    cfg = infra_snapshot.resources["rds:subnet-group/prod-db-subnets"].config
    assert cfg["VpcId"] == "@ec2:vpc/main"
    assert [s["SubnetIdentifier"] for s in cfg["Subnets"]] == ["@ec2:subnet/main-private-a",
                                                              "@ec2:subnet/main-private-b"]


def test_snapshots_name_their_database(infra_snapshot):
    manual = infra_snapshot.resources["rds:snapshot/prod-db-pre-migration"]
    assert manual.refs == {"db": "rds:db/prod-db"}
    assert manual.config["SnapshotType"] == "manual"
    assert manual.policies == {"restore": []}  # shared with nobody
    automated = [r for a, r in infra_snapshot.resources.items() if a.startswith("rds:snapshot/rds:prod-db-")]
    assert len(automated) == 1  # the emulator takes one when the instance is created, as AWS does
    assert automated[0].config["SnapshotType"] == "automated"
    assert automated[0].refs == {"db": "rds:db/prod-db"}


def test_the_master_password_is_never_captured(infra_snapshot):
    # the estate uses it as prod-db's master password and in the web task definition's environment
    assert SECRET_VALUE.encode() not in dumps(infra_snapshot)


def test_automated_snapshots_from_another_day_map_onto_the_sandbox(monkeypatch):
    """Production's automated snapshot has another name than the sandbox's; it is mapped, not lost."""
    yesterday = dt.datetime(2026, 1, 2, 3, 4)
    monkeypatch.setattr(moto_rds, "utcnow", lambda: yesterday)
    prod_backend = MotoBackend(account=PROD_ACCOUNT)
    prod_backend.start()  # the forked server keeps yesterday's clock for RDS
    monkeypatch.undo()
    try:
        build_estate(prod_backend.target(), services=("rds",))
        prod = capture(prod_backend.target(), regions=["us-east-1"], services=["ec2", "rds"])
    finally:
        prod_backend.stop()
    real = "rds:snapshot/rds:prod-db-2026-01-02-03-04"
    assert real in prod.resources
    older = copy.deepcopy(prod.resources[real])  # production keeps 7 days; the sandbox can make one
    older.address, older.name = "rds:snapshot/rds:prod-db-2026-01-01-03-04", "rds:prod-db-2026-01-01-03-04"
    older.arn = older.arn.replace("2026-01-02", "2026-01-01")
    older.identity["SnapshotCreateTime"] = "2026-01-01T03:04:00.000000Z"
    prod.resources[older.address] = older

    with Sandbox.open(prod) as box:
        mirror = box.capture()
        assert [p.address for p in box.seeded.problems] == [older.address]
        # the sandbox named its own automated snapshot after today; the alias maps it to production's
        snapshot_aliases = {sb: prod for sb, (prod, _name) in box.seeded.ids.aliases.items() if prod.startswith("rds:")}
        [(sandbox_address, production_address)] = snapshot_aliases.items()
        assert production_address == real
        assert sandbox_address.startswith("rds:snapshot/rds:prod-db-") and sandbox_address != real
        back = box.seeded.ids.sandbox_to_prod()
        for address, res in prod.resources.items():
            if address == older.address:
                assert address not in mirror.resources
                continue
            assert DeepDiff(comparable(res, reseeded=True),
                            comparable(mirror.resources[address], reseeded=True, id_map=back)) == {}, address
        assert set(mirror.resources) == set(prod.resources) - {older.address}
