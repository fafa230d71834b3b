"""What a change can have touched: the plan of an incremental after-capture.

From the previous capture of the sandbox (``before``) and the calls the change made,
``plan_capture`` decides what to read again; everything else is carried over. Fail
closed: anything not understood reads more, never less.

- Which calls count: a mutating call (``trace.is_mutating``), unless its HTTP status is
  4xx and the sandbox answered it itself (not an emulator gap): AWS refuses those before
  any effect (validation, a failed condition, not found, denied, throttled, a cancelled
  transaction). 2xx, 3xx, 5xx and no answer (the sandbox may have done part of the work)
  count, and so does a call whose status is unknown.
- A counted call to a service the snapshot does not capture (STS aside: it changes no
  state) reads everything whole: its effects cannot be bounded.
- The call's service is re-listed, so creations and deletions anywhere in it show.
- The resources its parameters name (``diff.calls.addresses_of`` plus ``TARGETS`` below)
  are re-read whole; a call naming none reads its service whole.
- S3: a call naming an object key re-reads that key (the bucket's settings are carried);
  a bucket call in ``S3_SETTINGS_ONLY`` re-reads the settings and carries the objects;
  any other bucket call re-reads settings and lists every object.
- DynamoDB: PutItem, UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems whose
  every item names its key re-read those items (the settings are carried); a table call in
  ``DYNAMODB_SETTINGS_ONLY`` re-reads the settings and carries the items; anything else
  on a table (PartiQL, TTL, an item without its key, a body too large to parse) scans it.
- A resource whose ARN appears inside the parameters (a policy document, a redrive
  target, a listener's forward action) has its settings re-read; its data is carried.
- ``cascades.CASCADES`` adds what a call changes beyond what it names.
- A resource a change deleted: what references it and what it references are re-read
  (``References``), and the capture repeats this for deletions it only finds by listing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import orjson

from harness.collectors.base import CARRY_DATA, FULL_DATA, READ_ALL, Focus
from harness.collectors.dynamodb import wire_key
from harness.diff.calls import GLOBAL_SERVICES, AddressIndex, addresses_of, is_delete
from harness.estate.address import make_address
from harness.estate.snapshot import Snapshot

# signing/botocore names that differ from the collector's service name
SERVICE_ALIASES = {"elasticloadbalancing": "elbv2", "monitoring": "cloudwatch", "email": "ses"}
NO_STATE = {"sts"}  # services whose "mutating" calls (AssumeRole) change no estate state
SETTINGS = Focus(config=True, data=CARRY_DATA)

# parameters naming resources beyond diff.calls.PARAMS: (parameter, resource type, how)
#   how: "name" | "arn" (last ARN segment) | "index" (a captured id/ARN) | a resolver in _RESOLVERS
TARGETS: dict[str, list[tuple[str, str, str]]] = {
    "dynamodb": [("TargetTableName", "table", "name"), ("SourceTableName", "table", "name"),
                 ("GlobalTableName", "table", "name")],
    "sns": [("SubscriptionArn", "topic", "subscription")],
    "iam": [("PermissionsBoundary", "policy", "index")],
    "lambda": [("FunctionName", "function", "function"), ("UUID", "function", "mapping")],
    "rds": [("DBClusterSnapshotIdentifier", "cluster-snapshot", "name"),
            ("TargetDBSnapshotIdentifier", "snapshot", "name"), ("SourceDBSnapshotIdentifier", "snapshot", "name"),
            ("FinalDBSnapshotIdentifier", "snapshot", "name"), ("TargetDBInstanceIdentifier", "db", "name"),
            ("SourceDBInstanceIdentifier", "db", "name"), ("ResourceName", "*", "rds-arn")],
    "kms": [("AliasName", "key", "alias"), ("KeyId", "key", "alias")],
    "ecs": [("family", "task-definition", "name"), ("taskDefinition", "task-definition", "task-family")],
    "elbv2": [("ListenerArn", "load-balancer", "listener"), ("RuleArn", "load-balancer", "listener"),
              ("ResourceArns", "*", "index"), ("TargetGroupArns", "target-group", "index")],
    "secretsmanager": [("SecretId", "secret", "index")],
}
# calls that may name no captured resource and still change none (else: the service is read whole)
NAMES_NOTHING: dict[str, set[str]] = {
    "iam": {"CreateInstanceProfile", "TagInstanceProfile", "UntagInstanceProfile"},
    "cloudformation": {"ValidateTemplate", "CreateChangeSet", "DeleteChangeSet"},
}
S3_SETTINGS_ONLY = {
    "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketTagging", "DeleteBucketTagging", "PutBucketAcl",
    "PutBucketEncryption", "DeleteBucketEncryption", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls",
    "PutPublicAccessBlock", "DeletePublicAccessBlock", "PutBucketCors", "DeleteBucketCors", "PutBucketWebsite",
    "DeleteBucketWebsite", "PutBucketNotificationConfiguration", "PutBucketRequestPayment",
    "PutBucketAccelerateConfiguration", "PutBucketReplication", "DeleteBucketReplication",
    "PutBucketAnalyticsConfiguration", "PutBucketMetricsConfiguration", "PutBucketInventoryConfiguration",
    "PutBucketIntelligentTieringConfiguration", "PutObjectLockConfiguration",
}
DYNAMODB_SETTINGS_ONLY = {
    "UpdateTable", "TagResource", "UntagResource", "UpdateContinuousBackups", "CreateBackup", "DeleteBackup",
    "UpdateContributorInsights", "EnableKinesisStreamingDestination", "DisableKinesisStreamingDestination",
    "UpdateKinesisStreamingDestination", "PutResourcePolicy", "DeleteResourcePolicy",
    "UpdateTableReplicaAutoScaling",
}
# item writes: operation -> the parameter holding the item or its key
DYNAMODB_ITEM_WRITES = {"PutItem": "Item", "UpdateItem": "Key", "DeleteItem": "Key"}
_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[^\"\s\\,]+")
_RDS_ARN_TYPES = {"db": "db", "cluster": "cluster", "snapshot": "snapshot", "cluster-snapshot": "cluster-snapshot",
                  "subgrp": "subnet-group"}


def merge(a: Focus, b: Focus) -> Focus:
    """Read what either asks for: settings if either does; all data if either does, else both key sets."""
    if FULL_DATA in (a.data, b.data):
        data: str | frozenset[str] = FULL_DATA
    elif a.data == CARRY_DATA:
        data = b.data
    elif b.data == CARRY_DATA:
        data = a.data
    else:
        data = frozenset(a.data) | frozenset(b.data)
    return Focus(config=a.config or b.config, data=data)


def service_of(address: str) -> str:
    return address.split(":", 1)[0]


@dataclass
class CapturePlan:
    """What an after-capture reads again, and why; everything else is carried over."""

    everything: str | None = None  # why every service is read whole (None: incremental)
    whole: dict[str, str] = field(default_factory=dict)  # service -> why it is read whole
    listed: set[str] = field(default_factory=set)  # services re-listed; unfocused resources carried
    focus: dict[str, Focus] = field(default_factory=dict)  # production address -> what to re-read
    why: dict[str, list[str]] = field(default_factory=dict)  # production address -> why it is re-read

    def add(self, address: str, focus: Focus, why: str) -> None:
        self.focus[address] = merge(self.focus[address], focus) if address in self.focus else focus
        self.listed.add(service_of(address))
        reasons = self.why.setdefault(address, [])
        if why not in reasons:
            reasons.append(why)

    def read_whole(self, service: str, why: str) -> None:
        self.whole.setdefault(service, why)
        self.listed.add(service)

    def read_everything(self, why: str) -> None:
        if self.everything is None:
            self.everything = why

    def services(self) -> set[str]:
        """Services this plan reads (whole or re-listed)."""
        return set(self.whole) | self.listed

    def summary(self) -> list[str]:
        """One line per decision, for notes and tests."""
        if self.everything:
            return [f"everything read whole: {self.everything}"]
        lines = [f"{s} read whole: {why}" for s, why in sorted(self.whole.items())]
        lines += [f"{s} re-listed" for s in sorted(self.listed - set(self.whole))]
        lines += [f"{a} re-read ({'; '.join(self.why.get(a, []))})" for a in sorted(self.focus)]
        return lines


@dataclass(frozen=True)
class Effect:
    """A counted call: the part of it the plan needs."""

    seq: int
    service: str
    operation: str
    params: dict[str, Any]
    region: str | None = None


def counts(call: Any) -> bool:
    """May this call have changed state? (the rule in the module docstring)"""
    if not getattr(call, "mutating", True):
        return False
    status = getattr(call, "status", None)
    if status is None:  # e.g. a diff TracedCall: whether it failed, and how, is unknown
        return True
    return not (400 <= status < 500) or bool(getattr(call, "emulator_gap", False))


def effects(calls: Iterable[Any]) -> list[Effect]:
    """The calls that count, with signing names mapped to collector service names."""
    return [Effect(getattr(c, "seq", 0), SERVICE_ALIASES.get(c.service, c.service), c.operation,
                   dict(getattr(c, "params", None) or {}), getattr(c, "region", None)) for c in calls if counts(c)]


class References:
    """``@address`` references between the previous snapshot's resources, both ways."""

    def __init__(self, before: Snapshot):
        self.forward: dict[str, set[str]] = {}
        self.reverse: dict[str, set[str]] = {}
        for address, res in before.resources.items():
            found: set[str] = set(res.refs.values())
            _collect_refs(res.config, found)
            _collect_refs(res.policies, found)
            found = {f for f in found if f in before.resources and f != address}
            self.forward[address] = found
            for target in found:
                self.reverse.setdefault(target, set()).add(address)

    def around(self, address: str) -> set[str]:
        """What ``address`` references and what references it."""
        return self.forward.get(address, set()) | self.reverse.get(address, set())


