"""EC2 networking and compute: VPCs, subnets, route tables, internet gateways,
security groups (one row per rule and source) and instances (not terminated).

Addresses use the Name tag where it is unique within the type and region, else the
id (security groups: Name tag, else ``<vpc name>/<GroupName>``; a VPC's main route
table: Name tag, else ``<vpc name>/main`` -- scoped names stay stable when other
resources come and go, where a "unique name" fallback would flip; the default VPC is
``default`` unless it has a Name tag). Generated ids stay in ``id`` so that
``capture.link_ids`` turns references (a subnet's VpcId, a rule's GroupId, a route's
GatewayId) into ``@address``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, tags_dict
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    volatile={
        "vpc": ("config.State",),
        "subnet": ("config.State", "config.AvailableIpAddressCount"),
        "route-table": ("config.Routes.*.State",),
        "internet-gateway": ("config.Attachments.*.State",),
        "instance": ("config.StateReason", "config.StateTransitionReason"),
    },
    identity={
        "vpc": ("VpcId",),
        "subnet": ("SubnetId",),
        "route-table": ("RouteTableId",),
        "internet-gateway": ("InternetGatewayId",),
        "security-group": ("GroupId",),
        "instance": ("InstanceId", "LaunchTime", "PrivateIpAddress", "PublicIpAddress",
                     "PrivateDnsName", "PublicDnsName", "VolumeIds"),
    },
    reseeded={
        "vpc": ("config.DhcpOptionsId", "config.Ipv6CidrBlocks"),
        "subnet": ("config.AvailabilityZoneId", "config.Ipv6CidrBlocks"),
    },
    why={
        "config.State": "pending/available is transient; a deleted VPC or subnet disappears instead",
        "config.AvailableIpAddressCount": "moves whenever a network interface comes or goes",
        "config.Routes.*.State": "a route turns blackhole when its target goes away, without an edit",
        "config.Attachments.*.State": "attaching/attached/available is transient",
        "config.StateReason": "why the instance last changed state: an event, not configuration",
        "config.StateTransitionReason": "why the instance last changed state: an event, not configuration",
        "identity.*": "generated ids, launch times and IP addresses change only when a resource is recreated",
        "config.DhcpOptionsId": "DHCP option sets are not captured; a sandbox VPC uses the emulator's set",
        "config.Ipv6CidrBlocks": "Amazon-provided IPv6 blocks are assigned from a pool, not chosen",
        "config.AvailabilityZoneId": "the zone name -> zone id mapping is per account; the emulator has its own",
    },
    unordered={
        "vpc": ("config.CidrBlocks", "config.Ipv6CidrBlocks"),
        "subnet": ("config.Ipv6CidrBlocks",),
        "route-table": ("config.Routes", "config.Associations", "config.PropagatingVgws"),
        "internet-gateway": ("config.Attachments",),
        "security-group": ("config.Ingress", "config.Egress"),
        "instance": ("config.SecurityGroups", "config.BlockDeviceMappings"),
    },
)

DEFAULT_VPC_NAME = "default"
RULE_SOURCES = (("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6"), ("PrefixListIds", "PrefixListId"))
ROUTE_TARGETS = (
    "GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId", "InstanceId",
    "NetworkInterfaceId", "EgressOnlyInternetGatewayId", "CarrierGatewayId", "LocalGatewayId",
    "CoreNetworkArn",
)
_ROUTE_DESTINATIONS = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId")
_METADATA_OPTIONS = ("HttpTokens", "HttpPutResponseHopLimit", "HttpEndpoint", "HttpProtocolIpv6",
                     "InstanceMetadataTags")


def unique_names(items: list[dict[str, Any]], id_of: Callable[[dict[str, Any]], str],
                 *candidates: Callable[[dict[str, Any]], str | None]) -> dict[str, str]:
    """id -> address name: the first candidate name unique among all items, else the id.

    Candidates are tried in order (Name tag, then GroupName for security groups); a
    name taken in an earlier round, or shared by two items, is never used.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for candidate in candidates:
        pending = [i for i in items if id_of(i) not in names]
        counts = Counter(candidate(i) for i in pending)
        for item in pending:
            name = candidate(item)
            if name and counts[name] == 1 and name not in taken:
                names[id_of(item)] = name
        taken.update(names.values())
    for item in items:
        names.setdefault(id_of(item), id_of(item))
    return names


