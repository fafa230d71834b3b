"""``change.kind: script``: a ``.py`` (current Python) or ``.sh`` (bash) file.

Runs with the sandbox endpoint and throwaway credentials from the isolation layer;
anything using boto3, the AWS CLI or another SDK that honours AWS_ENDPOINT_URL (or a
proxy) works. A non-zero exit is a failed change.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import PurePosixPath
from typing import Any

from harness.bundles.model import Bundle
from harness.bundles.runners.base import RunContext, Runner, RunOutcome
from harness.errors import BundleError, ToolMissing

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "script"],
    "properties": {
        "kind": {"const": "script"},
        "script": {"type": "string", "minLength": 1},
        "args": {"type": "array", "items": {"type": "string"}},
        "env": {"type": "object", "additionalProperties": {"type": "string"},
                "propertyNames": {"pattern": "^(?!AWS_)[A-Za-z_][A-Za-z0-9_]*$"}},
        "files": {"type": "array", "items": {"type": "string"},
                  "description": "other files or folders the script needs (carried and digested)"},
        "timeout": {"type": "integer", "minimum": 1, "maximum": 3600},
    },
}
INTERPRETERS = {".py": "python", ".sh": "bash"}


class ScriptRunner(Runner):
    kind = "script"
    schema = SCHEMA

    def carried(self, change: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
        out: list[tuple[tuple[str | int, ...], str]] = [(("script",), change["script"])]
        out += [(("files", i), f) for i, f in enumerate(change.get("files") or [])]
        return out

    def validate(self, bundle: Bundle) -> None:
        suffix = PurePosixPath(bundle.change["script"]).suffix
        if suffix not in INTERPRETERS:
            raise BundleError(f"cannot run {bundle.change['script']!r}: only .py and .sh scripts are supported",
                              where=f"{bundle.path}: change.script", hint="Rename the script or wrap it in a .sh")

    def run(self, ctx: RunContext) -> RunOutcome:
        script = ctx.bundle.change["script"]
        suffix = PurePosixPath(script).suffix
        if suffix == ".py":
            argv = [sys.executable, script]
        else:
            bash = shutil.which("bash")
            if bash is None:
                raise ToolMissing("bash is not installed", hint="Install bash or use a .py script")
            argv = [bash, script]
        argv += list(ctx.bundle.change.get("args") or [])
        execution = ctx.execute(argv, env=dict(ctx.bundle.change.get("env") or {}))
        outcome = RunOutcome(execution=execution)
        if not execution.timed_out and execution.returncode != 0:
            tail = " | ".join(execution.stderr.strip().splitlines()[-3:])
            outcome.failed = f"{script} exited with {execution.returncode}" + (f": {tail}" if tail else "")
        return outcome