def _collect_refs(value: Any, out: set[str]) -> None:
    if isinstance(value, str):
        if value.startswith("@"):
            out.add(value[1:].split("#", 1)[0])
    elif isinstance(value, dict):
        for v in value.values():
            _collect_refs(v, out)
    elif isinstance(value, list):
        for v in value:
            _collect_refs(v, out)


@dataclass
class PlanContext:
    """What a cascade rule sees: the previous snapshot, the counted calls, the plan it adds to."""

    before: Snapshot
    index: AddressIndex
    calls: list[Effect]
    plan: CapturePlan
    notifications: Any = None  # bucket name -> notification target ARNs (None: unknown); see incremental.py

    @cached_property
    def references(self) -> References:
        return References(self.before)

    def targets(self, call: Effect) -> list[str]:
        """Addresses a call's parameters name."""
        return targets_of(call, self.index, self.before)

    def resolve_arn(self, arn: str) -> str | None:
        """The address of a captured resource by its ARN (or id)."""
        return self.index.lookup(arn)

    def add_around(self, address: str, why: str) -> None:
        """Re-read the settings of what ``address`` references and of what references it."""
        for other in sorted(self.references.around(address)):
            self.plan.add(other, SETTINGS, why)


def targets_of(call: Effect, index: AddressIndex, before: Snapshot) -> list[str]:
    """Addresses named by a call's parameters: diff.calls.PARAMS, then TARGETS.

    A name used outside the snapshot's primary region names that region's resource (``@region``).
    """
    primary = before.source.primary_region
    out = addresses_of(call.service, call.params, index, region=call.region, primary=primary)
    for param, rtype, how in TARGETS.get(call.service, []):
        value = call.params.get(param)
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str) or not item:
                continue
            address = index.lookup(item)
            if address is None and how in _FROM_BEFORE:
                address = _FROM_BEFORE[how](item, before, call.region or primary)
            elif address is None:
                address = _resolve(call.service, rtype, how, item, index)
                if address and call.service not in GLOBAL_SERVICES and "@" not in address:
                    address = make_address(*address_parts(address), call.region, primary)
            if address:
                out.append(address)
    return [a for a in dict.fromkeys(out) if not _bogus(a, call.service)]


