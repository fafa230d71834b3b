"""EC2 collector and seeder: expectations written from the estate recipe (harness/demo/estate.py)."""

from __future__ import annotations

from harness.collectors.ec2 import unique_names
from tests.roundtrip import roundtrip


def _config(snapshot, address):
    assert address in snapshot.resources, f"{address} not captured"
    return snapshot.resources[address].config


def _of_type(snapshot, rtype):
    return [r for r in snapshot.resources.values() if r.service == "ec2" and r.type == rtype]


def test_web_allows_https_from_anywhere(infra_snapshot):
    assert _config(infra_snapshot, "ec2:security-group/web")["Ingress"] == [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0",
         "Description": "HTTPS from anywhere"}]


def test_db_allows_postgres_only_from_web(infra_snapshot):
    assert _config(infra_snapshot, "ec2:security-group/db")["Ingress"] == [
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "GroupId": "@ec2:security-group/web",
         "Description": "app tier"}]


def test_bastion_allows_ssh_from_the_office_and_every_group_keeps_its_egress(infra_snapshot):
    cfg = _config(infra_snapshot, "ec2:security-group/bastion")
    assert cfg["Ingress"] == [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "203.0.113.0/24",
                               "Description": "office"}]
    # a new security group gets AWS's allow-all egress rule; the estate never removed it
    assert cfg["Egress"] == [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]
    assert cfg["VpcId"] == "@ec2:vpc/main"


def test_subnets_refer_to_their_vpc(infra_snapshot):
    cfg = _config(infra_snapshot, "ec2:subnet/main-public-a")
    assert cfg["VpcId"] == "@ec2:vpc/main"
    assert (cfg["CidrBlock"], cfg["AvailabilityZone"]) == ("10.0.10.0/24", "us-east-1a")
    assert infra_snapshot.resources["ec2:subnet/main-public-a"].id.startswith("subnet-")
    assert _config(infra_snapshot, "ec2:subnet/main-private-b")["CidrBlock"] == "10.0.2.0/24"


def test_route_table_routes_to_the_gateway_and_serves_the_public_subnet(infra_snapshot):
    cfg = _config(infra_snapshot, "ec2:route-table/main-public")
    assert cfg["VpcId"] == "@ec2:vpc/main"
    assert cfg["Main"] is False
    internet = [r for r in cfg["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert [r["GatewayId"] for r in internet] == ["@ec2:internet-gateway/main-igw"]
    assert [a.get("SubnetId") for a in cfg["Associations"]] == ["@ec2:subnet/main-public-a"]


def test_internet_gateway_is_attached_to_main(infra_snapshot):
    attachments = _config(infra_snapshot, "ec2:internet-gateway/main-igw")["Attachments"]
    assert [a["VpcId"] for a in attachments] == ["@ec2:vpc/main"]


def test_bastion_instance(prod_estate, infra_snapshot):
    _backend, info = prod_estate
    res = infra_snapshot.resources["ec2:instance/bastion"]
    assert res.id == info.instance_id
    assert res.config["InstanceType"] == "t3.micro"
    assert res.config["SubnetId"] == "@ec2:subnet/main-public-a"
    assert res.config["SecurityGroups"] == ["@ec2:security-group/bastion"]
    assert res.config["State"] == "running"
    assert res.tags == {"Name": "bastion", "env": "prod"}


def test_default_vpc_is_captured_with_its_defaults(infra_snapshot):
    assert _config(infra_snapshot, "ec2:vpc/default")["IsDefault"] is True
    assert _config(infra_snapshot, "ec2:vpc/main")["IsDefault"] is False
    for vpc in ("@ec2:vpc/default", "@ec2:vpc/main"):
        groups = [g for g in _of_type(infra_snapshot, "security-group")
                  if g.config["VpcId"] == vpc and g.config["GroupName"] == "default"]
        tables = [t for t in _of_type(infra_snapshot, "route-table") if t.config["VpcId"] == vpc and t.config["Main"]]
        assert len(groups) == 1 and len(tables) == 1, vpc
        # two groups are called "default" and neither has a Name tag: both are addressed by id
        assert groups[0].name == groups[0].id
    default_subnets = [s for s in _of_type(infra_snapshot, "subnet") if s.config["VpcId"] == "@ec2:vpc/default"]
    assert default_subnets and all(s.config["DefaultForAz"] for s in default_subnets)


def test_unique_names_fall_back_in_order():
    items = [
        {"id": "sg-1", "tag": "web", "group": "web-sg"},
        {"id": "sg-2", "tag": None, "group": "web"},  # its group name is taken by sg-1's Name tag
        {"id": "sg-3", "tag": "twin", "group": "a"},
        {"id": "sg-4", "tag": "twin", "group": "b"},  # Name tag not unique: the group name is
        {"id": "sg-5", "tag": None, "group": "default"},
        {"id": "sg-6", "tag": None, "group": "default"},
    ]
    names = unique_names(items, lambda i: i["id"], lambda i: i["tag"], lambda i: i["group"])
    assert names == {"sg-1": "web", "sg-2": "sg-2", "sg-3": "a", "sg-4": "b", "sg-5": "sg-5", "sg-6": "sg-6"}


def _image(ec2):
    return sorted(i["ImageId"] for i in ec2.describe_images(Owners=["amazon"])["Images"])[0]


def test_instances_sharing_a_name_are_addressed_by_id_and_round_trip(fresh_prod):
    ec2 = fresh_prod.target().client("ec2")
    image = _image(ec2)

    def launch(name):
        tags = [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}]
        return ec2.run_instances(ImageId=image, InstanceType="t3.nano", MinCount=1, MaxCount=1,
                                 TagSpecifications=tags)["Instances"][0]["InstanceId"]

    first, second = launch("worker"), launch("worker")
    launch("solo")
    ec2.stop_instances(InstanceIds=[second])
    gone = launch("gone")
    ec2.terminate_instances(InstanceIds=[gone])

    prod, mirror, diffs, box = roundtrip(fresh_prod.target(), ["ec2"])
    try:
        instances = {a for a in prod.resources if a.startswith("ec2:instance/")}
        assert instances == {f"ec2:instance/{first}", f"ec2:instance/{second}", "ec2:instance/solo"}
        assert prod.resources[f"ec2:instance/{second}"].config["State"] == "stopped"
        assert not box.seeded.problems, box.seeded.problems
        assert diffs == {}
        # the sandbox's default VPC stood in for production's; no second default VPC was made
        sandbox_vpcs = box.target().client("ec2").describe_vpcs()["Vpcs"]
        assert [v["VpcId"] for v in sandbox_vpcs] == [box.seeded.ids.ids["ec2:vpc/default"]]
        assert mirror.resources[f"ec2:instance/{second}"].id != second  # a new instance, mapped back
    finally:
        box.close()


def test_a_production_without_default_vpc_seeds_a_sandbox_without_one(fresh_prod):
    ec2 = fresh_prod.target().client("ec2")
    default = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    ec2.delete_vpc(VpcId=default)
    ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "only"}]}])

    prod, _mirror, diffs, box = roundtrip(fresh_prod.target(), ["ec2"])
    try:
        assert "ec2:vpc/default" not in prod.resources
        assert not box.seeded.problems, box.seeded.problems
        assert diffs == {}
    finally:
        box.close()
