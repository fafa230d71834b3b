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
from tests.roundtrip import roundtrip


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


def test_clusters_members_and_cluster_snapshots_round_trip(fresh_prod):
    build_estate(fresh_prod.target(), services=("rds",))
    rds = fresh_prod.target().client("rds")
    rds.create_db_cluster(DBClusterIdentifier="orders-aurora", Engine="aurora-postgresql", EngineVersion="16.1",
                          MasterUsername="app", MasterUserPassword=SECRET_VALUE, DeletionProtection=True,
                          BackupRetentionPeriod=5, DBSubnetGroupName="prod-db-subnets",
                          Tags=[{"Key": "env", "Value": "prod"}])
    for member in ("orders-aurora-1", "orders-aurora-2"):
        rds.create_db_instance(DBInstanceIdentifier=member, DBClusterIdentifier="orders-aurora",
                               Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
    rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="orders-before-upgrade",
                                   DBClusterIdentifier="orders-aurora")

    prod, _mirror, diffs, box = roundtrip(fresh_prod.target(), ["ec2", "rds"])
    try:
        cluster = prod.resources["rds:cluster/orders-aurora"]
        assert cluster.config["DeletionProtection"] is True
        assert cluster.config["BackupRetentionPeriod"] == 5
        assert cluster.config["DBSubnetGroup"] == "@rds:subnet-group/prod-db-subnets#arn"
        assert {m["DBInstanceIdentifier"]: m["IsClusterWriter"] for m in cluster.config["DBClusterMembers"]} == {
            "orders-aurora-1": True, "orders-aurora-2": False}
        assert prod.resources["rds:db/orders-aurora-2"].refs == {"cluster": "rds:cluster/orders-aurora"}
        manual = prod.resources["rds:cluster-snapshot/orders-before-upgrade"]
        assert manual.refs == {"cluster": "rds:cluster/orders-aurora"}
        assert any(a.startswith("rds:cluster-snapshot/rds:orders-aurora-") for a in prod.resources)
        assert SECRET_VALUE.encode() not in dumps(prod)
        assert not box.seeded.problems, box.seeded.problems
        assert diffs == {}
    finally:
        box.close()
