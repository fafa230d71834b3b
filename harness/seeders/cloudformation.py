"""CloudFormation seeder: recreate each stack from its captured template and parameters.

It runs before every other seeder. Resource names are pinned to production's physical
ids (a table CloudFormation named ``orders-stack-Table-1AB2`` gets that name again), so
the stack's resources are the production resources' doubles. Resources whose creation
is not idempotent in an emulator (DynamoDB tables) become the stack's alone: the other
seeders skip them (``SeedContext.owned``) and only their data is seeded afterwards. A
stack that fails to create is a seed problem, so a change touching it is inconclusive.
"""

from __future__ import annotations

import json
import time
from typing import Any

from harness.estate.snapshot import Resource
from harness.iac.cfn import NAME_PROPERTY
from harness.seeders.base import SeedContext, Seeder

# CloudFormation type -> (shadow service:type, owned: the stack alone creates it)
ADDRESSES = {
    "AWS::DynamoDB::Table": ("dynamodb", "table", True),
    "AWS::SQS::Queue": ("sqs", "queue", False),
    "AWS::S3::Bucket": ("s3", "bucket", False),
}
WAIT_S = 120


def physical_name(rtype: str, physical: str) -> str:
    return physical.rstrip("/").rsplit("/", 1)[-1] if rtype == "AWS::SQS::Queue" else physical


class CloudFormationSeeder(Seeder):
    service = "cloudformation"

    def owned(self, snapshot_resources: list[Resource]) -> set[str]:
        """Addresses the stacks create alone (other seeders skip them)."""
        out = set()
        for stack in snapshot_resources:
            for res in (stack.config.get("Resources") or {}).values():
                kind = ADDRESSES.get(res.get("Type") or "")
                if kind and kind[2] and res.get("PhysicalResourceId"):
                    out.add(f"{kind[0]}:{kind[1]}/{physical_name(res['Type'], res['PhysicalResourceId'])}")
        return out

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        ctx.map(lambda r: self._stack(ctx, r), resources)

    def _stack(self, ctx: SeedContext, stack: Resource) -> None:
        template = stack.config.get("Template")
        if not isinstance(template, dict) or "Resources" not in template:
            ctx.problem(stack.address, "CreateStack", "the snapshot holds no readable template for this stack")
            return
        template = json.loads(json.dumps(template))
        for logical, res in (stack.config.get("Resources") or {}).items():
            prop = NAME_PROPERTY.get(res.get("Type") or "")
            body = template["Resources"].get(logical)
            if prop and body is not None and res.get("PhysicalResourceId") and res.get("Type") in ADDRESSES:
                body.setdefault("Properties", {})[prop] = physical_name(res["Type"], res["PhysicalResourceId"])
        cfn = ctx.client("cloudformation", stack.region)
        params = [{"ParameterKey": k, "ParameterValue": str(v)}
                  for k, v in (stack.config.get("Parameters") or {}).items()]
        tags = [{"Key": k, "Value": v} for k, v in stack.tags.items()]
        created = ctx.attempt(stack, "CreateStack", lambda: cfn.create_stack(
            StackName=stack.name, TemplateBody=json.dumps(template), Parameters=params, Tags=tags,
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]))
        if created is None:
            return
        ctx.ids.record(stack, sandbox_id=created["StackId"], sandbox_arn=created["StackId"])
        status = self._wait(ctx, stack, cfn)
        if status != "CREATE_COMPLETE":
            ctx.problem(stack.address, "CreateStack", f"the stack ended in {status}")

    def _wait(self, ctx: SeedContext, stack: Resource, cfn: Any) -> str | None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            got = ctx.attempt(stack, "DescribeStacks", lambda: cfn.describe_stacks(StackName=stack.name))
            status = got["Stacks"][0]["StackStatus"] if got else None
            if not status or not status.endswith("_IN_PROGRESS"):
                return status
            time.sleep(0.2)
        return "a timeout"
