"""Cascades: calls that change more than the resources they name, as data.

Each row says which calls, what else they change, and what an incremental
after-capture therefore reads. Rows whose ``expand`` is None are covered by the general
rules in plan.py (re-listing a called service, the deletion rule) and are listed so
that the table is the one place a reviewer looks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.collectors.base import READ_ALL
from harness.collectors.plan import SETTINGS, Effect, PlanContext, service_of

Expand = Callable[[PlanContext, Effect, str], None]

# CloudFormation type namespaces -> shadow services (AWS::SQS::Queue -> sqs)
CFN_SERVICES = {
    "SQS": "sqs", "S3": "s3", "DynamoDB": "dynamodb", "SNS": "sns", "IAM": "iam", "KMS": "kms",
    "SecretsManager": "secretsmanager", "Lambda": "lambda", "EC2": "ec2", "RDS": "rds", "ECS": "ecs",
    "ElasticLoadBalancingV2": "elbv2", "CloudFormation": "cloudformation",
}
# resource types whose effects a template cannot bound (they run code or other templates)
CFN_OPAQUE_TYPES = ("AWS::CloudFormation::CustomResource", "AWS::CloudFormation::Stack", "Custom::")
CFN_NO_RESOURCES = {"SetStackPolicy", "TagResource", "UntagResource", "DeleteChangeSet", "ValidateTemplate",
                    "CreateChangeSet", "EstimateTemplateCost"}
S3_OBJECT_EVENTS = {"PutObject", "CopyObject", "CompleteMultipartUpload", "DeleteObject", "DeleteObjects",
                    "RestoreObject", "PutObjectTagging", "DeleteObjectTagging", "PutObjectAcl",
                    "PutObjectRetention", "PutObjectLegalHold"}
EVENTBRIDGE = "eventbridge"  # what a notification lookup returns for "events go to EventBridge"


@dataclass(frozen=True)
class Cascade:
    """A call that changes more than it names: which calls, what changes, what is read for it."""

    service: str
    operations: frozenset[str] | None  # None: every counted call of the service
    changes: str
    reads: str
    expand: Expand | None = None

    def applies(self, call: Effect) -> bool:
        return (self.expand is not None and call.service == self.service
                and (self.operations is None or call.operation in self.operations))


def _ops(*names: str) -> frozenset[str]:
    return frozenset(names)


def stack_services(ctx: PlanContext, call: Effect, where: str) -> None:
    """Every service a template of the change's stacks uses (trace bodies, stacks' previous templates)."""
    from harness.iac.cfn import load_template

    if call.operation in CFN_NO_RESOURCES:
        return
    types: set[str] = set()
    for other in (c for c in ctx.calls if c.service == "cloudformation"):
        if other.params.get("TemplateURL"):
            ctx.plan.read_everything(f"{where}: a template given by URL cannot be read here")
            return
        body = other.params.get("TemplateBody")
        if isinstance(body, str) and body:
            try:
                types.update(str(r.get("Type")) for r in load_template(body)["Resources"].values())
            except ValueError:
                ctx.plan.read_everything(f"{where}: a template in the trace cannot be parsed")
                return
        for address in ctx.targets(other):
            stack = ctx.before.resources.get(address)
            template = stack.config.get("Template") if stack else None
            if isinstance(template, dict) and isinstance(template.get("Resources"), dict):
                types.update(str((r or {}).get("Type")) for r in template["Resources"].values())
    if not types:
        ctx.plan.read_everything(f"{where}: no template of the stack is known")
        return
    if any(t.startswith(CFN_OPAQUE_TYPES) for t in types):
        ctx.plan.read_everything(f"{where}: the template has custom or nested stack resources")
        return
    for namespace in sorted({t.split("::")[1] for t in types if t.count("::") == 2}):
        service = CFN_SERVICES.get(namespace)
        if service in ctx.before.services:
            ctx.plan.read_whole(service, f"the template of a stack changed by {where} uses it")


def notified_queues(ctx: PlanContext, call: Effect, where: str) -> None:
    """Queues an object event reaches: the bucket's notification targets, and the queues of its topics."""
    if "sqs" not in ctx.before.services:
        return
    bucket = call.params.get("Bucket")
    arns = ctx.notifications(bucket) if ctx.notifications and isinstance(bucket, str) else None
    if arns is None:
        ctx.plan.read_whole("sqs", f"{where} may notify queues (the bucket's notifications are unknown)")
        return
    for arn in arns:
        if arn == EVENTBRIDGE:
            ctx.plan.read_whole("sqs", f"{where} sends events to EventBridge, whose rules may reach any queue")
            continue
        address = ctx.resolve_arn(arn)
        if address and service_of(address) == "sqs":
            ctx.plan.add(address, READ_ALL, f"notified of {where}")
        elif address and service_of(address) == "sns":
            _topic_queues(ctx, address, f"notified through {address} of {where}")


