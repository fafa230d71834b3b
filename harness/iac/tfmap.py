"""Terraform resource types as shadow addresses, and the attributes compared with production.

Data, like the collectors' volatile-field rules: one row per Terraform type says which
shadow ``service:type`` it is, which attribute names it (``name_attr``; ``tag:Name``
for EC2, whose addresses use the Name tag), which attribute holds the id shadow's
collector records, and which attributes are compared with the production snapshot
(Terraform attribute -> dot path into the snapshot resource). A type without a row
is listed as not compared, never silently treated as matching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.estate.snapshot import Resource, Snapshot


@dataclass(frozen=True)
class TfType:
    service: str
    type: str
    name_attr: str  # attribute that names the resource in its address ("tag:Name" = the Name tag)
    id_attr: str | None = "id"  # attribute equal to the collector's Resource.id (None: not comparable)
    fields: dict[str, str] = field(default_factory=dict)  # tf attribute -> snapshot path


TYPES: dict[str, TfType] = {
    "aws_s3_bucket": TfType("s3", "bucket", "bucket", None),
    "aws_sqs_queue": TfType("sqs", "queue", "name", None, {
        "visibility_timeout_seconds": "config.Attributes.VisibilityTimeout",
        "message_retention_seconds": "config.Attributes.MessageRetentionPeriod",
        "delay_seconds": "config.Attributes.DelaySeconds",
        "fifo_queue": "config.Attributes.FifoQueue"}),
    "aws_dynamodb_table": TfType("dynamodb", "table", "name", None, {
        "billing_mode": "config.BillingModeSummary.BillingMode",
        "deletion_protection_enabled": "config.DeletionProtectionEnabled"}),
    "aws_sns_topic": TfType("sns", "topic", "name", None),
    "aws_db_instance": TfType("rds", "db", "identifier", "resource_id", {
        "instance_class": "config.DBInstanceClass",
        "allocated_storage": "config.AllocatedStorage",
        "engine": "config.Engine",
        "engine_version": "config.EngineVersion",
        "backup_retention_period": "config.BackupRetentionPeriod",
        "deletion_protection": "config.DeletionProtection",
        "multi_az": "config.MultiAZ"}),
    "aws_db_snapshot": TfType("rds", "snapshot", "db_snapshot_identifier", None, {
        "db_instance_identifier": "config.DBInstanceIdentifier"}),
    "aws_db_subnet_group": TfType("rds", "subnet-group", "name", None),
    "aws_vpc": TfType("ec2", "vpc", "tag:Name", "id", {"cidr_block": "config.CidrBlock"}),
    "aws_subnet": TfType("ec2", "subnet", "tag:Name", "id", {
        "cidr_block": "config.CidrBlock", "availability_zone": "config.AvailabilityZone"}),
    "aws_security_group": TfType("ec2", "security-group", "tag:Name", "id"),
    "aws_internet_gateway": TfType("ec2", "internet-gateway", "tag:Name", "id"),
    "aws_route_table": TfType("ec2", "route-table", "tag:Name", "id"),
    "aws_instance": TfType("ec2", "instance", "tag:Name", "id", {"instance_type": "config.InstanceType"}),
    "aws_iam_role": TfType("iam", "role", "name", None),
    "aws_iam_user": TfType("iam", "user", "name", None),
    "aws_iam_policy": TfType("iam", "policy", "name", None),
    "aws_kms_key": TfType("kms", "key", "key_id", "key_id"),
    "aws_secretsmanager_secret": TfType("secretsmanager", "secret", "name", None),
    "aws_lambda_function": TfType("lambda", "function", "function_name", None),
    "aws_lb": TfType("elbv2", "load-balancer", "name", None),
    "aws_ecs_cluster": TfType("ecs", "cluster", "name", None),
}


def name_of(tf_type: TfType, attributes: dict[str, Any]) -> str | None:
    if tf_type.name_attr.startswith("tag:"):
        tags = attributes.get("tags") or {}
        return tags.get(tf_type.name_attr[4:]) or attributes.get("id")
    value = attributes.get(tf_type.name_attr)
    return str(value) if value else None


def locate(resource_type: str, attributes: dict[str, Any], production: Snapshot) -> Resource | None:
    """The production resource a Terraform resource's attributes name: by ARN, id, then address."""
    tf_type = TYPES.get(resource_type)
    if tf_type is None:
        return None
    arn = attributes.get("arn")
    same_kind = [r for r in production.resources.values()
                 if (r.service, r.type) == (tf_type.service, tf_type.type)]
    if arn:
        for res in same_kind:
            if res.arn == arn:
                return res
    if tf_type.id_attr and attributes.get(tf_type.id_attr):
        for res in same_kind:
            if res.id and res.id == attributes[tf_type.id_attr]:
                return res
    name = name_of(tf_type, attributes)
    if name:
        for res in same_kind:
            if res.name == name:
                return res
    return None


def expected_address(resource_type: str, attributes: dict[str, Any]) -> str | None:
    """The address a resource of this type and these attributes would have (for messages)."""
    tf_type = TYPES.get(resource_type)
    if tf_type is None:
        return None
    name = name_of(tf_type, attributes)
    return f"{tf_type.service}:{tf_type.type}/{name}" if name else None


def snapshot_value(resource: Resource, path: str) -> Any:
    """The value at a dot path of a snapshot resource (``config.Attributes.X``), or None."""
    head, _, rest = path.partition(".")
    value: Any = getattr(resource, head, None)
    for part in rest.split(".") if rest else []:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def same(state_value: Any, production_value: Any) -> bool:
    """Equal after the usual Terraform/API representation differences (numbers, booleans, strings)."""
    if state_value is None or production_value is None:
        return state_value is None and production_value is None
    if isinstance(state_value, bool) or isinstance(production_value, bool):
        return str(state_value).lower() == str(production_value).lower()
    return str(state_value) == str(production_value)


def user_tags(tags: Any) -> dict[str, str]:
    """Tags without the ``aws:`` ones AWS manages itself."""
    return {str(k): str(v) for k, v in (tags or {}).items() if not str(k).startswith("aws:")}
