"""Access grants: who may do what on which resource, computed from a snapshot.

Sources: IAM identity policies (inline, attached customer-managed and AWS-managed,
whose documents moto ships), resource policies (S3, SQS, SNS, KMS, Secrets Manager,
Lambda, IAM trust policies), S3 ACL grants to AllUsers/AuthenticatedUsers, and
security group rules. Grants are keyed by the resource that holds the document, so a
changed resource's grants can be compared before/after. ``@address#arn`` references
are resolved back to ARNs so grants read like the policies users write.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from harness.diff.model import Grant
from harness.estate.snapshot import Resource, Snapshot

PUBLIC_CIDRS = ("0.0.0.0/0", "::/0")
ALL_USERS = ("http://acs.amazonaws.com/groups/global/AllUsers",
             "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
IDENTITY_TYPES = {("iam", "role"), ("iam", "user"), ("iam", "group")}


@cache
def aws_managed_policies() -> dict[str, Any]:
    """AWS managed policy documents by name (moto's copy of AWS's list)."""
    try:
        from moto.iam.aws_managed_policies import aws_managed_policies_data
    except ImportError:  # pragma: no cover - moto is a dependency
        return {}
    return {name: doc.get("Document", {}) for name, doc in json.loads(aws_managed_policies_data).items()}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class Resolver:
    """Turns ``@address`` / ``@address#arn`` references into ARNs (or addresses)."""

    def __init__(self, *snapshots: Snapshot):
        self.arns: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        for snap in snapshots:
            for res in snap.resources.values():
                if res.arn:
                    self.arns.setdefault(res.address, res.arn)
                if res.id:
                    self.ids.setdefault(res.address, res.id)

    def __call__(self, value: Any) -> str:
        text = str(value)
        if text.startswith("@"):
            address, _, part = text[1:].partition("#")
            if part == "arn":
                return self.arns.get(address, address)
            return address
        return text


def principals(statement: dict[str, Any], resolve: Resolver) -> list[str]:
    """Principals of a resource-policy statement, normalized (``*`` for everyone)."""
    if "NotPrincipal" in statement:
        return ["NOT(" + ",".join(sorted(_flat_principals(statement["NotPrincipal"], resolve))) + ")"]
    return sorted(_flat_principals(statement.get("Principal"), resolve))


def _flat_principals(value: Any, resolve: Resolver) -> set[str]:
    if value is None:
        return set()
    if value == "*" or value == {"AWS": "*"}:
        return {"*"}
    out: set[str] = set()
    if isinstance(value, dict):
        for kind, items in value.items():
            for item in _list(items):
                text = resolve(item)
                if kind == "AWS" and text.isdigit() and len(text) == 12:
                    text = f"arn:aws:iam::{text}:root"
                out.add("*" if text == "*" else text)
    else:
        out.update(resolve(v) for v in _list(value))
    return out


