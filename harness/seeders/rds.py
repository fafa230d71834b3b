"""RDS seeder: DB subnet groups, DB clusters and DB instances (with a placeholder master
password), manual snapshots of both (CreateDBSnapshot, CreateDBClusterSnapshot) and
their restore sharing.

Automated snapshots cannot be created through the API: the sandbox makes its own when
an instance or cluster is created. Production's automated snapshots of a source are
mapped onto the sandbox's, newest first, with an alias from the sandbox's name to
production's; one the sandbox has no counterpart for is a seed problem (it cannot be
simulated), and a sandbox one production does not have is deleted.
"""

from __future__ import annotations

from typing import Any

from botocore import xform_name

from harness.collectors.rds import SNAPSHOT_KINDS, SnapshotKind, is_automated
from harness.estate.address import make_address
from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder, operation_name

PLACEHOLDER_PASSWORD = "shadow-sandbox-placeholder-0"  # the real one is never captured

_DB_COPIED = (
    "DBInstanceClass", "Engine", "EngineVersion", "MasterUsername", "AllocatedStorage", "StorageType", "Iops",
    "StorageThroughput", "MaxAllocatedStorage", "BackupRetentionPeriod", "PreferredBackupWindow",
    "PreferredMaintenanceWindow", "MultiAZ", "DeletionProtection", "PubliclyAccessible", "StorageEncrypted",
    "Port", "DBName", "AutoMinorVersionUpgrade", "CopyTagsToSnapshot", "LicenseModel",
    "CACertificateIdentifier", "NetworkType", "MonitoringInterval", "MonitoringRoleArn", "CharacterSetName",
    "NcharCharacterSetName", "Timezone",
)
_MEMBER_COPIED = (  # a cluster member takes engine version, storage, backups and users from its cluster
    "DBInstanceClass", "Engine", "PubliclyAccessible", "AutoMinorVersionUpgrade", "PromotionTier",
    "CACertificateIdentifier", "MonitoringInterval", "MonitoringRoleArn", "PreferredMaintenanceWindow",
)
_CLUSTER_COPIED = (
    "Engine", "EngineVersion", "EngineMode", "MasterUsername", "DatabaseName", "Port", "BackupRetentionPeriod",
    "PreferredBackupWindow", "PreferredMaintenanceWindow", "DeletionProtection", "StorageEncrypted",
    "CopyTagsToSnapshot", "StorageType", "NetworkType", "DBClusterInstanceClass", "BacktrackWindow",
    "AvailabilityZones", "ServerlessV2ScalingConfiguration",
)
_RENAMED = {
    "IAMDatabaseAuthenticationEnabled": "EnableIAMDatabaseAuthentication",
    "EnabledCloudwatchLogsExports": "EnableCloudwatchLogsExports",
    "PerformanceInsightsEnabled": "EnablePerformanceInsights",
    "HttpEndpointEnabled": "EnableHttpEndpoint",
}
_SNAPSHOT_CHECKED = ("Engine", "EngineVersion", "AllocatedStorage", "StorageType", "Encrypted", "StorageEncrypted",
                     "Port")
# per snapshot type: create operation, its response key, sharing operation
_SNAPSHOT_OPS = {
    "snapshot": ("create_db_snapshot", "DBSnapshot", "modify_db_snapshot_attribute", "delete_db_snapshot"),
    "cluster-snapshot": ("create_db_cluster_snapshot", "DBClusterSnapshot", "modify_db_cluster_snapshot_attribute",
                         "delete_db_cluster_snapshot"),
}


