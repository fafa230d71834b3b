"""Which resources a traced API call names, as addresses.

A table per service maps request parameters to resource types (data, not code);
parameters holding generated ids or ARNs are looked up in an index built from the
sandbox captures. Used to attach calls to changes, to spot delete-then-create
(replace) sequences, and to know what a change touched (for fail-closed verdicts).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.estate.address import make_address
from harness.estate.snapshot import Snapshot

# service -> [(parameter, resource type, how the value names it)]
#   how: "name" (the value is the name), "url" (last path segment), "arn" (last part of
#   an ARN after / or :), "index" (a generated id/ARN: look it up in the capture index)
PARAMS: dict[str, list[tuple[str, str, str]]] = {
    "s3": [("Bucket", "bucket", "name")],
    "dynamodb": [("TableName", "table", "name"), ("TableArn", "table", "arn"), ("ResourceArn", "table", "arn")],
    "sqs": [("QueueUrl", "queue", "url"), ("QueueName", "queue", "name")],
    "sns": [("TopicArn", "topic", "arn"), ("Name", "topic", "name"), ("ResourceArn", "topic", "arn")],
    "iam": [("RoleName", "role", "name"), ("UserName", "user", "name"), ("GroupName", "group", "name"),
            ("PolicyArn", "policy", "arn"), ("PolicyName", "policy", "name")],
    "lambda": [("FunctionName", "function", "name"), ("Resource", "function", "arn")],
    "rds": [("DBInstanceIdentifier", "db", "name"), ("DBSnapshotIdentifier", "snapshot", "name"),
            ("DBSubnetGroupName", "subnet-group", "name"), ("DBClusterIdentifier", "cluster", "name")],
    "kms": [("KeyId", "key", "index"), ("TargetKeyId", "key", "index")],
    "secretsmanager": [("SecretId", "secret", "name"), ("Name", "secret", "name")],
    "ec2": [("VpcId", "vpc", "index"), ("SubnetId", "subnet", "index"), ("GroupId", "security-group", "index"),
            ("RouteTableId", "route-table", "index"), ("InternetGatewayId", "internet-gateway", "index"),
            ("InstanceId", "instance", "index"), ("InstanceIds", "instance", "index"),
            ("ResourceId", "*", "index"), ("Resources", "*", "index"), ("GroupName", "security-group", "name")],
    "ecs": [("cluster", "cluster", "arn"), ("clusterName", "cluster", "name")],
    "elbv2": [("LoadBalancerArn", "load-balancer", "index"), ("TargetGroupArn", "target-group", "index"),
              ("Name", "load-balancer", "name")],
    "cloudformation": [("StackName", "stack", "name")],
}

# Operations that delete / create a whole resource (not something inside it, such as
# an object, an item or a policy): a delete then a create of one address is a replace.
DELETES: dict[str, set[str]] = {
    "s3": {"DeleteBucket"}, "dynamodb": {"DeleteTable"}, "sqs": {"DeleteQueue"}, "sns": {"DeleteTopic"},
    "iam": {"DeleteRole", "DeleteUser", "DeleteGroup", "DeletePolicy"}, "lambda": {"DeleteFunction"},
    "rds": {"DeleteDBInstance", "DeleteDBSnapshot", "DeleteDBSubnetGroup", "DeleteDBCluster"},
    "kms": {"ScheduleKeyDeletion"}, "secretsmanager": {"DeleteSecret"},
    "ec2": {"DeleteVpc", "DeleteSubnet", "DeleteSecurityGroup", "DeleteRouteTable", "DeleteInternetGateway",
            "TerminateInstances"},
    "ecs": {"DeleteCluster", "DeleteService"}, "elbv2": {"DeleteLoadBalancer", "DeleteTargetGroup"},
    "cloudformation": {"DeleteStack"},
}
CREATES: dict[str, set[str]] = {
    "s3": {"CreateBucket"}, "dynamodb": {"CreateTable", "RestoreTableFromBackup", "RestoreTableToPointInTime"},
    "sqs": {"CreateQueue"}, "sns": {"CreateTopic"},
    "iam": {"CreateRole", "CreateUser", "CreateGroup", "CreatePolicy"}, "lambda": {"CreateFunction"},
    "rds": {"CreateDBInstance", "CreateDBSnapshot", "CreateDBSubnetGroup", "CreateDBCluster",
            "RestoreDBInstanceFromDBSnapshot"},
    "kms": {"CreateKey"}, "secretsmanager": {"CreateSecret"},
    "ec2": {"CreateVpc", "CreateSubnet", "CreateSecurityGroup", "CreateRouteTable", "CreateInternetGateway",
            "RunInstances"},
    "ecs": {"CreateCluster", "CreateService"}, "elbv2": {"CreateLoadBalancer", "CreateTargetGroup"},
    "cloudformation": {"CreateStack"},
}


class AddressIndex:
    """Generated ids/ARNs seen in sandbox captures -> production addresses."""

    def __init__(self, snapshots: Iterable[Snapshot]):
        self.by_value: dict[str, str] = {}
        self.addresses: set[str] = set()
        for snap in snapshots:
            for res in snap.resources.values():
                self.addresses.add(res.address)
                for value in (res.id, res.arn):
                    if value:
                        self.by_value.setdefault(value, res.address)

    def lookup(self, value: str) -> str | None:
        return self.by_value.get(value)


def _name(value: str, how: str) -> str:
    if how == "url":
        return value.rstrip("/").rsplit("/", 1)[-1]
    if how == "arn":
        tail = value.rsplit(":", 1)[-1]
        return tail.rsplit("/", 1)[-1]
    return value


GLOBAL_SERVICES = {"s3", "iam"}  # addressed without a region suffix


def addresses_of(service: str, params: dict[str, Any], index: AddressIndex, *, region: str | None = None,
                 primary: str | None = None) -> list[str]:
    """Addresses named by one call's parameters (best effort, never raises).

    ``region``/``primary``: the call's region and the snapshot's primary one, so that a
    name given to a regional service outside the primary region gets its ``@region``.
    """
    out: list[str] = []
    for param, rtype, how in PARAMS.get(service, []):
        if param not in params:
            continue
        values = params[param] if isinstance(params[param], list) else [params[param]]
        for value in values:
            if not isinstance(value, str) or not value:
                continue
            hit = index.lookup(value)
            if hit:
                out.append(hit)
                continue
            if how == "index":
                continue
            scope = None if service in GLOBAL_SERVICES else region
            out.append(make_address(service, rtype, _name(value, how), scope, primary))
    return list(dict.fromkeys(out))


def is_delete(service: str, operation: str) -> bool:
    """A call that deletes a whole resource."""
    return operation in DELETES.get(service, ())


def is_create(service: str, operation: str) -> bool:
    """A call that creates a whole resource."""
    return operation in CREATES.get(service, ())
