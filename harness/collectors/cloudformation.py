"""CloudFormation: stacks (template, parameters, outputs, the physical resource of each
logical one, tags). A replaced stack resource shows as a changed physical id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, tags_dict
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    volatile={"stack": ("config.StackStatus", "config.StackStatusReason", "config.LastUpdatedTime")},
    identity={"stack": ("StackId", "CreationTime")},
    why={"config.StackStatus": "CREATE_COMPLETE after seeding, UPDATE_COMPLETE after any update; the template "
                               "and the physical resources say what changed"},
)


class CloudFormationCollector(Collector):
    service = "cloudformation"
    client_name = "cloudformation"
    types = ("stack",)
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        stacks = ctx.paginate(ctx.client(), "DescribeStacks", "Stacks")
        live = [s for s in stacks or [] if s.get("StackStatus") != "DELETE_COMPLETE"
                and not ctx.carry(ctx.address("stack", s["StackName"]), s.get("StackId"))]
        yield from (r for r in ctx.map(lambda s: self._stack(ctx, s), live) if r)

    def _stack(self, ctx: CaptureContext, stack: dict[str, Any]) -> Resource | None:
        from harness.iac.cfn import load_template

        cfn = ctx.client()
        name = stack["StackName"]
        address = ctx.address("stack", name)
        got = ctx.call(cfn, "GetTemplate", StackName=name, address=address)
        body: Any = (got or {}).get("TemplateBody")
        if isinstance(body, str):
            try:
                body = load_template(body)
            except ValueError:
                body = {"$unparsed": body}
        listed = ctx.call(cfn, "DescribeStackResources", StackName=name, address=address) or {}
        resources = {r["LogicalResourceId"]: {"Type": r.get("ResourceType"),
                                              "PhysicalResourceId": r.get("PhysicalResourceId")}
                     for r in listed.get("StackResources") or []}
        config = {
            "Template": body,
            "Parameters": {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters") or []},
            "Outputs": {o["OutputKey"]: o.get("OutputValue") for o in stack.get("Outputs") or []},
            "Capabilities": sorted(stack.get("Capabilities") or []),
            "Resources": resources,
            "StackStatus": stack.get("StackStatus"),
        }
        return ctx.resource("stack", name, id=stack.get("StackId"), arn=stack.get("StackId"), config=config,
                            tags=tags_dict(stack.get("Tags")),
                            identity={"StackId": stack.get("StackId"), "CreationTime": stack.get("CreationTime")})