def published_queues(ctx: PlanContext, call: Effect, where: str) -> None:
    """Queues subscribed to a topic a message was published to."""
    for address in ctx.targets(call):
        _topic_queues(ctx, address, f"subscribed to {address}, published to by {where}")


def _topic_queues(ctx: PlanContext, topic: str, why: str) -> None:
    res = ctx.before.resources.get(topic)
    endpoints = [s.get("Endpoint") for s in ((res.config.get("Subscriptions") or []) if res else [])
                 if s.get("Protocol") == "sqs"]
    endpoints += [c.params.get("Endpoint") for c in ctx.calls
                  if c.service == "sns" and c.operation == "Subscribe" and c.params.get("Protocol") == "sqs"
                  and ctx.resolve_arn(str(c.params.get("TopicArn"))) in (topic, None)]
    for endpoint in endpoints:
        if isinstance(endpoint, str):
            address = endpoint[1:].split("#", 1)[0] if endpoint.startswith("@") else ctx.resolve_arn(endpoint)
            if address:
                ctx.plan.add(address, READ_ALL, why)


def dead_letter_queue(ctx: PlanContext, call: Effect, where: str) -> None:
    """The dead-letter queue of a queue whose messages were received (moved after maxReceiveCount)."""
    for address in ctx.targets(call):
        res = ctx.before.resources.get(address)
        redrive = ((res.config.get("Attributes") or {}).get("RedrivePolicy") if res else None) or {}
        target = redrive.get("deadLetterTargetArn") if isinstance(redrive, dict) else None
        if isinstance(target, str):
            dlq = target[1:].split("#", 1)[0] if target.startswith("@") else ctx.resolve_arn(target)
            if dlq:
                ctx.plan.add(dlq, READ_ALL, f"dead-letter queue of {address}, received from by {where}")


def iam_counterparts(ctx: PlanContext, call: Effect, where: str) -> None:
    """Managed policies an entity has attached (their counters), a user's groups, a group's members,
    and the roles of an instance profile."""
    for address in ctx.targets(call):
        res = ctx.before.resources.get(address)
        if res is None or res.type not in ("role", "user", "group"):
            continue
        related = {a for a in ctx.references.forward.get(address, set()) if service_of(a) == "iam"}
        related |= {f"iam:group/{g}" for g in res.config.get("Groups") or []}
        related |= {f"iam:user/{u}" for u in res.config.get("Members") or []}
        for other in sorted(related & set(ctx.before.resources)):
            ctx.plan.add(other, SETTINGS, f"related to {address}, changed by {where}")
    profile = call.params.get("InstanceProfileName")
    if isinstance(profile, str):
        for address, res in ctx.before.resources.items():
            if res.type == "role" and any(p.get("InstanceProfileName") == profile
                                          for p in res.config.get("InstanceProfiles") or []):
                ctx.plan.add(address, SETTINGS, f"in instance profile {profile}, changed by {where}")


def elbv2_neighbours(ctx: PlanContext, call: Effect, where: str) -> None:
    """Target groups a load balancer forwards to (their LoadBalancerArns) and the reverse."""
    for address in ctx.targets(call):
        for other in sorted(ctx.references.around(address)):
            if service_of(other) == "elbv2":
                ctx.plan.add(other, SETTINGS, f"attached to {address}, changed by {where}")


def instance_users(ctx: PlanContext, call: Effect, where: str) -> None:
    """Resources naming an instance whose state changed (target groups list it as a target)."""
    for address in ctx.targets(call):
        for other in sorted(ctx.references.reverse.get(address, set())):
            ctx.plan.add(other, SETTINGS, f"names {address}, whose state {where} changed")