def _common(res: Resource, cfg: dict[str, Any], copied: tuple[str, ...]) -> dict[str, Any]:
    """Parameters shared by CreateDBInstance and CreateDBCluster (references already resolved)."""
    params = {k: cfg[k] for k in copied if cfg.get(k) not in (None, [], "", {})}
    params.update({new: cfg[old] for old, new in _RENAMED.items() if cfg.get(old) not in (None, [])})
    if cfg.get("StorageEncrypted") and cfg.get("KmsKeyId"):
        params["KmsKeyId"] = cfg["KmsKeyId"]
    if cfg.get("DBSubnetGroup"):
        params["DBSubnetGroupName"] = str(cfg["DBSubnetGroup"]).rsplit(":", 1)[-1]
    if cfg.get("VpcSecurityGroups"):
        params["VpcSecurityGroupIds"] = cfg["VpcSecurityGroups"]
    if "MasterUsername" in params:
        if cfg.get("MasterUserSecret"):
            params["ManageMasterUserPassword"] = True
        else:
            params["MasterUserPassword"] = PLACEHOLDER_PASSWORD
    if res.tags:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in res.tags.items()]
    return params


def create_db_params(res: Resource, cfg: dict[str, Any]) -> dict[str, Any]:
    """CreateDBInstance parameters from a captured instance (references already resolved)."""
    member = bool(cfg.get("DBClusterIdentifier"))
    params = {"DBInstanceIdentifier": res.name, **_common(res, cfg, _MEMBER_COPIED if member else _DB_COPIED)}
    if member:
        params["DBClusterIdentifier"] = cfg["DBClusterIdentifier"]
        params.pop("DBSubnetGroupName", None)  # set on the cluster
        params.pop("VpcSecurityGroupIds", None)
    if cfg.get("AvailabilityZone") and not cfg.get("MultiAZ"):
        params["AvailabilityZone"] = cfg["AvailabilityZone"]
    custom = [g for g in cfg.get("DBParameterGroups") or [] if not g.startswith("default.")]
    if custom:
        params["DBParameterGroupName"] = custom[0]
    options = [g for g in cfg.get("OptionGroups") or [] if not g.startswith("default:")]
    if options:
        params["OptionGroupName"] = options[0]
    return params


def create_cluster_params(res: Resource, cfg: dict[str, Any]) -> dict[str, Any]:
    """CreateDBCluster parameters from a captured cluster (references already resolved)."""
    params = {"DBClusterIdentifier": res.name, **_common(res, cfg, _CLUSTER_COPIED)}
    group = cfg.get("DBClusterParameterGroup")
    if group and not group.startswith("default."):
        params["DBClusterParameterGroupName"] = group
    return params


