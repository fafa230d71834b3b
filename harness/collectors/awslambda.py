"""Lambda: functions (runtime, handler, role, memory, timeout, layers, VPC, dead-letter,
tracing, architectures, reserved concurrency, code hash and size), tags, the resource
policy, aliases and event source mappings.

Environment variables often hold secrets: only their names and a sha256 of each value
are captured, never a value. Code bytes are never read (CodeSha256 and CodeSize only).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, parse_policy, tags_dict
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    volatile={"function": (
        "config.LastModified", "config.RevisionId", "config.State", "config.StateReason",
        "config.StateReasonCode", "config.LastUpdateStatus", "config.LastUpdateStatusReason",
        "config.LastUpdateStatusReasonCode", "config.RuntimeVersionConfig",
        "config.EventSourceMappings.*.LastModified", "config.EventSourceMappings.*.LastProcessingResult",
        "config.EventSourceMappings.*.StateTransitionReason",
    )},
    reseeded={"function": (
        "config.CodeSha256", "config.CodeSize", "config.Environment.Variables.*.sha256",
        "config.EventSourceMappings.*.UUID", "config.EventSourceMappings.*.EventSourceMappingArn",
    )},
    why={
        "config.LastModified": "set by Lambda on every write, also when seeded",
        "config.RevisionId": "a random id Lambda assigns on every write",
        "config.State*/LastUpdateStatus*": "transient (Pending/Active, InProgress/Successful)",
        "config.RuntimeVersionConfig": "AWS patches managed runtimes without a configuration change",
        "config.EventSourceMappings.*.LastModified/LastProcessingResult/StateTransitionReason":
            "moved by the poller, not by configuration",
        "config.CodeSha256": "code is never captured; a sandbox runs a tiny placeholder package",
        "config.CodeSize": "the size of the sandbox's placeholder package",
        "config.Environment.Variables.*.sha256": "values are never captured (they often hold secrets), only "
                                                  "their hashes, which cannot be turned back into values; a "
                                                  "sandbox holds placeholder values under the same names",
        "config.EventSourceMappings.*.UUID/EventSourceMappingArn": "a random id Lambda assigns when the mapping "
                                                                   "is created, also when seeded",
    },
)

_DROP = frozenset({"FunctionName", "FunctionArn", "Version", "MasterArn", "ResponseMetadata"})
_MAPPING_DROP = frozenset({"FunctionArn", "ResponseMetadata"})


def sha256_text(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def environment(env: dict[str, Any] | None) -> dict[str, Any] | None:
    """Variable names with a sha256 of each value; the values themselves are dropped here."""
    if not env:
        return None
    out: dict[str, Any] = {"Variables": {name: {"sha256": sha256_text(str(value))}
                                         for name, value in (env.get("Variables") or {}).items()}}
    if env.get("Error"):
        out["Error"] = env["Error"]
    return out


def function_config(raw: dict[str, Any]) -> dict[str, Any]:
    """The comparable configuration of a function from GetFunction's ``Configuration``."""
    config = {k: v for k, v in raw.items() if k not in _DROP and k != "Environment"}
    env = environment(raw.get("Environment"))
    if env is not None:
        config["Environment"] = env
    config["Layers"] = [layer["Arn"] for layer in raw.get("Layers") or []]
    vpc = raw.get("VpcConfig") or {}
    if vpc.get("SubnetIds"):
        config["VpcConfig"] = {"SubnetIds": sorted(vpc["SubnetIds"]),
                               "SecurityGroupIds": sorted(vpc.get("SecurityGroupIds") or []),
                               **({"Ipv6AllowedForDualStack": vpc["Ipv6AllowedForDualStack"]}
                                  if "Ipv6AllowedForDualStack" in vpc else {})}
    else:
        config.pop("VpcConfig", None)
    return config


class LambdaCollector(Collector):
    service = "lambda"
    client_name = "lambda"
    types = ("function",)
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        yield from self.each_listed(ctx, "ListFunctions", "Functions",
                                    lambda f: self._function(ctx, f["FunctionName"]),
                                    address=lambda f: (ctx.address("function", f["FunctionName"]), None))

    def _function(self, ctx: CaptureContext, name: str) -> Resource | None:
        lam = ctx.client()
        address = ctx.address("function", name)
        got = ctx.call(lam, "GetFunction", FunctionName=name, address=address,
                       absent=("ResourceNotFoundException",))
        if got is None:
            return None
        raw = got["Configuration"]
        config = function_config(raw)
        reserved = (got.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
        if reserved is not None:
            config["ReservedConcurrentExecutions"] = reserved
        aliases = ctx.paginate(lam, "ListAliases", "Aliases", FunctionName=name, address=address)
        config["Aliases"] = None if aliases is None else sorted(
            ({k: a[k] for k in ("Name", "FunctionVersion", "Description", "RoutingConfig") if k in a}
             for a in aliases), key=lambda a: a["Name"])
        mappings = ctx.paginate(lam, "ListEventSourceMappings", "EventSourceMappings", FunctionName=name,
                                address=address)
        config["EventSourceMappings"] = None if mappings is None else sorted(
            ({k: v for k, v in m.items() if k not in _MAPPING_DROP} for m in mappings),
            key=lambda m: (m.get("EventSourceArn") or "", m.get("UUID") or ""))
        policy = ctx.call(lam, "GetPolicy", FunctionName=name, address=address,
                          absent=("ResourceNotFoundException",))
        return ctx.resource(
            "function", name,
            arn=raw.get("FunctionArn"),
            config=config,
            tags=tags_dict(got.get("Tags")),
            policies={"ResourcePolicy": parse_policy(policy["Policy"])} if policy and policy.get("Policy") else {},
        )
