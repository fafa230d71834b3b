"""``change.kind: aws-calls``: botocore service/operation/params, executed in order.

The calls run in a child process (``awscalls_child``) under the same isolation as any
script, so the trace, the egress guard and the timeout apply equally. Service and
operation names and parameter shapes are checked against botocore's models at load
time, so a typo is bad input (exit 2), not a failed simulation. A failed call stops
the run and is reported.
"""

from __future__ import annotations

import difflib
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
from botocore.validate import ParamValidator

from harness.bundles.model import Bundle
from harness.bundles.runners.base import RunContext, Runner, RunOutcome
from harness.errors import BundleError

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "calls"],
    "properties": {
        "kind": {"const": "aws-calls"},
        "timeout": {"type": "integer", "minimum": 1, "maximum": 3600},
        "calls": {"type": "array", "minItems": 1, "maxItems": 5000, "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["service", "operation"],
            "properties": {
                "service": {"type": "string", "minLength": 1},
                "operation": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]+$"},
                "params": {"type": "object"},
                "region": {"type": "string"},
            },
        }},
    },
}


CHILD = Path(__file__).resolve().with_name("awscalls_child.py")


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


class AwsCallsRunner(Runner):
    kind = "aws-calls"
    schema = SCHEMA

    def validate(self, bundle: Bundle) -> None:
        session = _session()
        services = session.get_available_services()
        for i, call in enumerate(bundle.change["calls"]):
            where = f"{bundle.path}: change.calls[{i}]"
            service = call["service"]
            if service not in services:
                raise BundleError(f"unknown service {service!r}{_suggest(service, services)}",
                                  where=f"{where}.service", hint="Use botocore service names (s3, dynamodb, sqs, ...)")
            model = session.get_service_model(service)
            op = call["operation"]
            if op not in model.operation_names:
                raise BundleError(f"{service} has no operation {op!r}{_suggest(op, model.operation_names)}",
                                  where=f"{where}.operation",
                                  hint="Use botocore operation names (CreateQueue, PutItem, ...)")
            report = ParamValidator().validate(call.get("params") or {}, model.operation_model(op).input_shape)
            if report.has_errors():
                first = report.generate_report().splitlines()
                raise BundleError(f"invalid parameters for {service} {op}: {'; '.join(first[1:3]) or first[0]}",
                                  where=f"{where}.params",
                                  hint="Check the parameter names and types against the AWS API")

    def run(self, ctx: RunContext) -> RunOutcome:
        calls_file = (ctx.scratch or ctx.workdir) / "shadow-calls.json"
        calls_file.write_text(json.dumps(ctx.bundle.change["calls"]))
        # the child is one file that needs only boto3: run it by path in isolated mode (-I: no
        # script folder, no user site on sys.path); importing it as a module of this package
        # would import the whole package first (0.2 s of every aws-calls run)
        execution = ctx.execute([sys.executable, "-I", str(CHILD), str(calls_file)])
        results = [json.loads(line) for line in execution.stdout.splitlines() if line.startswith("{")]
        failed = next((r for r in results if not r.get("ok")), None)
        outcome = RunOutcome(execution=execution)
        outcome.artifacts["results"] = results
        if failed is not None:
            outcome.failed = (f"call {failed['index'] + 1} ({failed['service']} {failed['operation']}) failed: "
                              f"{failed.get('error_code') or ''} {failed.get('message', '')}".strip())
            if failed.get("emulator_gap"):
                outcome.emulator_gap = (f"the sandbox does not implement {failed['service']} "
                                        f"{failed['operation']}: {failed.get('message', '')}")
        elif not execution.timed_out and execution.returncode not in (0, None):
            outcome.failed = f"the call runner exited with {execution.returncode}: {_tail(execution.stderr)}"
        return outcome


def _suggest(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _tail(text: str, lines: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


def results_summary(results: list[dict[str, Any]]) -> str:
    ok = sum(1 for r in results if r.get("ok"))
    return f"{ok}/{len(results)} calls succeeded"
