"""EC2 seeder: VPCs, internet gateways, subnets, security groups and their rules,
route tables with routes and associations, then instances.

What AWS creates by itself is mapped, not created: the production default VPC (and its
default subnets) onto the sandbox's default VPC, and each VPC's main route table and
default security group onto the ones the sandbox made with the VPC. Rules, routes,
attributes and tags are then reconciled to the snapshot. Every mapping is recorded in
the IdMap; resources addressed by their id get an alias to their sandbox address.
"""

from __future__ import annotations

from typing import Any

from harness.collectors.ec2 import ROUTE_TARGETS, RULE_SOURCES, rule_rows
from harness.estate.address import make_address
from harness.estate.canonical import canonical_text
from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder, operation_name

_DESTINATIONS = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId")


def permission(row: dict[str, Any]) -> dict[str, Any]:
    """The IpPermissions entry for one rule row (the inverse of ``rule_rows``)."""
    perm = {k: row[k] for k in ("IpProtocol", "FromPort", "ToPort") if k in row}
    described = {"Description": row["Description"]} if row.get("Description") else {}
    for list_key, value_key in RULE_SOURCES:
        if value_key in row:
            perm[list_key] = [{value_key: row[value_key], **described}]
    if "GroupId" in row:
        pair = {k: row[k] for k in ("GroupId", "UserId", "VpcPeeringConnectionId") if k in row}
        perm["UserIdGroupPairs"] = [{**pair, **described}]
    return perm


def _is_ref_to(value: Any, res: Resource) -> bool:
    return value in (f"@{res.address}", res.id)


class EC2Seeder(Seeder):
    service = "ec2"
    after = ("iam",)

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        regions: dict[str, list[Resource]] = {}
        for res in resources:
            regions.setdefault(res.region, []).append(res)
        for region, items in sorted(regions.items()):
            _RegionSeed(ctx, region, items).run()


