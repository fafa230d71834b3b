"""ECS seeder: clusters, task definitions (the captured revision, registered anew),
then services, which need their cluster, task definition, subnets, security groups
and target groups (seeded by the ec2 and elbv2 seeders first)."""

from __future__ import annotations

from typing import Any

from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder

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


def _tags(res: Resource) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in res.tags.items()]


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
        if res.tags:
            params["tags"] = _tags(res)
        created = ctx.attempt(res, "CreateCluster", lambda: ecs.create_cluster(**params))
        if created is not None:
            ctx.ids.record(res, sandbox_arn=created["cluster"]["clusterArn"])

    def _task_definition(self, ctx: SeedContext, res: Resource) -> None:
        ecs = ctx.client("ecs", res.region)
        params = {"family": res.name, **_present(ctx.ref(res.config), _TASK_FIELDS)}
        if res.tags:
            params["tags"] = _tags(res)
        created = ctx.attempt(res, "RegisterTaskDefinition", lambda: ecs.register_task_definition(**params))
        if created is not None:
            ctx.ids.record(res, sandbox_arn=created["taskDefinition"]["taskDefinitionArn"])

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
        if res.tags:
            params["tags"] = _tags(res)
        created = ctx.attempt(res, "CreateService", lambda: ecs.create_service(**params))
        if created is not None:
            ctx.ids.record(res, sandbox_arn=created["service"]["serviceArn"])
