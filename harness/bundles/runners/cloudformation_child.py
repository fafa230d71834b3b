"""Child process of the cloudformation runner: create or update one stack through a change set.

Runs inside the isolation (boto3 honours the pinned AWS_ENDPOINT_URL and throwaway
credentials). It reads the stack's current template, computes shadow's change set
(``harness.iac.cfn``), refuses a replacement CloudFormation would refuse, carries the
others out as CloudFormation does (a new resource, the old one deleted), then creates,
records and executes the change set and waits for the stack. One JSON line out.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the folder that holds harness/

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from harness.iac.cfn import NAME_PROPERTY, blocked_replacements, change_set, keep_generated_names, load_template, rename

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
WAIT_S = 600


def _stack(cfn: Any, name: str) -> dict[str, Any] | None:
    try:
        return cfn.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise


def _template(cfn: Any, name: str) -> dict[str, Any]:
    body = cfn.get_template(StackName=name)["TemplateBody"]
    return body if isinstance(body, dict) else load_template(body)


def run(spec: dict[str, Any]) -> dict[str, Any]:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    cfn = boto3.client("cloudformation", region_name=region,
                       config=Config(retries={"max_attempts": 2, "mode": "standard"}))
    name = spec["stack"]
    new = load_template(spec["template"])
    current = _stack(cfn, name)
    old = _template(cfn, name) if current else None
    physical = {}
    if current:
        listed = cfn.describe_stack_resources(StackName=name).get("StackResources") or []
        physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId") or "" for r in listed}
    new, carried = keep_generated_names(old, new, physical)
    changes = change_set(old, new)
    result: dict[str, Any] = {"stack": name, "action": "update" if current else "create",
                              "change_set": [c.to_json() for c in changes], "ok": False}
    refused = [c for c in blocked_replacements(changes, old) if c.logical_id not in carried]
    if refused:
        names = ", ".join(f"{c.logical_id} ({c.custom_name})" for c in refused)
        result["error"] = (f"CloudFormation cannot update a stack when a custom-named resource requires "
                           f"replacing: {names}. Rename it and update the stack again")
        return result
    replaced = {c.logical_id for c in changes if c.action == "Modify" and c.replacement}
    for logical in replaced & carried:  # a replacement gets a new generated name, as in CloudFormation
        res = new["Resources"][logical]
        res["Properties"].pop(NAME_PROPERTY[res["Type"]], None)
    effective = rename(new, replaced) if replaced else new
    result["replaced"] = sorted(replaced)
    params = [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in (spec.get("parameters") or {}).items()]
    made = cfn.create_change_set(StackName=name, ChangeSetName=f"shadow-{int(time.time())}",
                                 ChangeSetType="UPDATE" if current else "CREATE",
                                 TemplateBody=json.dumps(effective), Parameters=params, Capabilities=CAPABILITIES)
    arn = made["Id"]
    described = _wait_change_set(cfn, arn)
    result["emulator_change_set"] = [c.get("ResourceChange", c) for c in described.get("Changes") or []]
    if described.get("Status") == "FAILED":
        reason = described.get("StatusReason") or ""
        if "didn't contain changes" in reason or "No updates" in reason:
            result.update(ok=True, status=current["StackStatus"] if current else None, note=reason)
            return result
        result["error"] = f"the change set failed: {reason}"
        return result
    cfn.execute_change_set(ChangeSetName=arn)
    final = _wait_stack(cfn, name)
    result["status"] = final.get("StackStatus")
    result["status_reason"] = final.get("StackStatusReason")
    events = cfn.describe_stack_events(StackName=name).get("StackEvents") or []
    result["events"] = [{k: str(e.get(k)) for k in ("LogicalResourceId", "ResourceType", "ResourceStatus",
                                                    "ResourceStatusReason", "PhysicalResourceId")}
                        for e in events[:200]]
    status = result["status"] or ""
    result["ok"] = status.endswith("_COMPLETE") and "ROLLBACK" not in status
    if not result["ok"]:
        result["error"] = f"the stack ended in {status}: {result.get('status_reason') or ''}".strip()
    return result


def _wait_change_set(cfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while True:
        described = cfn.describe_change_set(ChangeSetName=arn)
        if described.get("Status") in ("CREATE_COMPLETE", "FAILED") or time.monotonic() > deadline:
            return described
        time.sleep(0.5)


def _wait_stack(cfn: Any, name: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while True:
        stack = _stack(cfn, name) or {}
        if not str(stack.get("StackStatus", "")).endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            return stack
        time.sleep(0.5)


def main(path: str) -> int:
    spec = json.loads(Path(path).read_text())
    try:
        result = run(spec)
    except ClientError as exc:
        err = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        result = {"stack": spec["stack"], "ok": False, "error": f"{err.get('Code')}: {err.get('Message')}",
                  "emulator_gap": status in (500, 501) or "not been implemented" in str(exc)}
    except (BotoCoreError, ValueError) as exc:
        result = {"stack": spec["stack"], "ok": False, "error": str(exc)[:500],
                  "emulator_gap": "not been implemented" in str(exc) or "invalid XML" in str(exc)}
    print(json.dumps(result, default=str), flush=True)
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
