"""RDS: DB instances, Aurora-style DB clusters, DB subnet groups, and manual and
automated snapshots of both.

The master password is never readable through the API and never captured. Row counts
are not visible through the AWS API either: a database's data is
``{"unit": "rows", "count": null}`` (unknown, not zero); a later option that connects
to the database may fill it. Snapshots name their source in ``refs`` (``db`` or
``cluster``) so that a report can say "deletes rds:db/prod-db and both of its snapshots".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, tags_dict
from harness.estate.snapshot import Resource

_SNAPSHOT_VOLATILE = ("config.Status", "config.PercentProgress")
_SNAPSHOT_IDENTITY = ("SnapshotCreateTime", "OriginalSnapshotCreateTime", "InstanceCreateTime", "ClusterCreateTime")

RULES = ServiceRules(
    volatile={
        "db": ("config.DBInstanceStatus", "config.LatestRestorableTime", "config.PendingModifiedValues"),
        "cluster": ("config.Status", "config.LatestRestorableTime", "config.EarliestRestorableTime",
                    "config.PendingModifiedValues"),
        "subnet-group": ("config.SubnetGroupStatus", "config.Subnets.*.SubnetStatus"),
        "snapshot": _SNAPSHOT_VOLATILE,
        "cluster-snapshot": _SNAPSHOT_VOLATILE,
    },
    identity={
        "db": ("DbiResourceId", "InstanceCreateTime", "Endpoint.Address"),
        "cluster": ("DbClusterResourceId", "ClusterCreateTime", "Endpoint", "ReaderEndpoint", "HostedZoneId"),
        "snapshot": _SNAPSHOT_IDENTITY,
        "cluster-snapshot": _SNAPSHOT_IDENTITY,
    },
    why={
        "config.DBInstanceStatus": "transient (creating/backing-up/modifying/available)",
        "config.Status": "transient: a cluster or snapshot is creating, then available",
        "config.LatestRestorableTime": "moves forward every few minutes",
        "config.EarliestRestorableTime": "moves forward with the backup retention window",
        "config.PendingModifiedValues": "changes waiting for the maintenance window; they show once applied",
        "config.SubnetGroupStatus": "Complete/Incomplete follows the subnets, not an edit of the group",
        "config.Subnets.*.SubnetStatus": "Active/Inactive follows the subnet, not an edit of the group",
        "config.PercentProgress": "a snapshot's copy progress",
        "identity.*": "resource ids, creation times and endpoint host names are new when a resource is recreated",
    },
    unordered={
        "db": ("config.VpcSecurityGroups", "config.DBParameterGroups", "config.OptionGroups",
               "config.EnabledCloudwatchLogsExports"),
        "cluster": ("config.VpcSecurityGroups", "config.DBClusterMembers", "config.AvailabilityZones",
                    "config.EnabledCloudwatchLogsExports"),
        "subnet-group": ("config.Subnets",),
    },
)

AUTOMATED = "automated"
_DB_DROP = {
    "DBInstanceIdentifier", "DBInstanceArn", "DbiResourceId", "InstanceCreateTime", "TagList", "Endpoint",
    "DBSubnetGroup", "VpcSecurityGroups", "DBParameterGroups", "OptionGroupMemberships", "DBSecurityGroups",
    "MasterUserPassword", "ActivityStreamKinesisStreamName", "CertificateDetails", "DbInstancePort",
}
_CLUSTER_DROP = {
    "DBClusterIdentifier", "DBClusterArn", "DbClusterResourceId", "ClusterCreateTime", "TagList", "Endpoint",
    "ReaderEndpoint", "CustomEndpoints", "HostedZoneId", "DBSubnetGroup", "VpcSecurityGroups", "DBClusterMembers",
    "MasterUserPassword", "ActivityStreamKinesisStreamName",
}


@dataclass(frozen=True)
class SnapshotKind:
    """What differs between DB snapshots and DB cluster snapshots (same shape otherwise)."""

    type: str  # resource type: snapshot | cluster-snapshot
    source_type: str  # the type it is taken from: db | cluster
    ref: str  # refs key naming the source
    source_key: str  # DBInstanceIdentifier | DBClusterIdentifier
    id_key: str  # DBSnapshotIdentifier | DBClusterSnapshotIdentifier
    arn_key: str
    describe: str  # the listing operation
    list_key: str
    attributes: str  # the sharing-attributes operation
    attributes_result: str
    attributes_key: str


DB_SNAPSHOTS = SnapshotKind(
    "snapshot", "db", "db", "DBInstanceIdentifier", "DBSnapshotIdentifier", "DBSnapshotArn", "DescribeDBSnapshots",
    "DBSnapshots", "DescribeDBSnapshotAttributes", "DBSnapshotAttributesResult", "DBSnapshotAttributes")
CLUSTER_SNAPSHOTS = SnapshotKind(
    "cluster-snapshot", "cluster", "cluster", "DBClusterIdentifier", "DBClusterSnapshotIdentifier",
    "DBClusterSnapshotArn", "DescribeDBClusterSnapshots", "DBClusterSnapshots", "DescribeDBClusterSnapshotAttributes",
    "DBClusterSnapshotAttributesResult", "DBClusterSnapshotAttributes")
SNAPSHOT_KINDS = (DB_SNAPSHOTS, CLUSTER_SNAPSHOTS)


def is_automated(snapshot: dict[str, Any]) -> bool:
    return snapshot.get("SnapshotType") == AUTOMATED


def subnet_group_arn(name: str | None, cluster_arn: str | None) -> str | None:
    """Clusters name their subnet group without its ARN; build it so that it links like an instance's."""
    if not name or not cluster_arn:
        return name
    partition, region, account = cluster_arn.split(":")[1], cluster_arn.split(":")[3], cluster_arn.split(":")[4]
    return f"arn:{partition}:rds:{region}:{account}:subgrp:{name}"


