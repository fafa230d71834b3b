"""RDS seeder: DB subnet groups, DB instances (with a placeholder master password),
manual snapshots (CreateDBSnapshot) and their restore sharing.

Automated snapshots cannot be created through the API: the sandbox makes its own when
an instance is created. Production's automated snapshots of an instance are mapped
onto the sandbox's, newest first, with an alias from the sandbox's name to
production's; one the sandbox has no counterpart for is a seed problem (it cannot be
simulated), and a sandbox one production does not have is deleted.
"""

from __future__ import annotations

from typing import Any

from harness.collectors.rds import is_automated
from harness.estate.address import make_address
from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder

PLACEHOLDER_PASSWORD = "shadow-sandbox-placeholder-0"  # the real one is never captured

_COPIED = (
    "DBInstanceClass", "Engine", "EngineVersion", "MasterUsername", "AllocatedStorage", "StorageType", "Iops",
    "StorageThroughput", "MaxAllocatedStorage", "BackupRetentionPeriod", "PreferredBackupWindow",
    "PreferredMaintenanceWindow", "MultiAZ", "DeletionProtection", "PubliclyAccessible", "StorageEncrypted",
    "KmsKeyId", "Port", "DBName", "AutoMinorVersionUpgrade", "CopyTagsToSnapshot", "LicenseModel",
    "CACertificateIdentifier", "NetworkType", "MonitoringInterval", "MonitoringRoleArn", "CharacterSetName",
    "NcharCharacterSetName", "Timezone",
)
_RENAMED = {
    "IAMDatabaseAuthenticationEnabled": "EnableIAMDatabaseAuthentication",
    "EnabledCloudwatchLogsExports": "EnableCloudwatchLogsExports",
    "PerformanceInsightsEnabled": "EnablePerformanceInsights",
}
_SNAPSHOT_CHECKED = ("Engine", "EngineVersion", "AllocatedStorage", "StorageType", "Encrypted", "Port")


def create_db_params(res: Resource, cfg: dict[str, Any]) -> dict[str, Any]:
    """CreateDBInstance parameters from a captured instance (references already resolved)."""
    params: dict[str, Any] = {"DBInstanceIdentifier": res.name}
    params.update({k: cfg[k] for k in _COPIED if cfg.get(k) not in (None, [], "")})
    params.update({new: cfg[old] for old, new in _RENAMED.items() if cfg.get(old) not in (None, [])})
    if cfg.get("AvailabilityZone") and not cfg.get("MultiAZ"):
        params["AvailabilityZone"] = cfg["AvailabilityZone"]
    if cfg.get("DBSubnetGroup"):
        params["DBSubnetGroupName"] = str(cfg["DBSubnetGroup"]).rsplit(":", 1)[-1]
    if cfg.get("VpcSecurityGroups"):
        params["VpcSecurityGroupIds"] = cfg["VpcSecurityGroups"]
    custom = [g for g in cfg.get("DBParameterGroups") or [] if not g.startswith("default.")]
    if custom:
        params["DBParameterGroupName"] = custom[0]
    options = [g for g in cfg.get("OptionGroups") or [] if not g.startswith("default:")]
    if options:
        params["OptionGroupName"] = options[0]
    if cfg.get("MasterUserSecret"):
        params["ManageMasterUserPassword"] = True
    else:
        params["MasterUserPassword"] = PLACEHOLDER_PASSWORD
    if res.tags:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in res.tags.items()]
    return params