def address_parts(address: str) -> tuple[str, str, str]:
    """``service:type/name`` -> (service, type, name)."""
    head, _, name = address.partition("/")
    service, _, rtype = head.partition(":")
    return service, rtype, name


def _bogus(address: str, service: str) -> bool:
    """A name that PARAMS took literally but is really an ARN or a qualified name."""
    name = address.split("/", 1)[-1]
    return service_of(address) == service and (name.startswith("arn:") or (service == "lambda" and ":" in name))


def _resolve(service: str, rtype: str, how: str, value: str, index: AddressIndex) -> str | None:
    """The address (without region) a parameter value names, when it is not a captured id or ARN."""
    if how == "name":
        return f"{service}:{rtype}/{value}"
    if how == "arn":
        return f"{service}:{rtype}/{value.rsplit(':', 1)[-1].rsplit('/', 1)[-1]}"
    if how == "index":
        return None
    return _RESOLVERS[how](value, index)


def _subscription(value: str, _index: AddressIndex) -> str | None:
    parts = value.split(":")  # arn:aws:sns:region:account:topic:uuid
    return index_or_name(_index, ":".join(parts[:6]), "sns", "topic", parts[5]) if len(parts) >= 7 else None


def _function(value: str, index: AddressIndex) -> str | None:
    parts = value.split(":")  # name, name:qualifier, arn:aws:lambda:region:account:function:name[:qualifier]
    if value.startswith("arn:"):
        return index_or_name(index, ":".join(parts[:7]), "lambda", "function", parts[6]) if len(parts) >= 7 else None
    if len(parts) >= 3 and parts[1] == "function":  # account:function:name
        return f"lambda:function/{parts[2]}"
    return f"lambda:function/{parts[0]}"


