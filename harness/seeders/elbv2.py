"""ELBv2 seeder: target groups (attributes, targets), then load balancers with their
attributes, listeners and listener rules."""

from __future__ import annotations

from typing import Any

from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder

_TARGET_GROUP_FIELDS = (
    "Protocol", "ProtocolVersion", "Port", "VpcId", "HealthCheckProtocol", "HealthCheckPort", "HealthCheckEnabled",
    "HealthCheckPath", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "HealthyThresholdCount",
    "UnhealthyThresholdCount", "Matcher", "TargetType", "IpAddressType",
)
_SECURE = ("HTTPS", "TLS")


def _tags(res: Resource) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in res.tags.items()]


def _conditions(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rule conditions as CreateRule takes them: the *Config form wins over legacy Values."""
    out = []
    for cond in conditions:
        has_config = any(k.endswith("Config") for k in cond)
        out.append({k: v for k, v in cond.items() if not (has_config and k == "Values")})
    return out


class ELBv2Seeder(Seeder):
    service = "elbv2"
    after = ("ec2", "acm")

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        ctx.map(lambda r: self._target_group(ctx, r), [r for r in resources if r.type == "target-group"])
        ctx.map(lambda r: self._load_balancer(ctx, r), [r for r in resources if r.type == "load-balancer"])

    def _target_group(self, ctx: SeedContext, res: Resource) -> None:
        elb = ctx.client("elbv2", res.region)
        cfg = ctx.ref(res.config)
        params: dict[str, Any] = {"Name": res.name}
        params.update({k: cfg[k] for k in _TARGET_GROUP_FIELDS if cfg.get(k) is not None})
        if res.tags:
            params["Tags"] = _tags(res)
        created = ctx.attempt(res, "CreateTargetGroup", lambda: elb.create_target_group(**params))
        if created is None:
            return
        arn = created["TargetGroups"][0]["TargetGroupArn"]
        ctx.ids.record(res, sandbox_arn=arn)
        current = ctx.attempt(res, "DescribeTargetGroupAttributes",
                              lambda: elb.describe_target_group_attributes(TargetGroupArn=arn))
        changed = _changed(cfg.get("Attributes"), current)
        if changed:
            ctx.attempt(res, "ModifyTargetGroupAttributes", lambda: elb.modify_target_group_attributes(
                TargetGroupArn=arn, Attributes=changed))
        if cfg.get("Targets"):
            ctx.attempt(res, "RegisterTargets", lambda: elb.register_targets(TargetGroupArn=arn,
                                                                             Targets=cfg["Targets"]))

    def _load_balancer(self, ctx: SeedContext, res: Resource) -> None:
        elb = ctx.client("elbv2", res.region)
        cfg = ctx.ref(res.config)
        params: dict[str, Any] = {"Name": res.name, "Subnets": cfg.get("Subnets") or []}
        for key in ("Scheme", "Type", "IpAddressType"):
            if cfg.get(key):
                params[key] = cfg[key]
        if cfg.get("SecurityGroups"):
            params["SecurityGroups"] = cfg["SecurityGroups"]
        if res.tags:
            params["Tags"] = _tags(res)
        created = ctx.attempt(res, "CreateLoadBalancer", lambda: elb.create_load_balancer(**params))
        if created is None:
            return
        arn = created["LoadBalancers"][0]["LoadBalancerArn"]
        ctx.ids.record(res, sandbox_arn=arn)
        current = ctx.attempt(res, "DescribeLoadBalancerAttributes",
                              lambda: elb.describe_load_balancer_attributes(LoadBalancerArn=arn))
        changed = _changed(cfg.get("Attributes"), current)
        if changed:
            ctx.attempt(res, "ModifyLoadBalancerAttributes", lambda: elb.modify_load_balancer_attributes(
                LoadBalancerArn=arn, Attributes=changed))
        for listener in cfg.get("Listeners") or []:
            self._listener(ctx, elb, res, arn, listener)

    def _listener(self, ctx: SeedContext, elb: Any, res: Resource, lb_arn: str, listener: dict[str, Any]) -> None:
        params: dict[str, Any] = {"LoadBalancerArn": lb_arn, "Port": listener["Port"],
                                  "DefaultActions": listener.get("DefaultActions") or []}
        if listener.get("Protocol"):
            params["Protocol"] = listener["Protocol"]
        if listener.get("Protocol") in _SECURE:
            for key in ("SslPolicy", "Certificates"):
                if listener.get(key):
                    params[key] = listener[key]
        if listener.get("AlpnPolicy"):
            params["AlpnPolicy"] = listener["AlpnPolicy"]
        created = ctx.attempt(res, "CreateListener", lambda: elb.create_listener(**params))
        if created is None:
            return
        listener_arn = created["Listeners"][0]["ListenerArn"]
        for rule in listener.get("Rules") or []:
            ctx.attempt(res, "CreateRule", lambda r=rule: elb.create_rule(
                ListenerArn=listener_arn, Priority=int(r["Priority"]),
                Conditions=_conditions(r.get("Conditions") or []), Actions=r.get("Actions") or []))


def _changed(wanted: dict[str, str] | None, current: dict[str, Any] | None) -> list[dict[str, str]]:
    """The attributes whose snapshot value differs from what the sandbox made by default."""
    have = {a["Key"]: a.get("Value", "") for a in (current or {}).get("Attributes", [])}
    return [{"Key": k, "Value": v} for k, v in (wanted or {}).items() if have.get(k) != v]
