"""Access policies: public exposure, undeclared or wide grants, new credentials."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from harness.bundles.model import AccessGrantDecl
from harness.diff.model import Grant
from harness.findings import Finding
from harness.policies.base import Policy, PolicyContext

ADMIN_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")
PAB_FIELDS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def declared(grant: Grant, decls: list[AccessGrantDecl]) -> bool:
    """True when a declared access entry covers the grant (globs, case-insensitive actions)."""
    for d in decls:
        if not fnmatch.fnmatchcase(grant.principal, d.principal):
            continue
        if not fnmatch.fnmatchcase(grant.resource, d.resource):
            continue
        if any(fnmatch.fnmatch(grant.action.lower(), a.lower()) for a in d.actions):
            return True
    return False


def wide(grant: Grant) -> str | None:
    """Why a grant is wide (wildcard action/principal/resource, admin policy), or None."""
    if grant.principal == "*" or grant.principal.startswith("NOT("):
        return "any principal"
    if grant.action == "*" or grant.action.endswith(":*") or grant.action.startswith("NOT("):
        return f"wildcard action {grant.action}"
    if any(name in grant.source for name in ADMIN_POLICIES):
        return "an administrator policy"
    if grant.resource == "*" and not grant.action.startswith(("ingress:", "egress:")):
        return "every resource"
    return None


class PublicAccess(Policy):
    id = "SHD-PUBLIC-ACCESS"
    title = "resource exposed publicly"
    doc = ("A grant to everyone (Principal *, AllUsers ACL, 0.0.0.0/0 or ::/0 ingress) appeared, or an S3 "
           "public access block was loosened.")

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        for change in ctx.changes.changes.values():
            for grant in change.grants_added:
                if grant.public:
                    ok = declared(grant, ctx.intent.access)
                    yield self.finding(f"{change.address}: {grant} ({grant.source})", address=change.address,
                                       severity="warn" if ok else None)
            for fc in change.fields:
                if fc.path.startswith("PublicAccessBlock") and _loosened(fc.path, fc.before, fc.after):
                    yield self.finding(f"{change.address}: public access block loosened at {fc.path}",
                                       address=change.address, path=fc.path,
                                       severity="warn" if ctx.declared(change) else None)


def _loosened(path: str, before: object, after: object) -> bool:
    if isinstance(before, dict) or isinstance(after, dict):
        b = before if isinstance(before, dict) else {}
        a = after if isinstance(after, dict) else {}
        return any(b.get(k) and not a.get(k) for k in PAB_FIELDS)
    return before is True and after is not True


class AccessWidened(Policy):
    id = "SHD-ACCESS-WIDENED"
    title = "access widened beyond the intent"
    doc = ("A grant (IAM policy, resource policy, security group rule) appeared that the intent's `access` "
           "does not declare; declared wide grants (wildcards, admin policies) need two approvers.")

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        for change in ctx.changes.changes.values():
            for grant in change.grants_added:
                if grant.public:
                    continue  # SHD-PUBLIC-ACCESS reports those
                reason = wide(grant)
                if not declared(grant, ctx.intent.access):
                    extra = f" ({reason})" if reason else ""
                    yield self.finding(f"{change.address}: undeclared grant {grant}{extra}; from {grant.source}",
                                       address=change.address)
                elif reason:
                    yield self.finding(f"{change.address}: declared grant {grant} gives {reason}",
                                       address=change.address, severity="warn")


class NewCredentials(Policy):
    id = "SHD-NEW-CREDENTIALS"
    title = "new long-lived credentials"
    doc = "IAM users, access keys or login profiles were created."

    def check(self, ctx: PolicyContext) -> Iterator[Finding]:
        for change in ctx.changes.changes.values():
            if (change.service, change.type) != ("iam", "user"):
                continue
            if change.action == "create":
                what = "IAM user created"
            elif any("AccessKey" in f.path or "LoginProfile" in f.path for f in change.fields
                     if f.kind in ("added", "changed")):
                what = "access key or login profile created"
            else:
                continue
            yield self.finding(f"{change.address}: {what}", address=change.address,
                               severity="warn" if ctx.declared(change) else None)
        for call in ctx.execution.calls:
            if call.get("operation") in ("CreateAccessKey", "CreateLoginProfile") and call.get("ok"):
                user = (call.get("params") or {}).get("UserName", "?")
                address = f"iam:user/{user}"
                if address in ctx.changes.changes:
                    continue  # already reported from the change set
                yield self.finding(f"{call['operation']} for {address}", address=address)
