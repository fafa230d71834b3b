"""ECS: clusters (settings, configuration, capacity providers, tags), services
(task definition, desired count, network configuration, load balancers, deployment
settings, tags) and the latest ACTIVE revision of each task definition family.

Container environment values whose names look secret (``DB_PASSWORD``) are captured
as a hash only (``redact``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, redact, tags_dict
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    volatile={"cluster": ("config.status",), "service": ("config.status",), "task-definition": ("config.status",)},
    identity={"service": ("createdAt", "createdBy"), "task-definition": ("registeredAt", "registeredBy")},
    reseeded={"task-definition": ("config.revision",)},
    why={
        "config.status": "ACTIVE/DRAINING/PROVISIONING is transient",
        "config.revision": "a sandbox registers the captured revision as its family's first",
        "identity.*": "creation times and creators are new when a resource is recreated",
    },
    unordered={
        "cluster": ("config.capacityProviders",),
        "service": ("config.networkConfiguration.awsvpcConfiguration.subnets",
                    "config.networkConfiguration.awsvpcConfiguration.securityGroups"),
        "task-definition": ("config.compatibilities",),
    },
)

DESCRIBE_SERVICES_BATCH = 10
DESCRIBE_CLUSTERS_BATCH = 100
_CLUSTER_KEEP = ("settings", "configuration", "capacityProviders", "defaultCapacityProviderStrategy",
                 "serviceConnectDefaults", "status")
_SERVICE_DROP = {"serviceArn", "serviceName", "clusterArn", "runningCount", "pendingCount", "deployments",
                 "events", "taskSets", "createdAt", "createdBy", "tags"}
_TASK_DROP = {"taskDefinitionArn", "registeredAt", "registeredBy", "deregisteredAt"}


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def redact_containers(containers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Container definitions with secret-looking environment values hashed."""
    out = []
    for container in containers:
        env = [{**e, "value": redact(e.get("name", ""), e.get("value"))} for e in container.get("environment") or []]
        out.append({**container, "environment": env} if "environment" in container else container)
    return out


class ECSCollector(Collector):
    service = "ecs"
    client_name = "ecs"
    types = ("cluster", "service", "task-definition")
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        ecs = ctx.client()
        arns = ctx.paginate(ecs, "ListClusters", "clusterArns")
        for batch in _batches(arns or [], DESCRIBE_CLUSTERS_BATCH):
            got = ctx.call(ecs, "DescribeClusters", clusters=batch, include=["SETTINGS", "CONFIGURATIONS", "TAGS"])
            for cluster in (got or {}).get("clusters", []):
                if cluster.get("status") == "INACTIVE":
                    continue  # deleted: AWS keeps deleted clusters describable for a while
                yield self._cluster(ctx, cluster)
                yield from self._services(ctx, cluster)
        families = ctx.paginate(ecs, "ListTaskDefinitionFamilies", "families", status="ACTIVE")
        families = [f for f in families or [] if not ctx.carry(ctx.address("task-definition", f))]
        yield from (r for r in ctx.map(lambda f: self._task_definition(ctx, f), families) if r)

    def _cluster(self, ctx: CaptureContext, cluster: dict[str, Any]) -> Resource:
        config = {k: cluster[k] for k in _CLUSTER_KEEP if k in cluster}
        return ctx.resource("cluster", cluster["clusterName"], arn=cluster["clusterArn"], config=config,
                            tags=tags_dict(cluster.get("tags"), key="key", value="value"))

    def _services(self, ctx: CaptureContext, cluster: dict[str, Any]) -> Iterator[Resource]:
        ecs = ctx.client()
        name = cluster["clusterName"]
        cluster_address = ctx.address("cluster", name)
        if self._carry_services(ctx, cluster_address):
            return
        arns = ctx.paginate(ecs, "ListServices", "serviceArns", cluster=cluster["clusterArn"], address=cluster_address)
        for batch in _batches(arns or [], DESCRIBE_SERVICES_BATCH):
            got = ctx.call(ecs, "DescribeServices", cluster=cluster["clusterArn"], services=batch, include=["TAGS"],
                           address=cluster_address)
            for svc in (got or {}).get("services", []):
                if svc.get("status") == "INACTIVE":
                    continue  # deleted, still describable for a while
                yield ctx.resource(
                    "service", f"{name}/{svc['serviceName']}",
                    arn=svc.get("serviceArn"),
                    config={k: v for k, v in svc.items() if k not in _SERVICE_DROP},
                    tags=tags_dict(svc.get("tags"), key="key", value="value"),
                    identity={"createdAt": svc.get("createdAt"), "createdBy": svc.get("createdBy")},
                    refs={"cluster": cluster_address},
                )

    @staticmethod
    def _carry_services(ctx: CaptureContext, cluster_address: str) -> bool:
        """Carry a cluster's services over unread when neither the cluster nor any of them is focused.

        A service is created, updated or deleted by a call that names its cluster.
        """
        if ctx.partial is None or ctx.fresh(cluster_address):
            return False
        services = [a for a, r in ctx.partial.known.items()
                    if r.type == "service" and r.refs.get("cluster") == cluster_address]
        if any(ctx.fresh(a) for a in services):
            return False
        return all([ctx.carry(a) for a in services])

    def _task_definition(self, ctx: CaptureContext, family: str) -> Resource | None:
        address = ctx.address("task-definition", family)
        got = ctx.call(ctx.client(), "DescribeTaskDefinition", taskDefinition=family, include=["TAGS"],
                       address=address)
        if got is None:
            return None
        task = got["taskDefinition"]
        config = {k: v for k, v in task.items() if k not in _TASK_DROP}
        config["containerDefinitions"] = redact_containers(task.get("containerDefinitions") or [])
        return ctx.resource("task-definition", family, arn=task.get("taskDefinitionArn"), config=config,
                            tags=tags_dict(got.get("tags"), key="key", value="value"),
                            identity={"registeredAt": task.get("registeredAt"),
                                      "registeredBy": task.get("registeredBy")})
