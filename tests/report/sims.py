"""Simulations of several shapes for the report tests, on a real moto sandbox.

The bundles are real (loaded and digested by ``load_bundle``), the sandbox is a real
moto server seeded from a captured production estate, and everything after the
execution (diff, intent matching, policies, tiers, verdict, report model) is the real
code. Until ``harness.isolation`` lands on main, the aws-calls are executed here with
boto3 against the sandbox and traced into records of the same shape as
``harness.isolation.Execution``; swap ``run_here`` for ``harness.simulate.simulate``
when it does.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from botocore import xform_name
from botocore.exceptions import ClientError

from harness.bundles import load_bundle
from harness.bundles.model import Bundle
from harness.bundles.runners import RunOutcome
from harness.config import Config, load_config
from harness.diff.engine import diff
from harness.estate.snapshot import Snapshot
from harness.intent.match import check_assumes
from harness.sandbox.session import Sandbox
from harness.simulate import Simulation, _judge, traced

SERVICES = ["s3", "dynamodb", "sqs"]
ACCOUNT = "210987654321"
READ_PREFIXES = ("Get", "List", "Describe", "Head")
# Everything a value may carry to break out of a table, a code span or an HTML context.
HOSTILE = "</script><img src=x onerror=alert(1)> | `tick` ``two`` @octocat [x](https://evil.invalid/p) <!-- **b**"


@dataclass
class Call:
    service: str
    operation: str
    region: str
    status: int
    error_code: str | None
    params: dict
    target: str | None
    host: str
    hardwired: bool
    mutating: bool
    emulator_gap: bool
    duration_ms: float
    seq: int


@dataclass
class Egress:
    destination: str
    how: str
    detail: str


@dataclass
class Execution:
    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool
    duration_s: float
    calls: list[Call] = field(default_factory=list)
    egress: list[Egress] = field(default_factory=list)
    isolation: str = "in-process (test)"
    notes: list[str] = field(default_factory=list)


def write_bundle(folder: Path, *, name: str, summary: str, effects: list[dict[str, Any]],
                 calls: list[dict[str, Any]], description: str = "", access: list[dict[str, Any]] | None = None,
                 author: str = "agent:report-test") -> Bundle:
    intent: dict[str, Any] = {"summary": summary, "effects": effects}
    if access:
        intent["access"] = access
    raw = {"apiVersion": "shadow/v1", "kind": "ChangeBundle",
           "metadata": {"name": name, "author": author, "description": description},
           "intent": intent, "change": {"kind": "aws-calls", "calls": calls}}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bundle.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_bundle(folder)


def write_config(path: Path, text: str) -> Config:
    path.write_text(text)
    return load_config(str(path))


def _execute(target: Any, calls: list[dict[str, Any]]) -> tuple[list[Call], str | None, str | None]:
    """Run the calls in order, stop at the first failure: (trace, failed, emulator gap)."""
    out: list[Call] = []
    for seq, call in enumerate(calls, 1):
        service, op, params = call["service"], call["operation"], call.get("params") or {}
        started = time.perf_counter()
        status, code, message = 200, None, ""
        try:
            getattr(target.client(service), xform_name(op))(**params)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
            code = exc.response.get("Error", {}).get("Code")
            message = exc.response.get("Error", {}).get("Message", "")
        name = params.get("Bucket") or params.get("TableName") or params.get("QueueName") or params.get("QueueUrl")
        out.append(Call(service, op, "us-east-1", status, code, dict(params), name, "127.0.0.1", False,
                        not op.startswith(READ_PREFIXES), status >= 500, (time.perf_counter() - started) * 1000,
                        seq))
        if status >= 300:
            failed = f"call {seq} ({service} {op}) failed: {code or ''} {message[:200]}".strip()
            gap = f"the sandbox does not implement {service} {op}" if status >= 500 else None
            return out, failed, gap
    return out, None, None


def run_here(production: Snapshot, bundle: Bundle, *, config: Config | None = None, now: dt.datetime,
             stdout: str = "", egress: list[Egress] | None = None) -> Simulation:
    """Seed, execute, capture, diff and judge one bundle (the real pipeline after execution)."""
    sim = Simulation(bundle, production, config or Config(), now)
    with Sandbox.open(production) as box:
        sim.seeded = box.seeded
        sim.before = box.capture()
        calls, failed, gap = _execute(box.target(), bundle.change["calls"])
        execution = Execution(1 if failed else 0, stdout, failed or "", False, 0.1, calls, list(egress or []))
        sim.outcome = RunOutcome(execution=execution, failed=failed, emulator_gap=gap)
        sim.inconclusive += [f"the sandbox could not simulate {c.service} {c.operation} (HTTP {c.status})"
                             for c in calls if c.emulator_gap]
        sim.after = box.capture()
    sim.changes = diff(sim.before, sim.after, production=production, calls=traced(sim))
    _judge(sim, check_assumes(bundle.intent, production))
    return sim


def policy(sid: str, principal: Any, bucket: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket}/*"}]})
