"""Helpers that write real bundles and configs for the report tests.

The report documents are built by ``harness.report.model.build`` from real
simulations (``harness.simulate.simulate``: seeded moto sandbox, isolated execution,
diff, intent, policies, verdict); nothing here stands in for a part of the pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from harness.bundles import load_bundle
from harness.bundles.model import Bundle
from harness.config import Config, load_config

SERVICES = ["s3", "dynamodb", "sqs"]
# Everything a value may carry to break out of a table, a code span or an HTML context.
HOSTILE = "</script><img src=x onerror=alert(1)> | `tick` ``two`` @octocat [x](https://evil.invalid/p) <!-- **b**"


def write_bundle(folder: Path, *, name: str, summary: str, effects: list[dict[str, Any]],
                 change: dict[str, Any], description: str = "", access: list[dict[str, Any]] | None = None,
                 author: str = "agent:report-test", files: dict[str, str] | None = None) -> Bundle:
    """bundle.yaml (and the files it carries) in ``folder``, loaded and digested."""
    intent: dict[str, Any] = {"summary": summary, "effects": effects}
    if access:
        intent["access"] = access
    raw = {"apiVersion": "shadow/v1", "kind": "ChangeBundle",
           "metadata": {"name": name, "author": author, "description": description},
           "intent": intent, "change": change}
    folder.mkdir(parents=True, exist_ok=True)
    for rel, text in (files or {}).items():
        (folder / rel).write_text(text)
    (folder / "bundle.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_bundle(folder)


def aws_calls(*calls: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "aws-calls", "calls": list(calls)}


def write_config(path: Path, text: str) -> Config:
    path.write_text(text)
    return load_config(str(path))


def policy(sid: str, principal: Any, bucket: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket}/*"}]})


def toml_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