def name_tag(item: dict[str, Any]) -> str | None:
    return tags_dict(item.get("Tags")).get("Name") or None


def normalize_state(state: str | None) -> str | None:
    """An instance's settled state: pending counts as running, stopping as stopped."""
    return {"pending": "running", "stopping": "stopped", "shutting-down": "terminated"}.get(state or "", state)


def rule_rows(permissions: list[dict[str, Any]], account: str) -> list[dict[str, Any]]:
    """One row per (protocol, ports, source): CIDR, IPv6 CIDR, prefix list or group."""
    rows: list[dict[str, Any]] = []
    for perm in permissions or []:
        base = {k: perm[k] for k in ("IpProtocol", "FromPort", "ToPort") if k in perm}
        for list_key, value_key in RULE_SOURCES:
            for entry in perm.get(list_key) or []:
                row = {**base, value_key: entry[value_key]}
                if entry.get("Description"):
                    row["Description"] = entry["Description"]
                rows.append(row)
        for pair in perm.get("UserIdGroupPairs") or []:
            row = {**base, "GroupId": pair.get("GroupId")}
            if pair.get("UserId") and pair["UserId"] != account:
                row["UserId"] = pair["UserId"]
            if pair.get("VpcPeeringConnectionId"):
                row["VpcPeeringConnectionId"] = pair["VpcPeeringConnectionId"]
            if pair.get("Description"):
                row["Description"] = pair["Description"]
            rows.append(row)
    return rows


def _cidrs(associations: list[dict[str, Any]] | None, key: str) -> list[str]:
    return [a[key] for a in associations or []
            if a.get(key) and (a.get("CidrBlockState") or a.get("Ipv6CidrBlockState") or {}).get("State")
            not in ("disassociated", "disassociating", "failed")]