def export_bucket(ctx: PlanContext, call: Effect, where: str) -> None:
    bucket = call.params.get("S3Bucket")
    if isinstance(bucket, str) and bucket:
        ctx.plan.add(f"s3:bucket/{bucket}", READ_ALL, f"receives the export of {where}")


def all_data(ctx: PlanContext, call: Effect, where: str) -> None:
    for address in ctx.targets(call):
        ctx.plan.add(address, READ_ALL, f"data may change after {where}")


def runs_code(ctx: PlanContext, call: Effect, where: str) -> None:
    ctx.plan.read_everything(f"{where} runs function code, which may change anything")


CASCADES: list[Cascade] = [
    Cascade("cloudformation", None,
            "every resource the stack's old and new templates declare, in any service",
            "every service those templates use, read whole (a template by URL, custom or nested stack "
            "resources, or no known template: everything)", stack_services),
    Cascade("ec2", _ops("DeleteVpc"),
            "its subnets, route tables, security groups and gateway attachments (an emulator may delete "
            "some with it); resources elsewhere placed in it",
            "EC2 is re-listed whole whenever called (every EC2 type but VPCs is built from its listing); "
            "what names the VPC or its deleted parts is re-read by the deletion rule"),
    Cascade("ec2", _ops("TerminateInstances", "StopInstances", "StartInstances", "RebootInstances"),
            "target groups listing the instance as a target", "resources naming the instance: settings",
            instance_users),
    Cascade("rds", _ops("DeleteDBInstance", "DeleteDBCluster"),
            "its automated snapshots go; a final snapshot may appear",
            "snapshots are re-listed (rds is called); those naming the database are re-read by the deletion "
            "rule; FinalDBSnapshotIdentifier is a named target"),
    Cascade("s3", _ops("PutBucketLifecycleConfiguration", "PutBucketLifecycle", "DeleteBucketLifecycle"),
            "objects expire (an emulator that runs lifecycle rules empties the bucket)",
            "every object of the bucket, listed", all_data),
    Cascade("s3", _ops("PutBucketVersioning"),
            "object versions and delete markers start (or stop) being kept", "every object and version, listed",
            all_data),
    Cascade("s3", frozenset(S3_OBJECT_EVENTS),
            "the bucket's event notifications deliver messages to queues (directly or through topics)",
            "the bucket's notification targets (GetBucketNotificationConfiguration) and the queues subscribed to "
            "target topics; unknown notifications or EventBridge: every queue", notified_queues),
    Cascade("sns", _ops("Publish", "PublishBatch"),
            "every queue subscribed to the topic receives the message",
            "the subscribed queues (before, and subscribed by the change)", published_queues),
    Cascade("sqs", _ops("ReceiveMessage"),
            "messages past maxReceiveCount move to the dead-letter queue", "the queue's dead-letter queue",
            dead_letter_queue),
    Cascade("iam", None,
            "attachment and boundary counters of managed policies; group membership as seen from the other "
            "side; instance profiles' roles",
            "policies the entity has attached, its groups or members, roles of a named instance profile",
            iam_counterparts),
    Cascade("elbv2", None,
            "a target group's LoadBalancerArns follows the listeners that forward to it",
            "target groups and load balancers attached to the named one", elbv2_neighbours),
    Cascade("dynamodb", _ops("UpdateTimeToLive"),
            "items expire (an emulator that runs TTL deletes them)", "every item of the table, scanned", all_data),
    Cascade("dynamodb", _ops("ExportTableToPointInTime"),
            "objects are written to the export bucket", "every object of that bucket, listed", export_bucket),
    Cascade("ecs", _ops("DeleteCluster"), "its services go",
            "the cluster is named, so its services are re-listed; services naming it by the deletion rule"),
    Cascade("lambda", _ops("Invoke", "InvokeAsync", "InvokeWithResponseStream"),
            "whatever the function's code does", "everything, read whole", runs_code),
    Cascade("secretsmanager", _ops("RotateSecret"),
            "the rotation function runs, and may change anything", "everything, read whole", runs_code),
]


def table() -> list[dict[str, Any]]:
    """The cascades as rows (service, operations, changes, reads), for docs and reports."""
    return [{"service": c.service, "operations": sorted(c.operations) if c.operations else ["(any)"],
             "changes": c.changes, "reads": c.reads} for c in CASCADES]