class RDSSeeder(Seeder):
    service = "rds"
    after = ("ec2", "kms", "iam")

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        of = {t: [r for r in resources if r.type == t] for t in ("db", "subnet-group", "snapshot")}
        automated = [s for s in of["snapshot"] if is_automated(s.config)]
        ctx.map(lambda g: self._subnet_group(ctx, g), of["subnet-group"])
        ctx.map(lambda d: self._db(ctx, d, [s for s in automated if s.refs.get("db") == d.address]), of["db"])
        seeded = {d.address for d in of["db"] if d.address in ctx.ids.arns}
        for snap in automated:
            if snap.refs.get("db") not in {d.address for d in of["db"]}:
                ctx.problem(snap.address, "map", "an automated snapshot of an instance that is gone cannot be "
                                                 "recreated in the sandbox")
        ctx.map(lambda s: self._snapshot(ctx, s, seeded), [s for s in of["snapshot"] if not is_automated(s.config)])

    def _subnet_group(self, ctx: SeedContext, res: Resource) -> None:
        rds = ctx.client("rds", res.region)
        cfg = ctx.ref(res.config)
        params: dict[str, Any] = {
            "DBSubnetGroupName": res.name,
            "DBSubnetGroupDescription": cfg.get("DBSubnetGroupDescription") or res.name,
            "SubnetIds": [s["SubnetIdentifier"] for s in cfg.get("Subnets") or []],
        }
        if res.tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in res.tags.items()]
        created = ctx.attempt(res, "CreateDBSubnetGroup", lambda: rds.create_db_subnet_group(**params))
        if created is not None:
            ctx.ids.record(res, sandbox_arn=created["DBSubnetGroup"].get("DBSubnetGroupArn"))

    def _db(self, ctx: SeedContext, res: Resource, automated: list[Resource]) -> None:
        rds = ctx.client("rds", res.region)
        cfg = ctx.ref(res.config)
        for key, what in (("ReadReplicaSourceDBInstanceIdentifier", "read replicas"),
                          ("DBClusterIdentifier", "cluster members")):
            if cfg.get(key):
                ctx.problem(res.address, "CreateDBInstance", f"{what} are not seeded")
                return
        created = ctx.attempt(res, "CreateDBInstance", lambda: rds.create_db_instance(**create_db_params(res, cfg)))
        if created is None:
            return
        inst = created["DBInstance"]
        ctx.ids.record(res, sandbox_id=inst.get("DbiResourceId"), sandbox_arn=inst.get("DBInstanceArn"))
        if res.data is not None:
            ctx.record_units(res, 0)  # the sandbox database holds no rows
        self._map_automated(ctx, res, automated)

    def _map_automated(self, ctx: SeedContext, db: Resource, automated: list[Resource]) -> None:
        """Pair production's automated snapshots of ``db`` with the sandbox's, newest first."""
        rds = ctx.client("rds", db.region)
        found = ctx.attempt(db, "DescribeDBSnapshots", lambda: rds.describe_db_snapshots(
            DBInstanceIdentifier=db.name, SnapshotType="automated"))
        if found is None:
            return
        sandbox = sorted(found.get("DBSnapshots", []), key=lambda s: str(s.get("SnapshotCreateTime")), reverse=True)
        prod = sorted(automated, key=lambda s: str(s.identity.get("SnapshotCreateTime")), reverse=True)
        primary = ctx.snapshot.source.primary_region
        for res, mine in zip(prod, sandbox, strict=False):
            ctx.ids.record(res, sandbox_arn=mine.get("DBSnapshotArn"))
            ctx.ids.alias(res, make_address("rds", "snapshot", mine["DBSnapshotIdentifier"], res.region, primary))
        for res in prod[len(sandbox):]:
            ctx.problem(res.address, "map", "the sandbox makes one automated snapshot per instance; "
                                            "this older one cannot be recreated")
        for mine in sandbox[len(prod):]:
            ctx.attempt(db, "DeleteDBSnapshot", lambda s=mine: rds.delete_db_snapshot(
                DBSnapshotIdentifier=s["DBSnapshotIdentifier"]))

    def _snapshot(self, ctx: SeedContext, res: Resource, seeded: set[str]) -> None:
        rds = ctx.client("rds", res.region)
        if res.refs.get("db") not in seeded:
            ctx.problem(res.address, "CreateDBSnapshot", f"its instance {res.refs.get('db')} is not in the sandbox")
            return
        params: dict[str, Any] = {"DBSnapshotIdentifier": res.name, "DBInstanceIdentifier": res.config[
            "DBInstanceIdentifier"]}
        if res.tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in res.tags.items()]
        created = ctx.attempt(res, "CreateDBSnapshot", lambda: rds.create_db_snapshot(**params))
        if created is None:
            return
        snap = created["DBSnapshot"]
        ctx.ids.record(res, sandbox_arn=snap.get("DBSnapshotArn"))
        for key in _SNAPSHOT_CHECKED:  # taken from the instance as it is now, not as it was
            if key in res.config and res.config[key] != snap.get(key):
                ctx.problem(res.address, "CreateDBSnapshot", f"the sandbox snapshot has {key} {snap.get(key)!r}, "
                                                             f"production's has {res.config[key]!r}")
        shared = [v for v in res.policies.get("restore") or [] if v]
        if shared:
            ctx.attempt(res, "ModifyDBSnapshotAttribute", lambda: rds.modify_db_snapshot_attribute(
                DBSnapshotIdentifier=res.name, AttributeName="restore", ValuesToAdd=shared))
