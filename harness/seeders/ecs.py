"""ECS seeder: clusters, task definitions (the captured revision, registered anew),
then services, which need their cluster, task definition, subnets, security groups
and target groups (seeded by the ec2 and elbv2 seeders first)."""

from __future__ import annotations

from typing import Any

from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder, operation_name

_CLUSTER_FIELDS = ("settings", "configuration", "capacityProviders", "defaultCapacityProviderStrategy")
_TASK_FIELDS = (
    "containerDefinitions", "taskRoleArn", "executionRoleArn", "networkMode", "volumes", "placementConstraints",
    "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode", "proxyConfiguration", "inferenceAccelerators",
    "ephemeralStorage", "runtimePlatform",
)
_SERVICE_FIELDS = (
    "desiredCount", "launchType", "capacityProviderStrategy", "platformVersion", "networkConfiguration",
    "loadBalancers", "serviceRegistries", "schedulingStrategy", "deploymentConfiguration", "deploymentController",
    "placementConstraints", "placementStrategy", "healthCheckGracePeriodSeconds", "enableECSManagedTags",
    "propagateTags", "enableExecuteCommand",
)


def _present(cfg: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: cfg[k] for k in fields if cfg.get(k) not in (None, [], {})}


class ECSSeeder(Seeder):
    service = "ecs"
    after = ("ec2", "elbv2", "iam")

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        of = {t: [r for r in resources if r.type == t] for t in ("cluster", "task-definition", "service")}
        ctx.map(lambda r: self._cluster(ctx, r), of["cluster"])
        ctx.map(lambda r: self._task_definition(ctx, r), of["task-definition"])
        ctx.map(lambda r: self._service(ctx, r), of["service"])

    def _cluster(self, ctx: SeedContext, res: Resource) -> None:
        ecs = ctx.client("ecs", res.region)
        params = {"clusterName": res.name, **_present(ctx.ref(res.config), _CLUSTER_FIELDS)}
        _create(ctx, res, ecs.create_cluster, params, ("cluster", "clusterArn"))

    def _task_definition(self, ctx: SeedContext, res: Resource) -> None:
        ecs = ctx.client("ecs", res.region)
        params = {"family": res.name, **_present(ctx.ref(res.config), _TASK_FIELDS)}
        _create(ctx, res, ecs.register_task_definition, params, ("taskDefinition", "taskDefinitionArn"))

    def _service(self, ctx: SeedContext, res: Resource) -> None:
        ecs = ctx.client("ecs", res.region)
        cfg = ctx.ref(res.config)
        cluster = ctx.snapshot.resources.get(res.refs.get("cluster", ""))
        params: dict[str, Any] = {
            "cluster": cluster.name if cluster else res.name.split("/", 1)[0],
            "serviceName": res.name.split("/", 1)[-1],
            "taskDefinition": cfg.get("taskDefinition"),
            **_present(cfg, _SERVICE_FIELDS),
        }
        if cfg.get("roleArn"):
            params["role"] = cfg["roleArn"]
        _create(ctx, res, ecs.create_service, params, ("service", "serviceArn"))


def _create(ctx: SeedContext, res: Resource, call: Any, params: dict[str, Any], arn_at: tuple[str, str]) -> None:
    """Create one resource with its tags and record its sandbox ARN (found at ``arn_at``)."""
    if res.tags:
        params["tags"] = [{"key": k, "value": v} for k, v in res.tags.items()]
    created = ctx.attempt(res, operation_name(call), lambda: call(**params))
    if created is not None:
        ctx.ids.record(res, sandbox_arn=created[arn_at[0]][arn_at[1]])
