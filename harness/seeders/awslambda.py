"""Lambda seeder: functions with their configuration, a tiny placeholder package (code is
never captured), placeholder environment values (only hashes are captured), then reserved
concurrency, resource-policy permissions, aliases and event source mappings."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder

PLACEHOLDER_VALUE = "shadow-placeholder"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the placeholder package always hashes the same


def placeholder_zip(handler: str | None) -> bytes:
    """A deterministic package whose handler answers that it is a placeholder."""
    module, _, function = (handler or "index.handler").rpartition(".")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo(f"{(module or 'index').replace('.', '/')}.py", date_time=_ZIP_TIME)
        zf.writestr(info, f"def {function or 'handler'}(event, context):\n"
                          "    return {'shadow': 'placeholder: the production code is not captured'}\n")
    return buf.getvalue()


def input_params(client: Any, operation: str, values: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``values`` that ``operation`` accepts as input (per the botocore model)."""
    members = client.meta.service_model.operation_model(operation).input_shape.members
    return {k: v for k, v in values.items() if k in members and v is not None}


_CONDITIONS = {
    ("ArnLike", "AWS:SourceArn"): "SourceArn",
    ("ArnEquals", "AWS:SourceArn"): "SourceArn",
    ("StringEquals", "AWS:SourceAccount"): "SourceAccount",
    ("StringEquals", "aws:PrincipalOrgID"): "PrincipalOrgID",
    ("StringEquals", "lambda:FunctionUrlAuthType"): "FunctionUrlAuthType",
    ("StringEquals", "lambda:EventSourceToken"): "EventSourceToken",
}


def permission_params(statement: dict[str, Any]) -> dict[str, Any] | None:
    """AddPermission parameters for one resource-policy statement, or None if it has no such form."""
    action = statement.get("Action")
    if isinstance(action, list):
        action = action[0] if len(action) == 1 else None
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        principal = principal.get("Service") or principal.get("AWS")
    if not statement.get("Sid") or not isinstance(action, str) or not isinstance(principal, str) \
            or statement.get("Effect", "Allow") != "Allow":
        return None
    params: dict[str, Any] = {"StatementId": statement["Sid"], "Action": action, "Principal": principal}
    for operator, entries in (statement.get("Condition") or {}).items():
        for key, value in entries.items():
            name = _CONDITIONS.get((operator, key))
            if name is None:
                return None
            params[name] = value
    return params


class LambdaSeeder(Seeder):
    service = "lambda"
    after = ("iam", "kms", "sqs", "sns")  # role, keys, dead-letter targets and event sources first

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        ctx.map(lambda r: self._function(ctx, r), resources)

    def _function(self, ctx: SeedContext, res: Resource) -> None:
        lam = ctx.client("lambda", res.region)
        cfg = ctx.ref(res.config)
        if cfg.get("PackageType") == "Image":
            ctx.problem(res.address, "CreateFunction", "container image functions cannot be seeded: "
                                                       "the image is not captured")
            return
        values = dict(cfg)
        values.update({
            "FunctionName": res.name,
            "Code": {"ZipFile": placeholder_zip(cfg.get("Handler"))},
            "Publish": False,
            "Tags": res.tags or None,
            "SnapStart": {"ApplyOn": cfg["SnapStart"]["ApplyOn"]} if cfg.get("SnapStart") else None,
        })
        env = cfg.get("Environment") or {}
        values["Environment"] = {"Variables": {name: PLACEHOLDER_VALUE for name in env.get("Variables") or {}}} \
            if env else None
        created = ctx.attempt(res, "CreateFunction", lambda: lam.create_function(
            **input_params(lam, "CreateFunction", values)))
        if created is None:
            return
        ctx.ids.record(res, sandbox_arn=created.get("FunctionArn"))
        if cfg.get("ReservedConcurrentExecutions") is not None:
            ctx.attempt(res, "PutFunctionConcurrency", lambda: lam.put_function_concurrency(
                FunctionName=res.name, ReservedConcurrentExecutions=cfg["ReservedConcurrentExecutions"]))
        self._permissions(ctx, res, lam)
        for alias in cfg.get("Aliases") or []:
            if alias.get("FunctionVersion") != "$LATEST":
                ctx.problem(res.address, "CreateAlias", f"alias {alias.get('Name')} points at published version "
                            f"{alias.get('FunctionVersion')}; published versions are not seeded")
                continue
            ctx.attempt(res, "CreateAlias", lambda a=alias: lam.create_alias(
                FunctionName=res.name, **input_params(lam, "CreateAlias", a)))
        for mapping in cfg.get("EventSourceMappings") or []:
            wanted = {**mapping, "FunctionName": res.name,
                      "Enabled": mapping.get("State") not in ("Disabled", "Disabling")}
            ctx.attempt(res, "CreateEventSourceMapping", lambda v=wanted: lam.create_event_source_mapping(
                **input_params(lam, "CreateEventSourceMapping", v)))

    def _permissions(self, ctx: SeedContext, res: Resource, lam: Any) -> None:
        policy = ctx.ref(res.policies.get("ResourcePolicy")) or {}
        for statement in policy.get("Statement") or []:
            params = permission_params(statement)
            if params is None:
                ctx.problem(res.address, "AddPermission",
                            f"statement {statement.get('Sid')!r} has no AddPermission form")
                continue
            ctx.attempt(res, "AddPermission", lambda p=params: lam.add_permission(FunctionName=res.name, **p))