class RDSCollector(Collector):
    service = "rds"
    client_name = "rds"
    types = ("db", "cluster", "subnet-group", "snapshot", "cluster-snapshot")
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        rds = ctx.client()
        yield from (self._db(ctx, i) for i in ctx.paginate(rds, "DescribeDBInstances", "DBInstances") or [])
        yield from (self._cluster(ctx, c) for c in ctx.paginate(rds, "DescribeDBClusters", "DBClusters") or [])
        # instances, clusters and automated snapshots are built from their listings; subnet groups
        # (tags) and manual snapshots (sharing attributes) take a read each, so they can be carried
        groups = ctx.paginate(rds, "DescribeDBSubnetGroups", "DBSubnetGroups")
        groups = [g for g in groups or []
                  if not ctx.carry(ctx.address("subnet-group", g["DBSubnetGroupName"]), g.get("DBSubnetGroupArn"))]
        yield from ctx.map(lambda g: self._subnet_group(ctx, g), groups)
        for kind in SNAPSHOT_KINDS:
            snapshots = [s for s in ctx.paginate(rds, kind.describe, kind.list_key) or [] if is_automated(s)
                         or not ctx.carry(ctx.address(kind.type, s[kind.id_key]), s.get(kind.arn_key))]
            yield from ctx.map(lambda s, k=kind: self._snapshot(ctx, k, s), snapshots)

    def _db(self, ctx: CaptureContext, inst: dict[str, Any]) -> Resource:
        name = inst["DBInstanceIdentifier"]
        config = {k: v for k, v in inst.items() if k not in _DB_DROP}
        endpoint = inst.get("Endpoint") or {}
        config["Port"] = endpoint.get("Port", inst.get("DbInstancePort"))
        group = inst.get("DBSubnetGroup") or {}
        config["DBSubnetGroup"] = group.get("DBSubnetGroupArn") or group.get("DBSubnetGroupName")
        config["VpcSecurityGroups"] = [g["VpcSecurityGroupId"] for g in inst.get("VpcSecurityGroups") or []]
        config["DBParameterGroups"] = [g["DBParameterGroupName"] for g in inst.get("DBParameterGroups") or []]
        config["OptionGroups"] = [g["OptionGroupName"] for g in inst.get("OptionGroupMemberships") or []]
        cluster = inst.get("DBClusterIdentifier")
        identity = {"DbiResourceId": inst.get("DbiResourceId"), "InstanceCreateTime": inst.get("InstanceCreateTime"),
                    "Endpoint.Address": endpoint.get("Address")}
        return _database(ctx, "db", name, inst, inst.get("DbiResourceId"), inst.get("DBInstanceArn"), config,
                         identity, {"cluster": ctx.address("cluster", cluster)} if cluster else {})

    def _cluster(self, ctx: CaptureContext, cluster: dict[str, Any]) -> Resource:
        name = cluster["DBClusterIdentifier"]
        config = {k: v for k, v in cluster.items() if k not in _CLUSTER_DROP}
        config["DBSubnetGroup"] = subnet_group_arn(cluster.get("DBSubnetGroup"), cluster.get("DBClusterArn"))
        config["VpcSecurityGroups"] = [g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups") or []]
        config["DBClusterMembers"] = [{k: m[k] for k in ("DBInstanceIdentifier", "IsClusterWriter", "PromotionTier")
                                       if k in m} for m in cluster.get("DBClusterMembers") or []]
        identity = {k: cluster.get(k) for k in ("DbClusterResourceId", "ClusterCreateTime", "Endpoint",
                                                 "ReaderEndpoint", "HostedZoneId")}
        return _database(ctx, "cluster", name, cluster, cluster.get("DbClusterResourceId"), cluster.get("DBClusterArn"),
                         config, identity, {})

    def _subnet_group(self, ctx: CaptureContext, group: dict[str, Any]) -> Resource:
        name = group["DBSubnetGroupName"]
        arn = group.get("DBSubnetGroupArn")
        address = ctx.address("subnet-group", name)
        config = {
            "DBSubnetGroupDescription": group.get("DBSubnetGroupDescription"),
            "VpcId": group.get("VpcId"),
            "SubnetGroupStatus": group.get("SubnetGroupStatus"),
            "Subnets": [{"SubnetIdentifier": s.get("SubnetIdentifier"),
                         "AvailabilityZone": (s.get("SubnetAvailabilityZone") or {}).get("Name"),
                         "SubnetStatus": s.get("SubnetStatus")} for s in group.get("Subnets") or []],
        }
        tags = ctx.call(ctx.client(), "ListTagsForResource", ResourceName=arn, address=address) if arn else None
        return ctx.resource("subnet-group", name, arn=arn, config=config,
                            tags=tags_dict((tags or {}).get("TagList")))

    def _snapshot(self, ctx: CaptureContext, kind: SnapshotKind, snap: dict[str, Any]) -> Resource:
        name = snap[kind.id_key]
        address = ctx.address(kind.type, name)
        policies: dict[str, Any] = {}
        if not is_automated(snap):  # automated snapshots cannot be shared
            got = ctx.call(ctx.client(), kind.attributes, **{kind.id_key: name}, address=address)
            if got is not None:
                attributes = (got.get(kind.attributes_result) or {}).get(kind.attributes_key) or []
                policies = {a["AttributeName"]: sorted(a.get("AttributeValues") or []) for a in attributes}
        source = snap.get(kind.source_key)
        drop = {kind.id_key, kind.arn_key, "TagList", *_SNAPSHOT_IDENTITY}
        return ctx.resource(
            kind.type, name,
            arn=snap.get(kind.arn_key),
            config={k: v for k, v in snap.items() if k not in drop},
            tags=tags_dict(snap.get("TagList")),
            policies=policies,
            identity={k: snap.get(k) for k in _SNAPSHOT_IDENTITY if k in snap},
            refs={kind.ref: ctx.address(kind.source_type, source)} if source else {},
        )


def _database(ctx: CaptureContext, rtype: str, name: str, described: dict[str, Any], rid: str | None,
              arn: str | None, config: dict[str, Any], identity: dict[str, Any], refs: dict[str, str]) -> Resource:
    """An instance or cluster: its rows are not visible through the AWS API (unknown, not zero)."""
    return ctx.resource(rtype, name, id=rid, arn=arn, config=config, tags=tags_dict(described.get("TagList")),
                        data={"unit": "rows", "count": None}, identity=identity, refs=refs)
