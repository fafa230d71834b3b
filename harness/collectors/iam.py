"""IAM (global): roles, users, groups and customer managed policies, with their trust,
inline and default-version policy documents in ``policies`` and attachments in ``config``.

AWS managed policies are not captured: every account has them (a moto sandbox loads
them too). Of access keys only metadata is read (id, status, creation date); of login
profiles only whether one exists. Secrets are never read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, parse_policy, tags_dict
from harness.estate.canonical import jsonable
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    volatile={"policy": ("config.AttachmentCount", "config.PermissionsBoundaryUsageCount", "config.UpdateDate")},
    identity={
        "role": ("RoleId", "CreateDate"),
        "user": ("UserId", "CreateDate"),
        "group": ("GroupId", "CreateDate"),
        "policy": ("PolicyId", "CreateDate"),
    },
    reseeded={
        "user": ("config.AccessKeys.*.AccessKeyId", "config.AccessKeys.*.CreateDate"),
        "policy": ("config.DefaultVersionId",),
    },
    why={
        "config.AttachmentCount": "counts attachments that are recorded on the roles, users and groups",
        "config.PermissionsBoundaryUsageCount": "counts uses recorded on the roles and users",
        "config.UpdateDate": "moves with every new policy version; the document itself is compared",
        "config.AccessKeys.*.AccessKeyId": "secret keys are never captured, so a sandbox cannot hold the same "
                                           "keys: the seeder creates one new key per recorded key (count and "
                                           "status match, ids and dates are new)",
        "config.AccessKeys.*.CreateDate": "the seeded keys are created when the sandbox is seeded",
        "config.DefaultVersionId": "only the default version is captured and seeded, as the sandbox's v1",
    },
)


def inline_key(name: str) -> str:
    """The ``policies`` key of an inline policy."""
    return f"Inline:{name}"


class IAMCollector(Collector):
    service = "iam"
    client_name = "iam"
    is_global = True
    types = ("policy", "role", "group", "user")
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        def named(kind: str) -> Callable[[dict[str, Any]], tuple[str, str | None]]:
            return lambda item: (self._address(ctx, kind, item[f"{kind}Name"]), item.get(f"{kind}Id"))

        yield from self.each_listed(ctx, "ListPolicies", "Policies", lambda p: self._policy(ctx, p),
                                    address=named("Policy"), Scope="Local")
        yield from self.each_listed(ctx, "ListRoles", "Roles", lambda r: self._role(ctx, r), address=named("Role"))
        yield from self.each_listed(ctx, "ListGroups", "Groups", lambda g: self._group(ctx, g),
                                    address=named("Group"))
        yield from self.each_listed(ctx, "ListUsers", "Users", lambda u: self._user(ctx, u), address=named("User"))

    def _address(self, ctx: CaptureContext, kind: str, name: str) -> str:
        return ctx.address(kind.lower(), name, ctx.primary_region)

    def _get(self, ctx: CaptureContext, kind: str, address: str, **params: Any) -> dict[str, Any] | None:
        """``Get<kind>``'s entity (Role, User, Policy), or None when it is gone or unreadable (a gap)."""
        got = ctx.call(ctx.client(), f"Get{kind}", address=address, absent=("NoSuchEntity",), **params)
        return None if got is None else got[kind]

    def _resource(self, ctx: CaptureContext, kind: str, name: str, entity: dict[str, Any], address: str,
                  **fields: Any) -> Resource:
        """A role, user, group or policy: its IAM id and ARN, and both (with its creation) as identity."""
        id_key = f"{kind}Id"
        return ctx.resource(
            kind.lower(), name, address=address, region=ctx.primary_region,
            id=entity.get(id_key), arn=entity.get("Arn"),
            identity={id_key: entity.get(id_key), "CreateDate": entity.get("CreateDate")},
            **fields,
        )

    def _policy(self, ctx: CaptureContext, listed: dict[str, Any]) -> Resource | None:
        name, arn = listed["PolicyName"], listed["Arn"]
        address = self._address(ctx, "Policy", name)
        policy = self._get(ctx, "Policy", address, PolicyArn=arn)
        if policy is None:
            return None
        version = ctx.call(ctx.client(), "GetPolicyVersion", PolicyArn=arn, VersionId=policy["DefaultVersionId"],
                           address=address)
        document = (version or {}).get("PolicyVersion", {}).get("Document")
        config = {k: policy.get(k) for k in ("Path", "Description", "DefaultVersionId", "IsAttachable",
                                              "AttachmentCount", "PermissionsBoundaryUsageCount", "UpdateDate")}
        return self._resource(
            ctx, "Policy", name, policy, address,
            config=config,
            tags=tags_dict(policy.get("Tags")),
            policies={"DefaultVersion": parse_policy(document)} if document is not None else {},
        )

    def _role(self, ctx: CaptureContext, listed: dict[str, Any]) -> Resource | None:
        name = listed["RoleName"]
        address = self._address(ctx, "Role", name)
        role = self._get(ctx, "Role", address, RoleName=name)
        if role is None:
            return None
        profiles = ctx.paginate(ctx.client(), "ListInstanceProfilesForRole", "InstanceProfiles", RoleName=name,
                                address=address)
        config = {
            "Path": role.get("Path"),
            "Description": role.get("Description"),
            "MaxSessionDuration": role.get("MaxSessionDuration"),
            "PermissionsBoundary": role.get("PermissionsBoundary"),
            "AttachedManagedPolicies": self._attached(ctx, "Role", name, address),
            "InstanceProfiles": None if profiles is None else sorted(
                ({"InstanceProfileName": p["InstanceProfileName"], "Path": p.get("Path", "/")} for p in profiles),
                key=lambda p: p["InstanceProfileName"]),
        }
        policies = {"AssumeRolePolicy": parse_policy(role.get("AssumeRolePolicyDocument"))}
        policies.update(self._inline(ctx, "Role", name, address))
        return self._resource(ctx, "Role", name, role, address, config=config, tags=tags_dict(role.get("Tags")),
                              policies=policies)

    def _group(self, ctx: CaptureContext, listed: dict[str, Any]) -> Resource:
        name = listed["GroupName"]
        address = self._address(ctx, "Group", name)
        members = ctx.paginate(ctx.client(), "GetGroup", "Users", GroupName=name, address=address)
        config = {
            "Path": listed.get("Path"),
            "AttachedManagedPolicies": self._attached(ctx, "Group", name, address),
            "Members": None if members is None else sorted(u["UserName"] for u in members),
        }
        return self._resource(ctx, "Group", name, listed, address, config=config,
                              policies=self._inline(ctx, "Group", name, address))

    def _user(self, ctx: CaptureContext, listed: dict[str, Any]) -> Resource | None:
        iam = ctx.client()
        name = listed["UserName"]
        address = self._address(ctx, "User", name)
        user = self._get(ctx, "User", address, UserName=name)
        if user is None:
            return None
        groups = ctx.paginate(iam, "ListGroupsForUser", "Groups", UserName=name, address=address)
        keys = ctx.paginate(iam, "ListAccessKeys", "AccessKeyMetadata", UserName=name, address=address)
        login = ctx.call(iam, "GetLoginProfile", UserName=name, address=address, absent=("NoSuchEntity",))
        config = {
            "Path": user.get("Path"),
            "PermissionsBoundary": user.get("PermissionsBoundary"),
            "AttachedManagedPolicies": self._attached(ctx, "User", name, address),
            "Groups": None if groups is None else sorted(g["GroupName"] for g in groups),
            "AccessKeys": None if keys is None else access_keys(keys),
            "LoginProfile": login is not None,
        }
        return self._resource(ctx, "User", name, user, address, config=config, tags=tags_dict(user.get("Tags")),
                              policies=self._inline(ctx, "User", name, address))

    def _attached(self, ctx: CaptureContext, kind: str, name: str, address: str) -> list[str] | None:
        """ARNs of the managed policies attached to a role, group or user (None if unreadable)."""
        attached = ctx.paginate(ctx.client(), f"ListAttached{kind}Policies", "AttachedPolicies",
                                address=address, **{f"{kind}Name": name})
        return None if attached is None else sorted(p["PolicyArn"] for p in attached)

    def _inline(self, ctx: CaptureContext, kind: str, name: str, address: str) -> dict[str, Any]:
        """``{"Inline:<name>": document}`` for the inline policies of a role, group or user."""
        iam = ctx.client()
        names = ctx.paginate(iam, f"List{kind}Policies", "PolicyNames", address=address, **{f"{kind}Name": name})
        out: dict[str, Any] = {}
        for policy_name in names or []:
            got = ctx.call(iam, f"Get{kind}Policy", PolicyName=policy_name, address=address,
                           **{f"{kind}Name": name})
            if got is not None:
                out[inline_key(policy_name)] = parse_policy(got.get("PolicyDocument"))
        return out


def access_keys(keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Access key metadata only (id, status, creation date), oldest first; never a secret."""
    ordered = sorted(keys, key=lambda k: (jsonable(k.get("CreateDate")) or "", k.get("AccessKeyId", "")))
    return [{"AccessKeyId": k.get("AccessKeyId"), "Status": k.get("Status"), "CreateDate": k.get("CreateDate")}
            for k in ordered]
