"""ELBv2 seeder: target groups (attributes, targets), then load balancers with their
attributes, listeners and listener rules."""

from __future__ import annotations

from typing import Any

from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder, operation_name

_TARGET_GROUP_FIELDS = (
    "Protocol", "ProtocolVersion", "Port", "VpcId", "HealthCheckProtocol", "HealthCheckPort", "HealthCheckEnabled",
    "HealthCheckPath", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "HealthyThresholdCount",
    "UnhealthyThresholdCount", "Matcher", "TargetType", "IpAddressType",
)
_SECURE = ("HTTPS", "TLS")


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
        arn = _create(ctx, res, elb.create_target_group, params, "TargetGroups", "TargetGroupArn")
        if arn is None:
            return
        _attributes(ctx, res, cfg.get("Attributes"), elb.describe_target_group_attributes,
                    elb.modify_target_group_attributes, {"TargetGroupArn": arn})
        if cfg.get("Targets"):
            ctx.attempt(res, "RegisterTargets", lambda: elb.register_targets(TargetGroupArn=arn,
                                                                             Targets=cfg["Targets"]))

    def _load_balancer(self, ctx: SeedContext, res: Resource) -> None:
        elb = ctx.client("elbv2", res.region)
        cfg = ctx.ref(res.config)
        params: dict[str, Any] = {"Name": res.name, "Subnets": cfg.get("Subnets") or []}
        params.update({k: cfg[k] for k in ("Scheme", "Type", "IpAddressType", "SecurityGroups") if cfg.get(k)})
        arn = _create(ctx, res, elb.create_load_balancer, params, "LoadBalancers", "LoadBalancerArn")
        if arn is None:
            return
        _attributes(ctx, res, cfg.get("Attributes"), elb.describe_load_balancer_attributes,
                    elb.modify_load_balancer_attributes, {"LoadBalancerArn": arn})
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


def _create(ctx: SeedContext, res: Resource, call: Any, params: dict[str, Any], list_key: str,
            arn_key: str) -> str | None:
    """Create one resource (with its tags), record its sandbox ARN and return it."""
    if res.tags:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in res.tags.items()]
    created = ctx.attempt(res, operation_name(call), lambda: call(**params))
    if created is None:
        return None
    arn = created[list_key][0][arn_key]
    ctx.ids.record(res, sandbox_arn=arn)
    return arn


def _attributes(ctx: SeedContext, res: Resource, wanted: dict[str, str] | None, describe: Any, modify: Any,
                key: dict[str, str]) -> None:
    """Set the attributes whose snapshot value differs from what the sandbox made by default."""
    current = ctx.attempt(res, operation_name(describe), lambda: describe(**key))
    have = {a["Key"]: a.get("Value", "") for a in (current or {}).get("Attributes", [])}
    changed = [{"Key": k, "Value": v} for k, v in (wanted or {}).items() if have.get(k) != v]
    if changed:
        ctx.attempt(res, operation_name(modify), lambda: modify(**key, Attributes=changed))