def _mapping(value: str, before: Snapshot, region: str) -> str | None:
    """The function an event source mapping (by UUID) belongs to, in the previous snapshot."""
    for address, res in before.resources.items():
        mappings = res.config.get("EventSourceMappings") or [] if res.service == "lambda" else []
        if res.region == region and any(m.get("UUID") == value for m in mappings):
            return address
    return None


def _rds_arn(value: str, _index: AddressIndex) -> str | None:
    parts = value.split(":")  # arn:aws:rds:region:account:type:name
    if len(parts) >= 7 and parts[5] in _RDS_ARN_TYPES:
        return f"rds:{_RDS_ARN_TYPES[parts[5]]}/{parts[6]}"
    return None


def _alias(value: str, before: Snapshot, region: str) -> str | None:
    """The key an alias (``alias/x``, or its ARN) names in the previous snapshot."""
    name = value[value.find("alias/"):] if "alias/" in value else None
    if name is None:
        return None
    for address, res in before.resources.items():
        if res.service == "kms" and res.region == region and name in (res.config.get("Aliases") or []):
            return address
    return None


def _task_family(value: str, _index: AddressIndex) -> str | None:
    tail = value.rsplit("/", 1)[-1] if value.startswith("arn:") else value  # family[:revision]
    return f"ecs:task-definition/{tail.split(':', 1)[0]}"


def _listener(value: str, index: AddressIndex) -> str | None:
    """The load balancer of a listener or rule ARN (…:listener[-rule]/app/name/lb-id/…)."""
    kind, _, path = value.partition(":listener-rule/") if ":listener-rule/" in value else value.partition(":listener/")
    parts = path.split("/")
    if not path or len(parts) < 3:
        return None
    return index.lookup(f"{kind}:loadbalancer/{'/'.join(parts[:3])}") or f"elbv2:load-balancer/{parts[1]}"


def index_or_name(index: AddressIndex, arn: str, service: str, rtype: str, name: str) -> str:
    return index.lookup(arn) or f"{service}:{rtype}/{name}"


_RESOLVERS = {"subscription": _subscription, "function": _function, "rds-arn": _rds_arn,
              "task-family": _task_family, "listener": _listener}
_FROM_BEFORE = {"mapping": _mapping, "alias": _alias}  # found among the previous snapshot's resources


def mentioned(call: Effect, index: AddressIndex) -> list[str]:
    """Captured resources whose ARN appears anywhere inside a call's parameters."""
    text = orjson.dumps(call.params, default=str).decode()
    return list(dict.fromkeys(a for a in (index.lookup(m) for m in _ARN.findall(text)) if a))


def plan_capture(before: Snapshot, calls: Iterable[Any], *, notifications: Any = None) -> CapturePlan:
    """The plan for capturing the sandbox after ``calls``, given its capture ``before`` them."""
    from harness.collectors.cascades import CASCADES

    plan = CapturePlan()
    ctx = PlanContext(before, AddressIndex([before]), effects(calls), plan, notifications)
    captured = set(before.services)
    for call in ctx.calls:
        where = f"{call.service} {call.operation} (call {call.seq})"
        if call.service in NO_STATE:
            continue
        if call.service not in captured:
            plan.read_everything(f"{where}: {call.service} is not captured, so its effects cannot be bounded")
            break
        plan.listed.add(call.service)
        handler = _HANDLERS.get(call.service, _named)
        own = handler(ctx, call, where)
        for address in mentioned(call, ctx.index):
            if address not in own:
                plan.add(address, SETTINGS, f"named inside {where}")
        if is_delete(call.service, call.operation):
            for address in ctx.targets(call):
                ctx.add_around(address, f"references {address}, deleted by {where}")
        for cascade in CASCADES:
            if cascade.applies(call):
                cascade.expand(ctx, call, where)
    return plan