class EC2Collector(Collector):
    service = "ec2"
    client_name = "ec2"
    types = ("vpc", "subnet", "route-table", "internet-gateway", "security-group", "instance")
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        ec2 = ctx.client()
        listings = {
            "vpc": ctx.paginate(ec2, "DescribeVpcs", "Vpcs"),
            "subnet": ctx.paginate(ec2, "DescribeSubnets", "Subnets"),
            "route-table": ctx.paginate(ec2, "DescribeRouteTables", "RouteTables"),
            "internet-gateway": ctx.paginate(ec2, "DescribeInternetGateways", "InternetGateways"),
            "security-group": ctx.paginate(ec2, "DescribeSecurityGroups", "SecurityGroups"),
        }
        reservations = ctx.paginate(ec2, "DescribeInstances", "Reservations")
        if reservations is not None:
            listings["instance"] = [i for r in reservations for i in r.get("Instances", [])
                                    if (i.get("State") or {}).get("Name") != "terminated"]
        vpc_names: dict[str, str] = {}
        if listings["vpc"] is not None:
            named_vpcs = self._named(listings["vpc"], "VpcId", name_tag, _default_vpc_name)
            vpc_names = {v["VpcId"]: name for v, name in named_vpcs}
            # subnets, route tables, gateways, groups and instances are built from their listings (no
            # further reads), so only a VPC (two attribute reads) can be carried over unread
            yield from ctx.map(lambda v: self._vpc(ctx, v),
                               [(v, name) for v, name in named_vpcs
                                if not ctx.carry(ctx.address("vpc", name), v["VpcId"])])

        def in_vpc(item: dict[str, Any], leaf: str | None) -> str | None:
            """``<vpc name>/<leaf>``: stable, since a group name or a main table is unique per VPC."""
            vpc = vpc_names.get(item.get("VpcId") or "")
            return f"{vpc}/{leaf}" if vpc and leaf else None

        fallbacks: dict[str, tuple[Callable[[dict[str, Any]], str | None], ...]] = {
            "security-group": (lambda g: in_vpc(g, g.get("GroupName")),),
            "route-table": (lambda t: in_vpc(t, "main") if any(a.get("Main") for a in t.get("Associations") or [])
                            else None,),
        }
        for rtype, build in (("subnet", self._subnet), ("route-table", self._route_table),
                             ("internet-gateway", self._gateway), ("security-group", self._group),
                             ("instance", self._instance)):
            items = listings.get(rtype)
            if items is None:
                continue
            for item, name in self._named(items, _ID_KEYS[rtype], name_tag, *fallbacks.get(rtype, ())):
                yield build(ctx, item, name)

    @staticmethod
    def _named(items: list[dict[str, Any]], id_key: str,
               *candidates: Callable[[dict[str, Any]], str | None]) -> list[tuple[dict[str, Any], str]]:
        names = unique_names(items, lambda i: i[id_key], *candidates)
        return [(i, names[i[id_key]]) for i in items]

    def _vpc(self, ctx: CaptureContext, pair: tuple[dict[str, Any], str]) -> Resource:
        vpc, name = pair
        ec2 = ctx.client()
        address = ctx.address("vpc", name)
        config: dict[str, Any] = {
            "CidrBlock": vpc.get("CidrBlock"),
            "CidrBlocks": _cidrs(vpc.get("CidrBlockAssociationSet"), "CidrBlock"),
            "Ipv6CidrBlocks": _cidrs(vpc.get("Ipv6CidrBlockAssociationSet"), "Ipv6CidrBlock"),
            "InstanceTenancy": vpc.get("InstanceTenancy"),
            "IsDefault": vpc.get("IsDefault", False),
            "DhcpOptionsId": vpc.get("DhcpOptionsId"),
            "State": vpc.get("State"),
        }
        for attribute in ("enableDnsSupport", "enableDnsHostnames"):
            got = ctx.call(ec2, "DescribeVpcAttribute", VpcId=vpc["VpcId"], Attribute=attribute, address=address)
            if got is not None:
                key = attribute[0].upper() + attribute[1:]
                config[key] = (got.get(key) or {}).get("Value")
        return ctx.resource("vpc", name, id=vpc["VpcId"], config=config, tags=tags_dict(vpc.get("Tags")),
                            identity={"VpcId": vpc["VpcId"]})

    def _subnet(self, ctx: CaptureContext, subnet: dict[str, Any], name: str) -> Resource:
        drop = {"SubnetId", "SubnetArn", "OwnerId", "Tags", "Ipv6CidrBlockAssociationSet"}
        config = {k: v for k, v in subnet.items() if k not in drop}
        config["Ipv6CidrBlocks"] = _cidrs(subnet.get("Ipv6CidrBlockAssociationSet"), "Ipv6CidrBlock")
        return ctx.resource("subnet", name, id=subnet["SubnetId"], arn=subnet.get("SubnetArn"), config=config,
                            tags=tags_dict(subnet.get("Tags")), identity={"SubnetId": subnet["SubnetId"]})

    def _route_table(self, ctx: CaptureContext, table: dict[str, Any], name: str) -> Resource:
        routes = []
        for route in table.get("Routes") or []:
            keep = (*_ROUTE_DESTINATIONS, *ROUTE_TARGETS, "Origin", "State")
            routes.append({k: route[k] for k in keep if route.get(k) is not None})
        associations = []
        for assoc in table.get("Associations") or []:
            if (assoc.get("AssociationState") or {}).get("State") in ("disassociated", "disassociating", "failed"):
                continue
            associations.append({k: assoc[k] for k in ("Main", "SubnetId", "GatewayId") if k in assoc})
        config = {
            "VpcId": table.get("VpcId"),
            "Main": any(a.get("Main") for a in associations),
            "Routes": routes,
            "Associations": associations,
            "PropagatingVgws": [v.get("GatewayId") for v in table.get("PropagatingVgws") or []],
        }
        return ctx.resource("route-table", name, id=table["RouteTableId"], config=config,
                            tags=tags_dict(table.get("Tags")), identity={"RouteTableId": table["RouteTableId"]})

    def _gateway(self, ctx: CaptureContext, igw: dict[str, Any], name: str) -> Resource:
        gid = igw["InternetGatewayId"]
        config = {"Attachments": [{"VpcId": a.get("VpcId"), "State": a.get("State")}
                                  for a in igw.get("Attachments") or []]}
        return ctx.resource("internet-gateway", name, id=gid, config=config, tags=tags_dict(igw.get("Tags")),
                            identity={"InternetGatewayId": gid})

    def _group(self, ctx: CaptureContext, group: dict[str, Any], name: str) -> Resource:
        config = {
            "GroupName": group.get("GroupName"),
            "Description": group.get("Description"),
            "VpcId": group.get("VpcId"),
            "Ingress": rule_rows(group.get("IpPermissions"), ctx.account),
            "Egress": rule_rows(group.get("IpPermissionsEgress"), ctx.account),
        }
        return ctx.resource("security-group", name, id=group["GroupId"], arn=group.get("SecurityGroupArn"),
                            config=config, tags=tags_dict(group.get("Tags")), identity={"GroupId": group["GroupId"]})

    def _instance(self, ctx: CaptureContext, inst: dict[str, Any], name: str) -> Resource:
        profile = inst.get("IamInstanceProfile") or {}
        config: dict[str, Any] = {
            "InstanceType": inst.get("InstanceType"),
            "ImageId": inst.get("ImageId"),
            "SubnetId": inst.get("SubnetId"),
            "VpcId": inst.get("VpcId"),
            "SecurityGroups": [g["GroupId"] for g in inst.get("SecurityGroups") or []],
            "State": normalize_state((inst.get("State") or {}).get("Name")),
            "IamInstanceProfile": profile.get("Arn"),
            "KeyName": inst.get("KeyName"),
            "Placement": {k: v for k, v in (inst.get("Placement") or {}).items()
                          if k in ("AvailabilityZone", "Tenancy", "GroupName") and v != ""},
            "Monitoring": (inst.get("Monitoring") or {}).get("State"),
            "EbsOptimized": inst.get("EbsOptimized"),
            "SourceDestCheck": inst.get("SourceDestCheck"),
            "MetadataOptions": {k: v for k, v in (inst.get("MetadataOptions") or {}).items() if k in _METADATA_OPTIONS},
            "Architecture": inst.get("Architecture"),
            "RootDeviceName": inst.get("RootDeviceName"),
            "RootDeviceType": inst.get("RootDeviceType"),
            "BlockDeviceMappings": [{"DeviceName": b.get("DeviceName"),
                                     "DeleteOnTermination": (b.get("Ebs") or {}).get("DeleteOnTermination")}
                                    for b in inst.get("BlockDeviceMappings") or []],
            "StateReason": (inst.get("StateReason") or {}).get("Code") or None,
            "StateTransitionReason": inst.get("StateTransitionReason") or None,
        }
        identity = {k: inst.get(k) for k in ("InstanceId", "LaunchTime", "PrivateIpAddress", "PublicIpAddress",
                                              "PrivateDnsName", "PublicDnsName")}
        identity["VolumeIds"] = [(b.get("Ebs") or {}).get("VolumeId") for b in inst.get("BlockDeviceMappings") or []]
        return ctx.resource("instance", name, id=inst["InstanceId"], config=config,
                            tags=tags_dict(inst.get("Tags")), identity=identity)


def _default_vpc_name(vpc: dict[str, Any]) -> str | None:
    return None if name_tag(vpc) else (DEFAULT_VPC_NAME if vpc.get("IsDefault") else None)


_ID_KEYS = {
    "vpc": "VpcId",
    "subnet": "SubnetId",
    "route-table": "RouteTableId",
    "internet-gateway": "InternetGatewayId",
    "security-group": "GroupId",
    "instance": "InstanceId",
}