class _RegionSeed:
    """Seeding of one region, in dependency order."""

    def __init__(self, ctx: SeedContext, region: str, resources: list[Resource]):
        self.ctx = ctx
        self.region = region
        self.ec2 = ctx.client("ec2", region)
        self.account = ctx.snapshot.source.account
        self.by_type: dict[str, list[Resource]] = {}
        for res in resources:
            self.by_type.setdefault(res.type, []).append(res)
        self.mapped: set[str] = set()  # addresses mapped onto something the sandbox made itself

    def of(self, rtype: str) -> list[Resource]:
        return self.by_type.get(rtype, [])

    def run(self) -> None:
        ctx = self.ctx
        self.vpcs()
        ctx.map(self.gateway, self.of("internet-gateway"))
        self.subnets()
        ctx.map(self.group, [g for g in self.of("security-group") if g.address not in self.mapped])
        ctx.map(self.rules, [g for g in self.of("security-group") if g.address in ctx.ids.ids])
        ctx.map(self.route_table, [t for t in self.of("route-table") if t.address not in self.mapped])
        ctx.map(self.routes, [t for t in self.of("route-table") if t.address in ctx.ids.ids])
        ctx.map(self.instance, self.of("instance"))

    # -- bookkeeping ---------------------------------------------------------------

    def record(self, res: Resource, sandbox_id: str, sandbox_arn: str | None = None, *, mapped: bool = False) -> None:
        self.ctx.ids.record(res, sandbox_id=sandbox_id, sandbox_arn=sandbox_arn)
        if res.id and res.name == res.id:  # addressed by its id: the sandbox's address holds the sandbox id
            primary = self.ctx.snapshot.source.primary_region
            self.ctx.ids.alias(res, make_address("ec2", res.type, sandbox_id, res.region, primary))
        if mapped:
            self.mapped.add(res.address)

    def tag(self, res: Resource, sandbox_id: str) -> None:
        if res.tags:
            tags = [{"Key": k, "Value": v} for k, v in res.tags.items()]
            self.ctx.attempt(res, "CreateTags", lambda: self.ec2.create_tags(Resources=[sandbox_id], Tags=tags))

    def describe_one(self, res: Resource, describe: Any, list_key: str, **params: Any) -> dict[str, Any] | None:
        """The sandbox's current state of one resource, or None (a problem is recorded)."""
        found = self.ctx.attempt(res, operation_name(describe), lambda: describe(**params))
        items = (found or {}).get(list_key) or []
        if found is not None and not items:
            self.ctx.problem(res.address, operation_name(describe), "the sandbox lost it right after seeding")
        return items[0] if items else None

    def mismatch(self, res: Resource, field: str, want: Any, have: Any) -> None:
        if want is not None and want != have:
            self.ctx.problem(res.address, "map", f"the sandbox's {field} is {have!r}, production has {want!r}")

    # -- VPCs and what comes with them --------------------------------------------

    def vpcs(self) -> None:
        ctx = self.ctx
        vpcs = self.of("vpc")
        described = ctx.attempt(vpcs[0], "DescribeVpcs", lambda: self.ec2.describe_vpcs()) if vpcs else None
        sandbox_default = [v for v in (described or {}).get("Vpcs", []) if v.get("IsDefault")]
        prod_default = [v for v in vpcs if v.config.get("IsDefault")]
        if prod_default and sandbox_default:
            res, sandbox = prod_default[0], sandbox_default[0]
            self.record(res, sandbox["VpcId"], mapped=True)
            self.mismatch(res, "CidrBlock", res.config.get("CidrBlock"), sandbox.get("CidrBlock"))
            self.vpc_settings(res, sandbox["VpcId"])
        elif prod_default:
            ctx.problem(prod_default[0].address, "map", "the sandbox has no default VPC to map production's onto")
        elif sandbox_default and vpcs:
            self.drop_default_vpc(vpcs[0], sandbox_default[0]["VpcId"])
        ctx.map(self.vpc, [v for v in vpcs if not v.config.get("IsDefault")])
        ctx.map(self.vpc_defaults, [v for v in vpcs if v.address in ctx.ids.ids])

    def vpc(self, res: Resource) -> None:
        params: dict[str, Any] = {"CidrBlock": res.config["CidrBlock"]}
        if res.config.get("InstanceTenancy"):
            params["InstanceTenancy"] = res.config["InstanceTenancy"]
        if res.config.get("Ipv6CidrBlocks"):
            params["AmazonProvidedIpv6CidrBlock"] = True
        created = self.ctx.attempt(res, "CreateVpc", lambda: self.ec2.create_vpc(**params))
        if created is None:
            return
        vpc_id = created["Vpc"]["VpcId"]
        self.record(res, vpc_id)
        for cidr in res.config.get("CidrBlocks") or []:
            if cidr != res.config["CidrBlock"]:
                self.ctx.attempt(res, "AssociateVpcCidrBlock", lambda c=cidr: self.ec2.associate_vpc_cidr_block(
                    VpcId=vpc_id, CidrBlock=c))
        self.vpc_settings(res, vpc_id)

    def vpc_settings(self, res: Resource, vpc_id: str) -> None:
        for key in ("EnableDnsSupport", "EnableDnsHostnames"):
            value = res.config.get(key)
            if value is not None:
                self.ctx.attempt(res, "ModifyVpcAttribute", lambda k=key, v=value: self.ec2.modify_vpc_attribute(
                    VpcId=vpc_id, **{k: {"Value": v}}))
        self.tag(res, vpc_id)

    def vpc_defaults(self, vpc: Resource) -> None:
        """Map the VPC's main route table and default security group onto the sandbox's."""
        vpc_id = self.ctx.ids.ids[vpc.address]
        tables = [t for t in self.of("route-table") if t.config.get("Main") and _is_ref_to(t.config.get("VpcId"), vpc)]
        if tables:
            found = self.ctx.attempt(tables[0], "DescribeRouteTables", lambda: self.ec2.describe_route_tables(
                Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]))
            sandbox = (found or {}).get("RouteTables", [])
            if sandbox:
                self.record(tables[0], sandbox[0]["RouteTableId"], mapped=True)
                self.tag(tables[0], sandbox[0]["RouteTableId"])
            elif found is not None:
                self.ctx.problem(tables[0].address, "map", "the sandbox VPC has no main route table")
        groups = [g for g in self.of("security-group")
                  if g.config.get("GroupName") == "default" and _is_ref_to(g.config.get("VpcId"), vpc)]
        if groups:
            found = self.ctx.attempt(groups[0], "DescribeSecurityGroups", lambda: self.ec2.describe_security_groups(
                Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]))
            sandbox = (found or {}).get("SecurityGroups", [])
            if sandbox:
                self.record(groups[0], sandbox[0]["GroupId"], sandbox[0].get("SecurityGroupArn"), mapped=True)
                self.tag(groups[0], sandbox[0]["GroupId"])
            elif found is not None:
                self.ctx.problem(groups[0].address, "map", "the sandbox VPC has no default security group")

    def drop_default_vpc(self, anchor: Resource, vpc_id: str) -> None:
        """Production has no default VPC (someone deleted it): remove the sandbox's too."""
        found = self.ctx.attempt(anchor, "DescribeSubnets", lambda: self.ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]))
        for subnet in (found or {}).get("Subnets", []):
            self.ctx.attempt(anchor, "DeleteSubnet", lambda s=subnet: self.ec2.delete_subnet(SubnetId=s["SubnetId"]))
        self.ctx.attempt(anchor, "DeleteVpc", lambda: self.ec2.delete_vpc(VpcId=vpc_id))

    # -- gateways, subnets ---------------------------------------------------------

    def gateway(self, res: Resource) -> None:
        created = self.ctx.attempt(res, "CreateInternetGateway", lambda: self.ec2.create_internet_gateway())
        if created is None:
            return
        gid = created["InternetGateway"]["InternetGatewayId"]
        self.record(res, gid)
        for attachment in self.ctx.ref(res.config.get("Attachments") or []):
            self.ctx.attempt(res, "AttachInternetGateway", lambda a=attachment: self.ec2.attach_internet_gateway(
                InternetGatewayId=gid, VpcId=a["VpcId"]))
        self.tag(res, gid)

    def subnets(self) -> None:
        defaults = [s for s in self.of("subnet") if s.config.get("DefaultForAz")]
        default_vpcs = [v for v in self.of("vpc") if v.config.get("IsDefault") and v.address in self.ctx.ids.ids]
        if default_vpcs:
            self.map_default_subnets(default_vpcs[0], defaults)
        elif defaults:
            for res in defaults:
                self.ctx.problem(res.address, "map", "its default VPC could not be mapped")
        self.ctx.map(self.subnet, [s for s in self.of("subnet") if not s.config.get("DefaultForAz")])

    def map_default_subnets(self, vpc: Resource, defaults: list[Resource]) -> None:
        vpc_id = self.ctx.ids.ids[vpc.address]
        found = self.ctx.attempt(vpc, "DescribeSubnets", lambda: self.ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]))
        if found is None:
            return
        by_zone = {s["AvailabilityZone"]: s for s in found.get("Subnets", []) if s.get("DefaultForAz")}
        for res in defaults:
            sandbox = by_zone.pop(res.config.get("AvailabilityZone"), None)
            if sandbox is None:
                self.ctx.problem(res.address, "map", f"the sandbox has no default subnet in "
                                                     f"{res.config.get('AvailabilityZone')}")
                continue
            self.record(res, sandbox["SubnetId"], sandbox.get("SubnetArn"), mapped=True)
            self.mismatch(res, "CidrBlock", res.config.get("CidrBlock"), sandbox.get("CidrBlock"))
            self.subnet_settings(res, sandbox["SubnetId"], sandbox)
        for extra in by_zone.values():  # production deleted these default subnets
            self.ctx.attempt(vpc, "DeleteSubnet", lambda s=extra: self.ec2.delete_subnet(SubnetId=s["SubnetId"]))

    def subnet(self, res: Resource) -> None:
        cfg = self.ctx.ref(res.config)
        params = {"VpcId": cfg["VpcId"], "CidrBlock": cfg["CidrBlock"], "AvailabilityZone": cfg["AvailabilityZone"]}
        created = self.ctx.attempt(res, "CreateSubnet", lambda: self.ec2.create_subnet(**params))
        if created is None:
            return
        subnet = created["Subnet"]
        self.record(res, subnet["SubnetId"], subnet.get("SubnetArn"))
        self.subnet_settings(res, subnet["SubnetId"], subnet)

    def subnet_settings(self, res: Resource, subnet_id: str, current: dict[str, Any]) -> None:
        if res.config.get("Ipv6CidrBlocks"):
            self.ctx.problem(res.address, "AssociateSubnetCidrBlock", "IPv6 subnet blocks are not seeded")
        for key in ("MapPublicIpOnLaunch", "AssignIpv6AddressOnCreation"):
            want = res.config.get(key)
            if want is not None and want != current.get(key):
                self.ctx.attempt(res, "ModifySubnetAttribute", lambda k=key, v=want: self.ec2.modify_subnet_attribute(
                    SubnetId=subnet_id, **{k: {"Value": v}}))
        self.tag(res, subnet_id)

    # -- security groups -------------------------------------------------------------

    def group(self, res: Resource) -> None:
        cfg = self.ctx.ref(res.config)
        params = {"GroupName": cfg["GroupName"], "Description": cfg.get("Description") or cfg["GroupName"]}
        if cfg.get("VpcId"):
            params["VpcId"] = cfg["VpcId"]
        created = self.ctx.attempt(res, "CreateSecurityGroup", lambda: self.ec2.create_security_group(**params))
        if created is None:
            return
        self.record(res, created["GroupId"], created.get("SecurityGroupArn"))
        self.tag(res, created["GroupId"])

    def rules(self, res: Resource) -> None:
        """Make the group's rules exactly the snapshot's: revoke extras, authorize the rest."""
        gid = self.ctx.ids.ids[res.address]
        current = self.describe_one(res, self.ec2.describe_security_groups, "SecurityGroups", GroupIds=[gid])
        if current is None:
            return
        for key, perms, revoke, authorize in (
            ("Ingress", "IpPermissions", self.ec2.revoke_security_group_ingress,
             self.ec2.authorize_security_group_ingress),
            ("Egress", "IpPermissionsEgress", self.ec2.revoke_security_group_egress,
             self.ec2.authorize_security_group_egress),
        ):
            want = {canonical_text(r): r for r in self.ctx.ref(res.config.get(key) or [])}
            have = {canonical_text(r): r for r in rule_rows(current.get(perms), self.account)}
            extra = [permission(r) for k, r in have.items() if k not in want]
            missing = [permission(r) for k, r in want.items() if k not in have]
            if extra:
                self.ctx.attempt(res, f"Revoke{key}", lambda f=revoke, p=extra: f(GroupId=gid, IpPermissions=p))
            if missing:
                self.ctx.attempt(res, f"Authorize{key}", lambda f=authorize, p=missing: f(GroupId=gid, IpPermissions=p))

    # -- route tables ----------------------------------------------------------------

    def route_table(self, res: Resource) -> None:
        vpc_id = self.ctx.ref(res.config.get("VpcId"))
        created = self.ctx.attempt(res, "CreateRouteTable", lambda: self.ec2.create_route_table(VpcId=vpc_id))
        if created is None:
            return
        self.record(res, created["RouteTable"]["RouteTableId"])
        self.tag(res, created["RouteTable"]["RouteTableId"])

    def routes(self, res: Resource) -> None:
        """Make the table's routes and subnet associations the snapshot's."""
        rid = self.ctx.ids.ids[res.address]
        current = self.describe_one(res, self.ec2.describe_route_tables, "RouteTables", RouteTableIds=[rid])
        if current is None:
            return
        cfg = self.ctx.ref(res.config)
        have = {_destination(r): r for r in current.get("Routes") or []}
        want = {_destination(r): r for r in cfg.get("Routes") or []}
        for dest, route in want.items():
            if route.get("Origin") not in (None, "CreateRoute"):
                continue  # the local route comes with the table; propagated routes come with their gateway
            target = _target(route)
            if target is None:
                self.ctx.problem(res.address, "CreateRoute", f"route to {dest[1]} has no target shadow can recreate")
                continue
            if dest in have and _target(have[dest]) == target:
                continue
            call = self.ec2.replace_route if dest in have else self.ec2.create_route
            self.ctx.attempt(res, "CreateRoute", lambda c=call, d=dest, t=target: c(
                RouteTableId=rid, **{d[0]: d[1], t[0]: t[1]}))
        for dest, route in have.items():
            if dest not in want and route.get("Origin") == "CreateRoute":
                self.ctx.attempt(res, "DeleteRoute", lambda d=dest: self.ec2.delete_route(
                    RouteTableId=rid, **{d[0]: d[1]}))
        associated = {(k, a[k]) for a in current.get("Associations") or [] for k in ("SubnetId", "GatewayId") if k in a}
        for assoc in cfg.get("Associations") or []:
            for key in ("SubnetId", "GatewayId"):
                if key in assoc and (key, assoc[key]) not in associated:
                    self.ctx.attempt(res, "AssociateRouteTable", lambda k=key, v=assoc[key]:
                                     self.ec2.associate_route_table(RouteTableId=rid, **{k: v}))
        if cfg.get("PropagatingVgws"):
            self.ctx.problem(res.address, "EnableVgwRoutePropagation", "virtual private gateways are not seeded")

    # -- instances -------------------------------------------------------------------

    def instance(self, res: Resource) -> None:
        cfg = self.ctx.ref(res.config)
        params: dict[str, Any] = {"ImageId": cfg["ImageId"], "InstanceType": cfg["InstanceType"],
                                  "MinCount": 1, "MaxCount": 1}
        if cfg.get("SubnetId"):
            params["SubnetId"] = cfg["SubnetId"]
        if cfg.get("SecurityGroups"):
            params["SecurityGroupIds"] = cfg["SecurityGroups"]
        if cfg.get("KeyName"):
            params["KeyName"] = cfg["KeyName"]
        if cfg.get("IamInstanceProfile"):
            params["IamInstanceProfile"] = {"Arn": cfg["IamInstanceProfile"]}
        if cfg.get("MetadataOptions"):
            params["MetadataOptions"] = cfg["MetadataOptions"]
        if cfg.get("Monitoring"):
            params["Monitoring"] = {"Enabled": cfg["Monitoring"] in ("enabled", "pending")}
        if cfg.get("EbsOptimized") is not None:
            params["EbsOptimized"] = cfg["EbsOptimized"]
        placement = {k: v for k, v in (cfg.get("Placement") or {}).items() if k in ("AvailabilityZone", "Tenancy")}
        if placement:
            params["Placement"] = placement
        created = self.ctx.attempt(res, "RunInstances", lambda: self.ec2.run_instances(**params))
        if created is None:
            return
        iid = created["Instances"][0]["InstanceId"]
        self.record(res, iid)
        self.tag(res, iid)
        if cfg.get("SourceDestCheck") is False:
            self.ctx.attempt(res, "ModifyInstanceAttribute", lambda: self.ec2.modify_instance_attribute(
                InstanceId=iid, SourceDestCheck={"Value": False}))
        if cfg.get("State") == "stopped":
            self.ctx.attempt(res, "StopInstances", lambda: self.ec2.stop_instances(InstanceIds=[iid]))
        elif cfg.get("State") not in (None, "running"):
            self.ctx.problem(res.address, "RunInstances", f"instance state {cfg['State']!r} is not seeded")


def _destination(route: dict[str, Any]) -> tuple[str, str]:
    for key in _DESTINATIONS:
        if route.get(key):
            return key, route[key]
    return "DestinationCidrBlock", ""


def _target(route: dict[str, Any]) -> tuple[str, str] | None:
    for key in ROUTE_TARGETS:
        if route.get(key) and route[key] != "local":
            return key, route[key]
    return None