def statement_grants(doc: Any, *, default_principals: list[str] | None, default_resource: str | None,
                     source: str, resolve: Resolver) -> Iterator[Grant]:
    """Allow statements of one policy document as grants."""
    if not isinstance(doc, dict):
        return
    for statement in _list(doc.get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        who = principals(statement, resolve) if ("Principal" in statement or "NotPrincipal" in statement) \
            else (default_principals or [])
        if "NotAction" in statement:
            actions = ["NOT(" + ",".join(sorted(map(str, _list(statement["NotAction"])))) + ")"]
        else:
            actions = [str(a) for a in _list(statement.get("Action"))]
        if "NotResource" in statement:
            resources = ["NOT(" + ",".join(sorted(resolve(r) for r in _list(statement["NotResource"]))) + ")"]
        else:
            resources = [resolve(r) for r in _list(statement.get("Resource"))] or (
                [default_resource] if default_resource else ["*"])
        conditional = bool(statement.get("Condition"))
        for principal in who:
            for action in actions:
                for resource in resources:
                    public = principal == "*" or principal.startswith("NOT(")
                    yield Grant(principal, action, resource, source, conditional, public and not conditional)


def _managed_refs(config: Any) -> Iterator[str]:
    """Managed policy references anywhere in an identity's configuration."""
    if isinstance(config, dict):
        for value in config.values():
            yield from _managed_refs(value)
    elif isinstance(config, list):
        for value in config:
            yield from _managed_refs(value)
    elif isinstance(config, str) and ((":policy/" in config and config.startswith("arn:aws"))
                                      or config.startswith("@iam:policy/")):
        yield config


def _policy_document(res: Resource) -> Any:
    """The (default version) document of a customer-managed policy resource."""
    for key in ("Document", "DefaultVersion", "PolicyDocument"):
        if key in res.policies:
            return res.policies[key]
    return next(iter(res.policies.values()), None) if len(res.policies) == 1 else None


def grants_of(res: Resource, snapshot: Snapshot, resolve: Resolver) -> set[Grant]:
    """All grants whose document lives on ``res``."""
    out: set[Grant] = set()
    arn = res.arn or res.address
    source = res.address
    is_identity = (res.service, res.type) in IDENTITY_TYPES
    for name, doc in res.policies.items():
        if is_identity and name in ("AssumeRolePolicyDocument", "TrustPolicy"):
            out.update(statement_grants(doc, default_principals=None, default_resource=arn,
                                        source=f"{source} trust policy", resolve=resolve))
            continue
        out.update(statement_grants(
            doc, default_principals=[arn] if is_identity else None, default_resource=arn,
            source=f"{source} {name}", resolve=resolve))
    if is_identity:
        for ref in sorted(set(_managed_refs(res.config))):
            out.update(_managed_grants(ref, arn, source, snapshot, resolve))
    if (res.service, res.type) == ("iam", "policy"):
        doc = _policy_document(res)
        for holder in _attached_to(res, snapshot):
            out.update(statement_grants(doc, default_principals=[holder.arn or holder.address],
                                        default_resource=None, source=f"{source} (attached to {holder.address})",
                                        resolve=resolve))
    if (res.service, res.type) == ("s3", "bucket"):
        out.update(_acl_grants(res))
    if (res.service, res.type) == ("ec2", "security-group"):
        out.update(sg_grants(res, resolve))
    return out


def _managed_grants(ref: str, principal: str, source: str, snapshot: Snapshot,
                    resolve: Resolver) -> Iterable[Grant]:
    if ref.startswith("@"):
        address = ref[1:].partition("#")[0]
        policy = snapshot.resources.get(address)
        doc = _policy_document(policy) if policy else None
        label = address
    else:
        name = ref.rsplit("/", 1)[-1]
        doc = aws_managed_policies().get(name) if ":iam::aws:policy/" in ref else None
        label = f"AWS managed {name}"
        if doc is None:
            return [Grant(principal, f"policy:{name}", "*", f"{source} {label} (document unknown)")]
    return statement_grants(doc, default_principals=[principal], default_resource=None,
                            source=f"{source} {label}", resolve=resolve)


def _attached_to(policy: Resource, snapshot: Snapshot) -> list[Resource]:
    marker = f"@{policy.address}#arn"
    holders = []
    for res in snapshot.resources.values():
        if (res.service, res.type) in IDENTITY_TYPES and marker in set(_managed_refs(res.config)):
            holders.append(res)
    return holders


def _acl_grants(res: Resource) -> Iterator[Grant]:
    acl = (res.config or {}).get("Acl") or {}
    for grant in acl.get("Grants") or []:
        grantee = grant.get("Grantee") or {}
        uri = grantee.get("URI")
        if uri in ALL_USERS:
            who = "*" if uri.endswith("AllUsers") else "authenticated-aws-users"
            yield Grant(who, f"s3:acl:{grant.get('Permission')}", res.arn or res.address,
                        f"{res.address} ACL", False, True)


def sg_grants(res: Resource, resolve: Resolver) -> Iterator[Grant]:
    """Ingress rules as grants: source -> ``proto:port-range`` on the group."""
    cfg = res.config or {}
    for direction, key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
        for rule in cfg.get(key) or []:
            proto = str(rule.get("IpProtocol", "-1"))
            proto = "all" if proto == "-1" else proto
            lo, hi = rule.get("FromPort"), rule.get("ToPort")
            ports = "all" if lo in (None, -1) else (str(lo) if lo == hi else f"{lo}-{hi}")
            action = f"{direction}:{proto}:{ports}"
            for source in _rule_sources(rule, resolve):
                yield Grant(source, action, res.address, f"{res.address} {key}", False,
                            direction == "ingress" and source in PUBLIC_CIDRS)


def _rule_sources(rule: dict[str, Any], resolve: Resolver) -> Iterator[str]:
    for key in ("CidrIp", "CidrIpv6", "PrefixListId", "GroupId", "ReferencedGroupId"):
        if rule.get(key):
            yield resolve(rule[key]) if str(rule[key]).startswith("@") else str(rule[key])
    for r in rule.get("IpRanges") or []:
        yield r.get("CidrIp", "")
    for r in rule.get("Ipv6Ranges") or []:
        yield r.get("CidrIpv6", "")
    for r in rule.get("PrefixListIds") or []:
        yield r.get("PrefixListId", "")
    for r in rule.get("UserIdGroupPairs") or []:
        group = r.get("GroupId", "")
        yield resolve(group) if str(group).startswith("@") else group


def snapshot_grants(snapshot: Snapshot, resolve: Resolver) -> dict[str, set[Grant]]:
    """Grants of every resource in a snapshot, by the address holding them."""
    return {a: g for a, r in snapshot.resources.items() if (g := grants_of(r, snapshot, resolve))}
