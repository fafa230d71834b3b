"""IdMap aliases: a sandbox capture read back at production addresses."""

from __future__ import annotations

from harness.estate.snapshot import Resource
from harness.seeders.base import IdMap


def _res(address: str, service: str, rtype: str, name: str, **fields) -> Resource:
    return Resource(address=address, service=service, type=rtype, name=name, region="us-east-1", **fields)


def test_production_view_renames_addresses_references_and_refs():
    ids = IdMap()
    ids.alias(_res("ec2:subnet/subnet-prod1", "ec2", "subnet", "subnet-prod1"), "ec2:subnet/subnet-sb1")
    ids.alias(_res("ec2:subnet/subnet-prod2", "ec2", "subnet", "subnet-prod2"), "ec2:subnet/subnet-sb2")
    ids.alias(_res("rds:snapshot/rds:db-2026-01-01-00-00", "rds", "snapshot", "rds:db-2026-01-01-00-00"),
              "rds:snapshot/rds:db-2026-11-25-07-00")
    ids.alias(_res("ec2:vpc/main", "ec2", "vpc", "main"), "ec2:vpc/main")  # same address: no alias
    sandbox = {
        "ec2:subnet/subnet-sb1": _res("ec2:subnet/subnet-sb1", "ec2", "subnet", "subnet-sb1", id="subnet-sb1"),
        "rds:subnet-group/g": _res("rds:subnet-group/g", "rds", "subnet-group", "g", config={"Subnets": [
            {"SubnetIdentifier": "@ec2:subnet/subnet-sb1"}, {"SubnetIdentifier": "@ec2:subnet/subnet-sb2"}]}),
        "rds:snapshot/rds:db-2026-11-25-07-00": _res("rds:snapshot/rds:db-2026-11-25-07-00", "rds", "snapshot",
                                                     "rds:db-2026-11-25-07-00", refs={"db": "rds:db/db"}),
    }
    view = ids.production_view(sandbox)
    assert sorted(view) == ["ec2:subnet/subnet-prod1", "rds:snapshot/rds:db-2026-01-01-00-00", "rds:subnet-group/g"]
    subnet = view["ec2:subnet/subnet-prod1"]
    assert (subnet.name, subnet.id) == ("subnet-prod1", "subnet-sb1")  # the id stays the sandbox's own
    assert view["rds:snapshot/rds:db-2026-01-01-00-00"].name == "rds:db-2026-01-01-00-00"
    assert view["rds:snapshot/rds:db-2026-01-01-00-00"].refs == {"db": "rds:db/db"}
    # renamed, then sorted again: the order never depends on the sandbox's ids
    assert view["rds:subnet-group/g"].config["Subnets"] == [
        {"SubnetIdentifier": "@ec2:subnet/subnet-prod1"}, {"SubnetIdentifier": "@ec2:subnet/subnet-prod2"}]
    assert "ec2:vpc/main" not in ids.aliases