def _named(ctx: PlanContext, call: Effect, where: str, focus: Focus = READ_ALL) -> set[str]:
    """The default: re-read what the call names; a call naming nothing reads its service whole.

    Handlers return the addresses the call itself acts on (an ARN of those inside its
    parameters is not a mention of something else).
    """
    targets = ctx.targets(call)
    if not targets and call.operation not in NAMES_NOTHING.get(call.service, set()):
        ctx.plan.read_whole(call.service, f"{where} names no resource shadow can tell")
    for address in targets:
        ctx.plan.add(address, focus, f"named by {where}")
    return set(targets)


def _s3(ctx: PlanContext, call: Effect, where: str) -> set[str]:
    bucket = call.params.get("Bucket")
    if not isinstance(bucket, str) or not bucket:
        return _named(ctx, call, where)
    address = f"s3:bucket/{bucket}"
    keys = object_keys(call.params)
    if keys is not None:
        ctx.plan.add(address, Focus(config=False, data=frozenset(keys)), f"objects written by {where}")
    elif call.operation in S3_SETTINGS_ONLY:
        ctx.plan.add(address, SETTINGS, f"named by {where}")
    else:
        ctx.plan.add(address, READ_ALL, f"named by {where}")
    return {address}


def object_keys(params: dict[str, Any]) -> list[str] | None:
    """The object keys an S3 call names (``Key``, or DeleteObjects' list), or None."""
    key = params.get("Key")
    if isinstance(key, str) and key:
        return [key]
    objects = (params.get("Delete") or {}).get("Objects") if isinstance(params.get("Delete"), dict) else None
    if isinstance(objects, list) and objects and all(isinstance(o, dict) and isinstance(o.get("Key"), str)
                                                     for o in objects):
        return [o["Key"] for o in objects]
    return None


def _dynamodb(ctx: PlanContext, call: Effect, where: str) -> set[str]:
    writes = item_writes(call)
    if writes is None:
        return _named(ctx, call, where, SETTINGS if call.operation in DYNAMODB_SETTINGS_ONLY else READ_ALL)
    if not writes:
        ctx.plan.read_whole("dynamodb", f"{where} names no table shadow can tell")
    own: set[str] = set()
    for table, items in writes.items():
        address = (ctx.index.lookup(table) if table.startswith("arn:") else None) or make_address(
            "dynamodb", "table", table.rsplit("/", 1)[-1], call.region, ctx.before.source.primary_region)
        own.add(address)
        res = ctx.before.resources.get(address)
        key_names = [k.get("AttributeName") for k in (res.config.get("KeySchema") or [])] if res else []
        keys = [_item_key(item, key_names) for item in items]
        if key_names and all(k is not None for k in keys):
            ctx.plan.add(address, Focus(config=False, data=frozenset(k for k in keys if k)),
                         f"items written by {where}")
        else:
            ctx.plan.add(address, Focus(config=False, data=FULL_DATA), f"items written by {where} (keys unknown)")
    return own


def item_writes(call: Effect) -> dict[str, list[Any]] | None:
    """Table (name or ARN) -> items or keys an item write names; None for any other call."""
    params, op = call.params, call.operation
    out: dict[str, list[Any]] = {}
    if op in DYNAMODB_ITEM_WRITES:
        table = params.get("TableName")
        if isinstance(table, str) and table:
            out[table] = [params.get(DYNAMODB_ITEM_WRITES[op])]
        return out
    if op == "BatchWriteItem":
        for table, requests in (params.get("RequestItems") or {}).items():
            for request in requests if isinstance(requests, list) else [None]:
                request = request if isinstance(request, dict) else {}
                out.setdefault(table, []).append((request.get("PutRequest") or {}).get("Item")
                                                 or (request.get("DeleteRequest") or {}).get("Key"))
        return out
    if op == "TransactWriteItems":
        for entry in params.get("TransactItems") or []:
            for kind, part in (entry.items() if isinstance(entry, dict) else []):
                if isinstance(part, dict) and isinstance(part.get("TableName"), str):
                    out.setdefault(part["TableName"], []).append(part.get("Item") if kind == "Put" else part.get("Key"))
        return out
    return None


def _item_key(item: Any, key_names: list[str]) -> str | None:
    if not isinstance(item, dict) or not key_names or any(not isinstance(item.get(k), dict) for k in key_names):
        return None
    return wire_key({k: item[k] for k in key_names})


_HANDLERS = {"s3": _s3, "dynamodb": _dynamodb}
