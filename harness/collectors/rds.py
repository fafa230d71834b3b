"""RDS: DB instances, DB subnet groups, and manual and automated DB snapshots.

The master password is never readable through the API and never captured. Row counts
are not visible through the AWS API either: an instance's data is
``{"unit": "rows", "count": null}`` (unknown, not zero); a later option that connects
to the database may fill it. Snapshots name their instance in ``refs["db"]`` so that a
report can say "deletes rds:db/prod-db and both of its snapshots".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, tags_dict
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    volatile={
        "db": ("config.DBInstanceStatus", "config.LatestRestorableTime", "config.PendingModifiedValues"),
        "subnet-group": ("config.SubnetGroupStatus", "config.Subnets.*.SubnetStatus"),
        "snapshot": ("config.Status", "config.PercentProgress"),
    },
    identity={
        "db": ("DbiResourceId", "InstanceCreateTime", "Endpoint.Address"),
        "snapshot": ("SnapshotCreateTime", "OriginalSnapshotCreateTime", "InstanceCreateTime"),
    },
    why={
        "config.DBInstanceStatus": "transient (creating/backing-up/modifying/available)",
        "config.LatestRestorableTime": "moves forward every few minutes",
        "config.PendingModifiedValues": "changes waiting for the maintenance window; they show once applied",
        "config.SubnetGroupStatus": "Complete/Incomplete follows the subnets, not an edit of the group",
        "config.Subnets.*.SubnetStatus": "Active/Inactive follows the subnet, not an edit of the group",
        "config.Status": "a snapshot is creating, then available",
        "config.PercentProgress": "a snapshot's copy progress",
        "identity.*": "resource ids, creation times and endpoint host names are new when a resource is recreated",
    },
    unordered={
        "db": ("config.VpcSecurityGroups", "config.DBParameterGroups", "config.OptionGroups",
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
_SNAPSHOT_DROP = {"DBSnapshotIdentifier", "DBSnapshotArn", "TagList", "SnapshotCreateTime",
                  "OriginalSnapshotCreateTime", "InstanceCreateTime"}


def is_automated(snapshot: dict[str, Any]) -> bool:
    return snapshot.get("SnapshotType") == AUTOMATED


class RDSCollector(Collector):
    service = "rds"
    client_name = "rds"
    types = ("db", "subnet-group", "snapshot")
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        rds = ctx.client()
        instances = ctx.paginate(rds, "DescribeDBInstances", "DBInstances")
        for inst in instances or []:
            yield self._db(ctx, inst)
        groups = ctx.paginate(rds, "DescribeDBSubnetGroups", "DBSubnetGroups")
        yield from ctx.map(lambda g: self._subnet_group(ctx, g), groups or [])
        snapshots = ctx.paginate(rds, "DescribeDBSnapshots", "DBSnapshots")
        yield from ctx.map(lambda s: self._snapshot(ctx, s), snapshots or [])

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
        return ctx.resource(
            "db", name,
            id=inst.get("DbiResourceId"),
            arn=inst.get("DBInstanceArn"),
            config=config,
            tags=tags_dict(inst.get("TagList")),
            data={"unit": "rows", "count": None},
            identity={"DbiResourceId": inst.get("DbiResourceId"), "InstanceCreateTime": inst.get("InstanceCreateTime"),
                      "Endpoint.Address": endpoint.get("Address")},
        )

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

    def _snapshot(self, ctx: CaptureContext, snap: dict[str, Any]) -> Resource:
        name = snap["DBSnapshotIdentifier"]
        address = ctx.address("snapshot", name)
        policies: dict[str, Any] = {}
        if not is_automated(snap):  # automated snapshots cannot be shared
            got = ctx.call(ctx.client(), "DescribeDBSnapshotAttributes", DBSnapshotIdentifier=name, address=address)
            if got is not None:
                attributes = (got.get("DBSnapshotAttributesResult") or {}).get("DBSnapshotAttributes") or []
                policies = {a["AttributeName"]: sorted(a.get("AttributeValues") or []) for a in attributes}
        db = snap.get("DBInstanceIdentifier")
        return ctx.resource(
            "snapshot", name,
            arn=snap.get("DBSnapshotArn"),
            config={k: v for k, v in snap.items() if k not in _SNAPSHOT_DROP},
            tags=tags_dict(snap.get("TagList")),
            policies=policies,
            identity={k: snap.get(k) for k in ("SnapshotCreateTime", "OriginalSnapshotCreateTime",
                                                "InstanceCreateTime")},
            refs={"db": ctx.address("db", db)} if db else {},
        )
