"""``change.kind: terraform``: the real terraform binary against the sandbox.

In a private working copy (never the bundle's files) shadow adds an override file
that points every AWS endpoint of every aws provider at the sandbox with throwaway
credentials and moves the backend to a private local state: the bundle's ``state``
(the author's view of production, possibly stale) with production ids replaced by the
sandbox's. A private CLI configuration uses the provider mirror. ``terraform init``,
``plan`` (``-destroy`` for ``command: destroy``), ``show -json`` and ``apply`` of that
plan then run in one isolated child (``terraform_child``), so the trace, egress guard
and timeout cover all of them. The plan JSON, with production ids put back, and the
state's resources go into the artifacts; the SHD-STALE-STATE policy compares them with
the production snapshot.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path, PurePosixPath
from typing import Any

from harness.bundles.model import Bundle
from harness.bundles.runners.base import RunContext, Runner, RunOutcome
from harness.errors import BundleError
from harness.iac.tfsetup import (
    OVERRIDE_NAME,
    cli_config,
    find_mirror,
    find_terraform,
    override,
    own_endpoints,
    provider_aliases,
)
from harness.iac.tfstate import load_state, resources, translate

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "dir"],
    "properties": {
        "kind": {"const": "terraform"},
        "dir": {"type": "string", "minLength": 1, "description": "the configuration directory"},
        "command": {"enum": ["apply", "destroy"]},
        "state": {"type": "string", "minLength": 1,
                  "description": "the author's terraform.tfstate (optional; may be stale)"},
        "vars": {"type": "object", "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_-]*$"}},
        "timeout": {"type": "integer", "minimum": 1, "maximum": 3600},
    },
}
CHILD = Path(__file__).with_name("terraform_child.py")
GAP_MARKERS = ("StatusCode: 501", "StatusCode: 500", "NotImplemented", "not yet been implemented",
               "has not been implemented")


class TerraformRunner(Runner):
    kind = "terraform"
    schema = SCHEMA

    def carried(self, change: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
        out: list[tuple[tuple[str | int, ...], str]] = [(("dir",), change["dir"])]
        if change.get("state"):
            out.append((("state",), change["state"]))
        return out

    def validate(self, bundle: Bundle) -> None:
        change = bundle.change
        folder = PurePosixPath(change["dir"]).as_posix().rstrip("/")
        configs = [rel for rel in bundle.files if _in_dir(rel, folder) and rel.endswith((".tf", ".tf.json"))]
        if not configs:
            raise BundleError(f"{change['dir']!r} holds no .tf or .tf.json file", where=f"{bundle.path}: change.dir",
                              hint="Point dir at the Terraform configuration folder")
        for rel in configs:
            name = PurePosixPath(rel).name
            top = PurePosixPath(rel).parent.as_posix() == (folder or ".")
            is_override = name == "override.tf" or name.endswith(("_override.tf", "_override.tf.json"))
            if top and is_override and name >= OVERRIDE_NAME:
                raise BundleError(f"{rel} is an override file that would be applied after shadow's own",
                                  where=f"{bundle.path}: change.dir",
                                  hint=f"Rename it so that it sorts before {OVERRIDE_NAME}, or merge it")
        if change.get("state"):
            load_state(bundle.file(change["state"]), where=f"{bundle.path}: change.state")

    def run(self, ctx: RunContext) -> RunOutcome:
        terraform = find_terraform()
        change = ctx.bundle.change
        config_dir = (ctx.workdir / change["dir"]).resolve()
        out = (ctx.scratch or ctx.workdir.parent) / "terraform"
        out.mkdir(parents=True, exist_ok=True)
        state_path = out / "terraform.tfstate"
        artifacts: dict[str, Any] = {"command": change.get("command", "apply"), "state": [], "notes": []}
        if change.get("state"):
            doc = load_state(ctx.workdir / change["state"], where="change.state")
            artifacts["state"] = [r.to_json() for r in resources(doc)]
            state_path.write_text(json.dumps(doc if ctx.apply else translate(doc, ctx.ids)))
        spec: dict[str, Any] = {"terraform": terraform, "command": artifacts["command"], "out_dir": str(out),
                                "chdir": str(config_dir), "override": "", "override_path": ""}
        if change.get("vars"):
            vars_file = out / "shadow.tfvars.json"
            vars_file.write_text(json.dumps(change["vars"]))
            spec["vars_file"] = str(vars_file)
        if not ctx.apply:
            for stale in ("terraform.tfstate", "terraform.tfstate.backup"):
                (config_dir / stale).unlink(missing_ok=True)  # the private copy's; the state used is state_path
            spec["override"] = override(provider_aliases(config_dir), state_path)
            spec["override_path"] = str(config_dir / OVERRIDE_NAME)
            artifacts["notes"] += [f"{name} sets its own aws endpoints; shadow's override replaced them"
                                   for name in own_endpoints(config_dir)]
        mirror = find_mirror()
        (out / "cli.tfrc").write_text(cli_config(mirror))
        if mirror is None:
            artifacts["notes"].append("no provider mirror found: terraform init needs the providers in the "
                                      "plugin cache (set SHADOW_TF_PLUGIN_MIRROR)")
        spec_path = out / "spec.json"
        spec_path.write_text(json.dumps(spec))
        execution = ctx.execute([sys.executable, str(CHILD), str(spec_path)], env={
            "TF_CLI_CONFIG_FILE": str(out / "cli.tfrc"), "TF_IN_AUTOMATION": "1", "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1"})
        steps = [json.loads(line) for line in execution.stdout.splitlines() if line.startswith("{")]
        artifacts["steps"] = steps
        plan_file = out / "plan.json"
        if plan_file.is_file() and plan_file.stat().st_size:
            try:
                plan = json.loads(plan_file.read_text())
            except ValueError:
                plan = None
            if plan is not None:
                reverse = {v: k for k, v in ctx.ids.items()}
                artifacts["plan"] = plan if ctx.apply else translate(plan, reverse)
                artifacts["planned"] = planned_actions(artifacts["plan"])
        outcome = RunOutcome(execution=execution, artifacts={"terraform": artifacts})
        failed = next((s for s in steps if s.get("returncode") != 0), None)
        if failed is not None:
            tail = " | ".join(failed.get("stderr_tail", "").strip().splitlines()[-4:])
            outcome.failed = f"terraform {failed['step']} failed (exit {failed['returncode']}): {tail}"
            if any(marker in failed.get("stderr_tail", "") for marker in GAP_MARKERS):
                outcome.emulator_gap = f"the sandbox could not serve terraform {failed['step']}: {tail}"
        elif not execution.timed_out and execution.returncode != 0:
            outcome.failed = (f"the terraform runner exited with {execution.returncode}: "
                              + " | ".join(execution.stderr.strip().splitlines()[-3:]))
        return outcome


def planned_actions(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Each resource change of a plan: Terraform address, type and actions (no-ops left out)."""
    out = []
    for rc in plan.get("resource_changes") or []:
        actions = (rc.get("change") or {}).get("actions") or []
        if actions and actions != ["no-op"] and actions != ["read"]:
            out.append({"tf_address": rc.get("address"), "type": rc.get("type"), "actions": actions})
    return out


def _in_dir(rel: str, folder: str) -> bool:
    return folder in ("", ".") or rel == folder or rel.startswith(folder + "/")
