"""ELBv2: application/network load balancers (attributes, subnets, security groups,
listeners with their rules) and target groups (health checks, attributes, targets).

Listeners are part of their load balancer's configuration (``config.Listeners``, one
per port), so deleting a load balancer reads as one deletion, as it happens in AWS.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, tags_dict
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    volatile={"load-balancer": ("config.State",)},
    identity={"load-balancer": ("CreatedTime", "DNSName", "LoadBalancerArn"),
              "target-group": ("TargetGroupArn",)},
    reseeded={"load-balancer": ("config.CanonicalHostedZoneId",)},
    why={
        "config.State": "provisioning/active is transient",
        "config.CanonicalHostedZoneId": "a fixed zone per region in AWS; the emulator has its own",
        "identity.*": "ARNs carry a random suffix and DNS names a counter, both new when recreated",
    },
    unordered={
        "load-balancer": ("config.Subnets", "config.SecurityGroups", "config.Listeners.*.Rules"),
        "target-group": ("config.LoadBalancerArns", "config.Targets"),
    },
)

TAG_BATCH = 20  # DescribeTags accepts at most 20 ARNs


def attributes_dict(attributes: list[dict[str, Any]] | None) -> dict[str, str]:
    return {a["Key"]: a.get("Value", "") for a in attributes or []}


class ELBv2Collector(Collector):
    service = "elbv2"
    client_name = "elbv2"
    types = ("load-balancer", "target-group")
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        elb = ctx.client()
        lbs = [lb for lb in ctx.paginate(elb, "DescribeLoadBalancers", "LoadBalancers") or []
               if not ctx.carry(ctx.address("load-balancer", lb["LoadBalancerName"]), lb["LoadBalancerArn"])]
        groups = [tg for tg in ctx.paginate(elb, "DescribeTargetGroups", "TargetGroups") or []
                  if not ctx.carry(ctx.address("target-group", tg["TargetGroupName"]), tg["TargetGroupArn"])]
        arns = [lb["LoadBalancerArn"] for lb in lbs] + [tg["TargetGroupArn"] for tg in groups]
        tags = self._tags(ctx, arns)
        yield from ctx.map(lambda lb: self._load_balancer(ctx, lb, tags.get(lb["LoadBalancerArn"])), lbs)
        yield from ctx.map(lambda tg: self._target_group(ctx, tg, tags.get(tg["TargetGroupArn"])), groups)

    def _tags(self, ctx: CaptureContext, arns: list[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for start in range(0, len(arns), TAG_BATCH):
            got = ctx.call(ctx.client(), "DescribeTags", ResourceArns=arns[start:start + TAG_BATCH])
            for desc in (got or {}).get("TagDescriptions", []):
                out[desc["ResourceArn"]] = tags_dict(desc.get("Tags"))
        return out

    def _load_balancer(self, ctx: CaptureContext, lb: dict[str, Any], tags: dict[str, str] | None) -> Resource:
        elb = ctx.client()
        name, arn = lb["LoadBalancerName"], lb["LoadBalancerArn"]
        address = ctx.address("load-balancer", name)
        attrs = ctx.call(elb, "DescribeLoadBalancerAttributes", LoadBalancerArn=arn, address=address)
        config: dict[str, Any] = {
            "Type": lb.get("Type"),
            "Scheme": lb.get("Scheme"),
            "IpAddressType": lb.get("IpAddressType"),
            "VpcId": lb.get("VpcId"),
            "Subnets": [z["SubnetId"] for z in lb.get("AvailabilityZones") or [] if z.get("SubnetId")],
            "SecurityGroups": list(lb.get("SecurityGroups") or []),
            "CanonicalHostedZoneId": lb.get("CanonicalHostedZoneId"),
            "State": (lb.get("State") or {}).get("Code"),
            "Attributes": attributes_dict((attrs or {}).get("Attributes")) if attrs is not None else None,
            "Listeners": self._listeners(ctx, arn, address),
        }
        return ctx.resource("load-balancer", name, arn=arn, config=config, tags=tags or {},
                            identity={"CreatedTime": lb.get("CreatedTime"), "DNSName": lb.get("DNSName"),
                                      "LoadBalancerArn": arn})

    def _listeners(self, ctx: CaptureContext, lb_arn: str, address: str) -> list[dict[str, Any]] | None:
        elb = ctx.client()
        listeners = ctx.paginate(elb, "DescribeListeners", "Listeners", LoadBalancerArn=lb_arn, address=address)
        if listeners is None:
            return None
        out = []
        for listener in sorted(listeners, key=lambda item: item.get("Port", 0)):
            entry = {k: v for k, v in listener.items() if k not in ("ListenerArn", "LoadBalancerArn")}
            rules = ctx.paginate(elb, "DescribeRules", "Rules", ListenerArn=listener["ListenerArn"], address=address)
            entry["Rules"] = None if rules is None else [
                {k: v for k, v in rule.items() if k not in ("RuleArn", "IsDefault")}
                for rule in rules if not rule.get("IsDefault")]
            out.append(entry)
        return out

    def _target_group(self, ctx: CaptureContext, tg: dict[str, Any], tags: dict[str, str] | None) -> Resource:
        elb = ctx.client()
        name, arn = tg["TargetGroupName"], tg["TargetGroupArn"]
        address = ctx.address("target-group", name)
        config = {k: v for k, v in tg.items() if k not in ("TargetGroupArn", "TargetGroupName")}
        config["LoadBalancerArns"] = list(dict.fromkeys(tg.get("LoadBalancerArns") or []))  # a set
        attrs = ctx.call(elb, "DescribeTargetGroupAttributes", TargetGroupArn=arn, address=address)
        config["Attributes"] = attributes_dict((attrs or {}).get("Attributes")) if attrs is not None else None
        health = ctx.call(elb, "DescribeTargetHealth", TargetGroupArn=arn, address=address)
        config["Targets"] = None if health is None else [
            d["Target"] for d in health.get("TargetHealthDescriptions", [])]
        return ctx.resource("target-group", name, arn=arn, config=config, tags=tags or {},
                            identity={"TargetGroupArn": arn})
