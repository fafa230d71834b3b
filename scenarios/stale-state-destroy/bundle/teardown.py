"""What the agent ran: delete everything the (stale) inventory calls a duplicate."""

import json
import time

import boto3

inv = json.load(open("stale-inventory.json"))
rds, ec2, ecs, elb = (boto3.client(s) for s in ("rds", "ec2", "ecs", "elbv2"))

for db in inv["rds_instances"]:
    rds.modify_db_instance(DBInstanceIdentifier=db, DeletionProtection=False, ApplyImmediately=True)
    for snap in rds.describe_db_snapshots(DBInstanceIdentifier=db)["DBSnapshots"]:
        if snap["SnapshotType"] == "manual":
            rds.delete_db_snapshot(DBSnapshotIdentifier=snap["DBSnapshotIdentifier"])
    rds.delete_db_instance(DBInstanceIdentifier=db, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)

for lb in elb.describe_load_balancers(Names=inv["load_balancers"])["LoadBalancers"]:
    for listener in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
        elb.delete_listener(ListenerArn=listener["ListenerArn"])
    elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
for tg in elb.describe_target_groups(Names=inv["target_groups"])["TargetGroups"]:
    elb.delete_target_group(TargetGroupArn=tg["TargetGroupArn"])

for cluster in inv["ecs_clusters"]:
    ecs.delete_cluster(cluster=cluster)

named = {"Name": "tag:Name", "Values": inv["instances_named"]}
ids = [i["InstanceId"] for r in ec2.describe_instances(Filters=[named])["Reservations"] for i in r["Instances"]]
if ids:
    ec2.terminate_instances(InstanceIds=ids)

for vpc in ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": inv["vpcs_named"]}])["Vpcs"]:
    vpc_id = vpc["VpcId"]
    flt = [{"Name": "vpc-id", "Values": [vpc_id]}]
    for igw in ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
            "InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc_id)
        ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
    for rt in ec2.describe_route_tables(Filters=flt)["RouteTables"]:
        if any(a.get("Main") for a in rt.get("Associations", [])):
            continue
        for a in rt.get("Associations", []):
            ec2.disassociate_route_table(AssociationId=a["RouteTableAssociationId"])
        ec2.delete_route_table(RouteTableId=rt["RouteTableId"])
    groups = [g for g in ec2.describe_security_groups(Filters=flt)["SecurityGroups"] if g["GroupName"] != "default"]
    for g in groups:  # drop cross-references first
        if g.get("IpPermissions"):
            ec2.revoke_security_group_ingress(GroupId=g["GroupId"], IpPermissions=g["IpPermissions"])
    for g in groups:
        ec2.delete_security_group(GroupId=g["GroupId"])
    rds.delete_db_subnet_group(DBSubnetGroupName="prod-db-subnets")
    for subnet in ec2.describe_subnets(Filters=flt)["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    ec2.delete_vpc(VpcId=vpc_id)
print("duplicates removed", time.strftime("%H:%M:%S"))
