"""``change.kind: cloudformation``: create or update one stack in the sandbox.

The child (``cloudformation_child``) runs in the isolation like any change: it computes
the change set the way CloudFormation does (Add / Modify / Remove, Replacement), creates
and executes it through the sandbox's CloudFormation API and waits for the stack. The
change set (shadow's and the emulator's), the stack's final status and its events go
into the artifacts; the effect is measured by capturing the sandbox like any other kind,
so a replaced or deleted stack resource shows as such in the change set of the report.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from harness.bundles.model import Bundle
from harness.bundles.runners.base import RunContext, Runner, RunOutcome
from harness.errors import BundleError
from harness.iac.cfn import load_template

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "stack", "template"],
    "properties": {
        "kind": {"const": "cloudformation"},
        "stack": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9-]{0,127}$"},
        "template": {"type": "string", "minLength": 1},
        "parameters": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
        "timeout": {"type": "integer", "minimum": 1, "maximum": 3600},
    },
}
CHILD = Path(__file__).with_name("cloudformation_child.py")
MAX_TEMPLATE = 1024 * 1024  # CloudFormation's own limit for templates from S3


class CloudFormationRunner(Runner):
    kind = "cloudformation"
    schema = SCHEMA

    def carried(self, change: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
        return [(("template",), change["template"])]

    def validate(self, bundle: Bundle) -> None:
        path = bundle.file(bundle.change["template"])
        where = f"{bundle.path}: change.template"
        if path.is_dir():
            raise BundleError(f"{bundle.change['template']!r} is a folder", where=where, hint="Name the template file")
        if path.stat().st_size > MAX_TEMPLATE:
            raise BundleError("the template is larger than 1 MB", where=where)
        try:
            template = load_template(path.read_text())
        except (ValueError, UnicodeDecodeError) as exc:
            raise BundleError(f"not a CloudFormation template: {exc}", where=where,
                              hint="Give a YAML or JSON template with a Resources section") from None
        declared = set(template.get("Parameters") or {})
        unknown = sorted(set(bundle.change.get("parameters") or {}) - declared)
        if unknown:
            raise BundleError(f"parameters {', '.join(unknown)} are not declared in the template",
                              where=f"{bundle.path}: change.parameters", hint="Fix the parameter names")

    def run(self, ctx: RunContext) -> RunOutcome:
        change = ctx.bundle.change
        out = (ctx.scratch or ctx.workdir.parent) / "cloudformation"
        out.mkdir(parents=True, exist_ok=True)
        spec = {"stack": change["stack"], "template": (ctx.workdir / change["template"]).read_text(),
                "parameters": change.get("parameters") or {}}
        (out / "spec.json").write_text(json.dumps(spec))
        execution = ctx.execute([sys.executable, str(CHILD), str(out / "spec.json")])
        lines = [json.loads(line) for line in execution.stdout.splitlines() if line.startswith("{")]
        result = lines[-1] if lines else {}
        outcome = RunOutcome(execution=execution, artifacts={"cloudformation": result})
        if execution.timed_out:
            return outcome
        if not result:
            tail = " | ".join(execution.stderr.strip().splitlines()[-3:])
            outcome.failed = f"the cloudformation runner exited with {execution.returncode}: {tail}"
        elif not result.get("ok"):
            outcome.failed = f"stack {change['stack']}: {result.get('error') or 'failed'}"
            if result.get("emulator_gap"):
                outcome.emulator_gap = f"the sandbox could not run CloudFormation: {result.get('error')}"
        return outcome