class RDSSeeder(Seeder):
    service = "rds"
    after = ("ec2", "kms", "iam")

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        of: dict[str, list[Resource]] = {}
        for res in resources:
            of.setdefault(res.type, []).append(res)
        ctx.map(lambda g: self._subnet_group(ctx, g), of.get("subnet-group", []))
        ctx.map(lambda c: self._create(ctx, c, "CreateDBCluster", create_cluster_params), of.get("cluster", []))
        dbs = of.get("db", [])
        ctx.map(lambda d: self._create(ctx, d, "CreateDBInstance", create_db_params),
                [d for d in dbs if "cluster" not in d.refs])
        for member in sorted((d for d in dbs if "cluster" in d.refs), key=lambda d: not _is_writer(ctx, d)):
            self._create(ctx, member, "CreateDBInstance", create_db_params)  # the writer first, as in production
        for kind in SNAPSHOT_KINDS:
            self._snapshots(ctx, kind, of.get(kind.source_type, []), of.get(kind.type, []))

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

    def _create(self, ctx: SeedContext, res: Resource, operation: str, build: Any) -> None:
        rds = ctx.client("rds", res.region)
        cfg = ctx.ref(res.config)
        if cfg.get("ReadReplicaSourceDBInstanceIdentifier"):
            ctx.problem(res.address, operation, "read replicas are not seeded")
            return
        created = ctx.attempt(res, operation, lambda: getattr(rds, xform_name(operation))(**build(res, cfg)))
        if created is None:
            return
        if operation == "CreateDBCluster":
            made = created["DBCluster"]
            ctx.ids.record(res, sandbox_id=made.get("DbClusterResourceId"), sandbox_arn=made.get("DBClusterArn"))
        else:
            made = created["DBInstance"]
            ctx.ids.record(res, sandbox_id=made.get("DbiResourceId"), sandbox_arn=made.get("DBInstanceArn"))
        if res.data is not None:
            ctx.record_units(res, 0)  # the sandbox database holds no rows

    def _snapshots(self, ctx: SeedContext, kind: SnapshotKind, sources: list[Resource],
                   snapshots: list[Resource]) -> None:
        automated = [s for s in snapshots if is_automated(s.config)]
        seeded = {s.address for s in sources if s.address in ctx.ids.arns}
        for source in sources:
            if source.address in seeded:
                self._map_automated(ctx, kind, source, [s for s in automated if s.refs.get(kind.ref) == source.address])
        for snap in automated:
            if snap.refs.get(kind.ref) not in {s.address for s in sources}:
                ctx.problem(snap.address, "map", "an automated snapshot of something that is gone cannot be "
                                                 "recreated in the sandbox")
        ctx.map(lambda s: self._manual(ctx, kind, s, seeded), [s for s in snapshots if not is_automated(s.config)])

    def _map_automated(self, ctx: SeedContext, kind: SnapshotKind, source: Resource,
                       automated: list[Resource]) -> None:
        """Pair production's automated snapshots of ``source`` with the sandbox's, newest first."""
        rds = ctx.client("rds", source.region)
        found = ctx.attempt(source, kind.describe, lambda: getattr(rds, xform_name(kind.describe))(
            **{kind.source_key: source.name, "SnapshotType": "automated"}))
        if found is None:
            return
        sandbox = sorted(found.get(kind.list_key, []), key=lambda s: str(s.get("SnapshotCreateTime")), reverse=True)
        prod = sorted(automated, key=lambda s: str(s.identity.get("SnapshotCreateTime")), reverse=True)
        primary = ctx.snapshot.source.primary_region
        for res, mine in zip(prod, sandbox, strict=False):
            ctx.ids.record(res, sandbox_arn=mine.get(kind.arn_key))
            ctx.ids.alias(res, make_address("rds", kind.type, mine[kind.id_key], res.region, primary))
        for res in prod[len(sandbox):]:
            ctx.problem(res.address, "map", "the sandbox makes one automated snapshot per "
                                            f"{kind.source_type}; this older one cannot be recreated")
        delete = getattr(rds, _SNAPSHOT_OPS[kind.type][3])
        for mine in sandbox[len(prod):]:
            ctx.attempt(source, operation_name(delete), lambda s=mine: delete(**{kind.id_key: s[kind.id_key]}))

    def _manual(self, ctx: SeedContext, kind: SnapshotKind, res: Resource, seeded: set[str]) -> None:
        rds = ctx.client("rds", res.region)
        create_name, response_key, share_name, _delete = _SNAPSHOT_OPS[kind.type]
        create, share = getattr(rds, create_name), getattr(rds, share_name)
        if res.refs.get(kind.ref) not in seeded:
            ctx.problem(res.address, operation_name(create),
                        f"its source {res.refs.get(kind.ref)} is not in the sandbox")
            return
        params: dict[str, Any] = {kind.id_key: res.name, kind.source_key: res.config[kind.source_key]}
        if res.tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in res.tags.items()]
        created = ctx.attempt(res, operation_name(create), lambda: create(**params))
        if created is None:
            return
        snap = created[response_key]
        ctx.ids.record(res, sandbox_arn=snap.get(kind.arn_key))
        for key in _SNAPSHOT_CHECKED:  # taken from the source as it is now, not as it was
            if key in res.config and res.config[key] != snap.get(key):
                ctx.problem(res.address, operation_name(create), f"the sandbox snapshot has {key} {snap.get(key)!r}, "
                                                                 f"production's has {res.config[key]!r}")
        shared = [v for v in res.policies.get("restore") or [] if v]
        if shared:
            ctx.attempt(res, operation_name(share), lambda: share(
                **{kind.id_key: res.name, "AttributeName": "restore", "ValuesToAdd": shared}))


def _is_writer(ctx: SeedContext, db: Resource) -> bool:
    cluster = ctx.snapshot.resources.get(db.refs.get("cluster", ""))
    members = (cluster.config.get("DBClusterMembers") or []) if cluster else []
    return any(m.get("DBInstanceIdentifier") == db.name and m.get("IsClusterWriter") for m in members)

