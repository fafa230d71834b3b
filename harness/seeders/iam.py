"""IAM seeder: customer managed policies, then roles and groups, then users, then group
memberships; inline policies and managed-policy attachments go with their owner.

Secrets are never captured, so each recorded access key becomes a new sandbox key
(same count and status, new id) and a login profile gets a random throwaway password.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from harness.collectors.iam import inline_key
from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder, tag_list

_INLINE = inline_key("")


def _document(value: Any) -> str:
    return json.dumps(value)


class IAMSeeder(Seeder):
    service = "iam"
    after = ("kms",)  # policy documents may name keys, whose sandbox ARNs are new

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        by_type: dict[str, list[Resource]] = {}
        for res in resources:
            by_type.setdefault(res.type, []).append(res)
        ctx.map(lambda r: self._policy(ctx, r), by_type.get("policy", []))
        ctx.map(lambda r: self._role(ctx, r), by_type.get("role", []))
        ctx.map(lambda r: self._group(ctx, r), by_type.get("group", []))
        ctx.map(lambda r: self._user(ctx, r), by_type.get("user", []))
        self._memberships(ctx, by_type.get("group", []), by_type.get("user", []))

    def _create(self, ctx: SeedContext, res: Resource, kind: str, cfg: dict[str, Any], **params: Any) -> bool:
        """Create a policy, role, group or user with its path, boundary and tags; record its ids."""
        iam = ctx.client("iam", res.region)
        values: dict[str, Any] = {f"{kind}Name": res.name, "Path": cfg.get("Path") or "/", **params}
        values["PermissionsBoundary"] = (cfg.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        values["Tags"] = tag_list(res.tags) if res.tags else None
        create = getattr(iam, f"create_{kind.lower()}")
        created = ctx.attempt(res, f"Create{kind}", lambda: create(**{k: v for k, v in values.items() if v}))
        if created is None:
            return False
        entity = created[kind]
        ctx.ids.record(res, sandbox_id=entity.get(f"{kind}Id"), sandbox_arn=entity.get("Arn"))
        return True

    def _policy(self, ctx: SeedContext, res: Resource) -> None:
        cfg = ctx.ref(res.config)
        self._create(ctx, res, "Policy", cfg, Description=cfg.get("Description"),
                     PolicyDocument=_document(ctx.ref(res.policies.get("DefaultVersion"))))

    def _role(self, ctx: SeedContext, res: Resource) -> None:
        cfg = ctx.ref(res.config)
        if not self._create(ctx, res, "Role", cfg, Description=cfg.get("Description"),
                            MaxSessionDuration=cfg.get("MaxSessionDuration"),
                            AssumeRolePolicyDocument=_document(ctx.ref(res.policies.get("AssumeRolePolicy")))):
            return
        self._grants(ctx, res, "Role", cfg)
        iam = ctx.client("iam", res.region)
        for profile in cfg.get("InstanceProfiles") or []:
            name = profile["InstanceProfileName"]
            ctx.attempt(res, "CreateInstanceProfile", lambda n=name, p=profile: iam.create_instance_profile(
                InstanceProfileName=n, Path=p.get("Path") or "/"))
            ctx.attempt(res, "AddRoleToInstanceProfile", lambda n=name: iam.add_role_to_instance_profile(
                InstanceProfileName=n, RoleName=res.name))

    def _group(self, ctx: SeedContext, res: Resource) -> None:
        cfg = ctx.ref(res.config)
        if self._create(ctx, res, "Group", cfg):
            self._grants(ctx, res, "Group", cfg)

    def _user(self, ctx: SeedContext, res: Resource) -> None:
        cfg = ctx.ref(res.config)
        if not self._create(ctx, res, "User", cfg):
            return
        self._grants(ctx, res, "User", cfg)
        iam = ctx.client("iam", res.region)
        for key in cfg.get("AccessKeys") or []:  # oldest first, so the order matches
            made = ctx.attempt(res, "CreateAccessKey", lambda: iam.create_access_key(UserName=res.name))
            if made is not None and key.get("Status") == "Inactive":
                key_id = made["AccessKey"]["AccessKeyId"]
                ctx.attempt(res, "UpdateAccessKey", lambda k=key_id: iam.update_access_key(
                    UserName=res.name, AccessKeyId=k, Status="Inactive"))
        if cfg.get("LoginProfile"):
            password = "Sh-" + secrets.token_urlsafe(24) + "-9a"  # throwaway; never the real one
            ctx.attempt(res, "CreateLoginProfile", lambda: iam.create_login_profile(
                UserName=res.name, Password=password))

    def _grants(self, ctx: SeedContext, res: Resource, kind: str, cfg: dict[str, Any]) -> None:
        """Inline policies and managed-policy attachments of a role, group or user."""
        iam = ctx.client("iam", res.region)
        owner = {f"{kind}Name": res.name}
        put = getattr(iam, f"put_{kind.lower()}_policy")
        attach = getattr(iam, f"attach_{kind.lower()}_policy")
        for key, document in sorted(res.policies.items()):
            if key.startswith(_INLINE):
                ctx.attempt(res, f"Put{kind}Policy", lambda k=key, d=document: put(
                    PolicyName=k[len(_INLINE):], PolicyDocument=_document(ctx.ref(d)), **owner))
        for arn in cfg.get("AttachedManagedPolicies") or []:
            ctx.attempt(res, f"Attach{kind}Policy", lambda a=arn: attach(PolicyArn=a, **owner))

    def _memberships(self, ctx: SeedContext, groups: list[Resource], users: list[Resource]) -> None:
        """Add users to groups, from both sides of the record (a gap may hide one side)."""
        pairs = {(g.name, member) for g in groups for member in g.config.get("Members") or []}
        pairs |= {(group, u.name) for u in users for group in u.config.get("Groups") or []}
        users_by_name = {r.name: r for r in users}
        for group, user in sorted(pairs):
            res = users_by_name.get(user) or next(g for g in groups if g.name == group)
            client = ctx.client("iam", res.region)
            ctx.attempt(res, "AddUserToGroup", lambda c=client, g=group, u=user: c.add_user_to_group(
                GroupName=g, UserName=u))
