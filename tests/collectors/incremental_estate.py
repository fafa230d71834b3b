"""A small estate over every captured service, and random changes to it, for the incremental
capture property test. Changes go through shadow's real proxy, so the calls the capture
plans from are the calls the trace really records (a refused call included)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError
from hypothesis import strategies as st

from harness.aws import Target

ACCOUNT = "210987654321"
REGION = "us-east-1"
BUCKETS = ["inc-logs", "inc-data", "inc-versioned", "inc-new"]
KEYS = ["a", "b", "dir/c d.txt", "ü+?", "new"]
HASH_KEYS = ["o1", "o2", "o3", "o4", "o9"]
NUMBERS = ["1", "1.50", "1.5", "2", "10"]  # 1.50 and 1.5 are one DynamoDB number written two ways
QUEUES = ["inc-main", "inc-dlq", "inc-notify", "inc-sub", "inc-new"]
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                             "Resource": "*"}]})
TEMPLATE = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue",
                                    "Properties": {"QueueName": "inc-stack-queue", "VisibilityTimeout": 30}}}}


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def url(t: Target, name: str) -> str:
    return t.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def build(t: Target) -> dict[str, Any]:
    """The baseline estate; returns generated ids the changes need."""
    s3 = t.client("s3")
    for bucket in BUCKETS[:3]:
        s3.create_bucket(Bucket=bucket)
    for key in KEYS[:4]:
        s3.put_object(Bucket="inc-logs", Key=key, Body=b"x" * len(key))
    s3.put_bucket_versioning(Bucket="inc-versioned", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="inc-versioned", Key="a", Body=b"v1")

    sqs = t.client("sqs")
    sqs.create_queue(QueueName="inc-dlq")
    sqs.create_queue(QueueName="inc-main", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": queue_arn("inc-dlq"), "maxReceiveCount": "1"}), "VisibilityTimeout": "0"})
    for name in ("inc-notify", "inc-sub"):
        sqs.create_queue(QueueName=name)
    sqs.send_message(QueueUrl=url(t, "inc-main"), MessageBody="m0")
    s3.put_bucket_notification_configuration(Bucket="inc-data", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": queue_arn("inc-notify"), "Events": ["s3:ObjectCreated:*"]}]})

    sns = t.client("sns")
    topic = sns.create_topic(Name="inc-topic")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn("inc-sub"))

    ddb = t.client("dynamodb")
    ddb.create_table(TableName="inc-hash", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    ddb.create_table(TableName="inc-range", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "n", "AttributeType": "N"}])
    for key in HASH_KEYS[:3]:
        ddb.put_item(TableName="inc-hash", Item={"pk": {"S": key}, "v": {"N": "0"}})
    for number in ("1.50", "2"):
        ddb.put_item(TableName="inc-range", Item={"pk": {"S": "p"}, "n": {"N": number}, "blob": {"B": b"\x00\x01"}})

    iam = t.client("iam")
    policy = iam.create_policy(PolicyName="inc-read", PolicyDocument=POLICY)["Policy"]["Arn"]
    role = iam.create_role(RoleName="inc-app", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.attach_role_policy(RoleName="inc-app", PolicyArn=policy)
    iam.create_group(GroupName="inc-devs")
    iam.create_user(UserName="inc-dev")
    iam.add_user_to_group(GroupName="inc-devs", UserName="inc-dev")

    kms = t.client("kms")
    key_id = kms.create_key(Description="app")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/inc-app", TargetKeyId=key_id)
    t.client("secretsmanager").create_secret(Name="inc-db", SecretString="s3cret")

    ec2 = t.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "inc-vpc"}])
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"]
               ["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
    group = ec2.create_security_group(GroupName="inc-web", Description="web", VpcId=vpc)["GroupId"]

    elb = t.client("elbv2")
    tg = elb.create_target_group(Name="inc-tg", Protocol="HTTP", Port=80, VpcId=vpc,
                                 TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    lb = elb.create_load_balancer(Name="inc-lb", Subnets=subnets, SecurityGroups=[group],
                                  Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                                   DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    ecs = t.client("ecs")
    ecs.create_cluster(clusterName="inc-cluster")
    ecs.register_task_definition(family="inc-task", containerDefinitions=[
        {"name": "app", "image": "nginx", "memory": 128, "environment": [{"name": "MODE", "value": "a"}]}])
    ecs.create_service(cluster="inc-cluster", serviceName="inc-svc", taskDefinition="inc-task", desiredCount=1)

    t.client("lambda").create_function(FunctionName="inc-fn", Runtime="python3.12", Role=role,
                                       Handler="index.handler", Code={"ZipFile": _zip()})
    t.client("rds").create_db_instance(DBInstanceIdentifier="inc-db", DBInstanceClass="db.t3.micro",
                                       Engine="postgres", MasterUsername="admin", MasterUserPassword="password1",
                                       AllocatedStorage=20)
    t.client("cloudformation").create_stack(StackName="inc-stack", TemplateBody=json.dumps(TEMPLATE))
    return {"topic": topic, "policy": policy, "key": key_id, "vpc": vpc, "subnets": subnets, "group": group,
            "tg": tg, "lb": lb, "listener": listener["Listeners"][0]["ListenerArn"]}


Change = Callable[[Target, dict[str, Any], Any], None]


def _s3_object(t: Target, ids: dict[str, Any], draw: Any) -> None:
    bucket, key = draw(st.sampled_from(BUCKETS[:3])), draw(st.sampled_from(KEYS))
    kind = draw(st.sampled_from(["put", "delete", "delete_many", "copy", "multipart"]))
    s3 = t.client("s3")
    if kind == "put":
        s3.put_object(Bucket=bucket, Key=key, Body=b"y" * draw(st.integers(0, 9)))
    elif kind == "delete":
        s3.delete_object(Bucket=bucket, Key=key)
    elif kind == "delete_many":
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in draw(
            st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True))]})
    elif kind == "copy":
        s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": "inc-logs", "Key": draw(st.sampled_from(KEYS))})
    else:
        up = s3.create_multipart_upload(Bucket=bucket, Key=key)
        part = s3.upload_part(Bucket=bucket, Key=key, PartNumber=1, UploadId=up["UploadId"], Body=b"p" * 5)
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up["UploadId"],
                                     MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]})


def _s3_bucket(t: Target, ids: dict[str, Any], draw: Any) -> None:
    bucket = draw(st.sampled_from(BUCKETS))
    kind = draw(st.sampled_from(["tag", "policy", "create", "delete", "versioning", "lifecycle"]))
    s3 = t.client("s3")
    if kind == "tag":
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "k", "Value": draw(st.sampled_from("xyz"))}]})
    elif kind == "policy":
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/inc-app"}, "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    elif kind == "create":
        s3.create_bucket(Bucket=bucket)
    elif kind == "delete":
        s3.delete_bucket(Bucket=bucket)
    elif kind == "versioning":
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    else:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"ID": "old", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 30}}]})


def _ddb_items(t: Target, ids: dict[str, Any], draw: Any) -> None:
    ddb = t.client("dynamodb")
    kind = draw(st.sampled_from(["put", "update", "delete", "batch", "transact", "range_put", "range_delete",
                                 "partiql"]))
    key = {"pk": {"S": draw(st.sampled_from(HASH_KEYS))}}
    range_key = {"pk": {"S": "p"}, "n": {"N": draw(st.sampled_from(NUMBERS))}}
    if kind == "put":
        ddb.put_item(TableName="inc-hash", Item={**key, "v": {"N": str(draw(st.integers(0, 3)))}})
    elif kind == "update":
        ddb.update_item(TableName="inc-hash", Key=key, UpdateExpression="SET v = :v",
                        ExpressionAttributeValues={":v": {"N": str(draw(st.integers(0, 3)))}})
    elif kind == "delete":
        ddb.delete_item(TableName="inc-hash", Key=key)
    elif kind == "batch":
        keys = draw(st.lists(st.sampled_from(HASH_KEYS), min_size=1, max_size=3, unique=True))
        ddb.batch_write_item(RequestItems={"inc-hash": [
            {"PutRequest": {"Item": {"pk": {"S": k}, "v": {"N": "7"}}}} if i % 2 == 0 else
            {"DeleteRequest": {"Key": {"pk": {"S": k}}}} for i, k in enumerate(keys)]})
    elif kind == "transact":
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "inc-hash", "Item": {**key, "v": {"N": "8"}}}},
            {"Delete": {"TableName": "inc-range", "Key": range_key}}])
    elif kind == "range_put":
        ddb.put_item(TableName="inc-range", Item={**range_key, "blob": {"B": b"\x02"}})
    elif kind == "range_delete":
        ddb.delete_item(TableName="inc-range", Key=range_key)
    else:
        ddb.execute_statement(Statement=f"DELETE FROM \"inc-hash\" WHERE pk = '{key['pk']['S']}'")


def _ddb_table(t: Target, ids: dict[str, Any], draw: Any) -> None:
    ddb = t.client("dynamodb")
    kind = draw(st.sampled_from(["tag", "delete", "create", "ttl"]))
    if kind == "tag":
        arn = ddb.describe_table(TableName="inc-hash")["Table"]["TableArn"]
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": draw(st.sampled_from("xy"))}])
    elif kind == "delete":
        ddb.delete_table(TableName=draw(st.sampled_from(["inc-hash", "inc-range"])))
    elif kind == "create":
        ddb.create_table(TableName="inc-hash", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    else:
        ddb.update_time_to_live(TableName="inc-hash", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})


def _sqs(t: Target, ids: dict[str, Any], draw: Any) -> None:
    sqs = t.client("sqs")
    name = draw(st.sampled_from(QUEUES))
    kind = draw(st.sampled_from(["send", "receive", "purge", "attributes", "create", "delete", "tag"]))
    if kind == "create":
        sqs.create_queue(QueueName=name)
        return
    queue = url(t, name)
    if kind == "send":
        sqs.send_message(QueueUrl=queue, MessageBody="m")
    elif kind == "receive":
        sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
    elif kind == "purge":
        sqs.purge_queue(QueueUrl=queue)
    elif kind == "attributes":
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": str(draw(st.integers(0, 60)))})
    elif kind == "delete":
        sqs.delete_queue(QueueUrl=queue)
    else:
        sqs.tag_queue(QueueUrl=queue, Tags={"k": draw(st.sampled_from("xy"))})


def _sns(t: Target, ids: dict[str, Any], draw: Any) -> None:
    sns = t.client("sns")
    kind = draw(st.sampled_from(["publish", "subscribe", "attributes", "delete"]))
    if kind == "publish":
        sns.publish(TopicArn=ids["topic"], Message="hello")
    elif kind == "subscribe":
        sns.subscribe(TopicArn=ids["topic"], Protocol="sqs", Endpoint=queue_arn(draw(st.sampled_from(QUEUES[:3]))))
    elif kind == "attributes":
        sns.set_topic_attributes(TopicArn=ids["topic"], AttributeName="DisplayName", AttributeValue="d")
    else:
        sns.delete_topic(TopicArn=ids["topic"])


def _iam(t: Target, ids: dict[str, Any], draw: Any) -> None:
    iam = t.client("iam")
    kind = draw(st.sampled_from(["detach", "attach", "inline", "version", "delete_policy", "remove_user",
                                 "delete_user", "new_role"]))
    if kind == "detach":
        iam.detach_role_policy(RoleName="inc-app", PolicyArn=ids["policy"])
    elif kind == "attach":
        iam.attach_role_policy(RoleName="inc-app", PolicyArn=ids["policy"])
    elif kind == "inline":
        iam.put_role_policy(RoleName="inc-app", PolicyName="inline", PolicyDocument=POLICY)
    elif kind == "version":
        iam.create_policy_version(PolicyArn=ids["policy"], PolicyDocument=POLICY.replace("GetObject", "*"),
                                  SetAsDefault=True)
    elif kind == "delete_policy":
        iam.delete_policy(PolicyArn=ids["policy"])
    elif kind == "remove_user":
        iam.remove_user_from_group(GroupName="inc-devs", UserName="inc-dev")
    elif kind == "delete_user":
        iam.delete_user(UserName="inc-dev")
    else:
        iam.create_role(RoleName="inc-other", AssumeRolePolicyDocument=TRUST)


def _kms_secrets(t: Target, ids: dict[str, Any], draw: Any) -> None:
    kms, sm = t.client("kms"), t.client("secretsmanager")
    kind = draw(st.sampled_from(["alias", "delete_alias", "rotation", "schedule", "secret_value", "secret_tag"]))
    if kind == "alias":
        kms.create_alias(AliasName=draw(st.sampled_from(["alias/inc-a", "alias/inc-z"])), TargetKeyId=ids["key"])
    elif kind == "delete_alias":
        kms.delete_alias(AliasName="alias/inc-app")
    elif kind == "rotation":
        kms.enable_key_rotation(KeyId=ids["key"])
    elif kind == "schedule":
        kms.schedule_key_deletion(KeyId="alias/inc-app", PendingWindowInDays=7)
    elif kind == "secret_value":
        sm.put_secret_value(SecretId="inc-db", SecretString="new")
    else:
        sm.tag_resource(SecretId="inc-db", Tags=[{"Key": "k", "Value": "v"}])


def _network(t: Target, ids: dict[str, Any], draw: Any) -> None:
    ec2, elb = t.client("ec2"), t.client("elbv2")
    kind = draw(st.sampled_from(["ingress", "tag_vpc", "subnet", "delete_listener", "listener", "tg", "dns"]))
    if kind == "ingress":
        ec2.authorize_security_group_ingress(GroupId=ids["group"], IpProtocol="tcp", FromPort=443, ToPort=443,
                                             CidrIp="0.0.0.0/0")
    elif kind == "tag_vpc":
        ec2.create_tags(Resources=[ids["vpc"]], Tags=[{"Key": "env", "Value": draw(st.sampled_from("xy"))}])
    elif kind == "subnet":
        ec2.delete_subnet(SubnetId=ids["subnets"][0])
    elif kind == "delete_listener":
        elb.delete_listener(ListenerArn=ids["listener"])
    elif kind == "listener":
        elb.create_listener(LoadBalancerArn=ids["lb"], Protocol="HTTP", Port=8080,
                            DefaultActions=[{"Type": "forward", "TargetGroupArn": ids["tg"]}])
    elif kind == "tg":
        elb.modify_target_group(TargetGroupArn=ids["tg"], HealthCheckPath="/health")
    else:
        ec2.modify_vpc_attribute(VpcId=ids["vpc"], EnableDnsHostnames={"Value": True})


def _compute(t: Target, ids: dict[str, Any], draw: Any) -> None:
    ecs, lam, rds = t.client("ecs"), t.client("lambda"), t.client("rds")
    kind = draw(st.sampled_from(["scale", "delete_service", "task", "memory", "permission", "mapping",
                                 "snapshot", "db_tags", "stack"]))
    if kind == "scale":
        ecs.update_service(cluster="inc-cluster", service="inc-svc", desiredCount=draw(st.integers(0, 3)))
    elif kind == "delete_service":
        ecs.delete_service(cluster="inc-cluster", service="inc-svc", force=True)
    elif kind == "task":
        ecs.register_task_definition(family="inc-task", containerDefinitions=[
            {"name": "app", "image": "nginx:2", "memory": 256}])
    elif kind == "memory":
        lam.update_function_configuration(FunctionName="inc-fn", MemorySize=draw(st.sampled_from([256, 512])))
    elif kind == "permission":
        lam.add_permission(FunctionName="inc-fn", StatementId=f"s{draw(st.integers(0, 2))}",
                           Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    elif kind == "mapping":
        lam.create_event_source_mapping(FunctionName="inc-fn", EventSourceArn=queue_arn("inc-notify"))
    elif kind == "snapshot":
        rds.create_db_snapshot(DBInstanceIdentifier="inc-db", DBSnapshotIdentifier="inc-snap")
    elif kind == "db_tags":
        arn = rds.describe_db_instances(DBInstanceIdentifier="inc-db")["DBInstances"][0]["DBInstanceArn"]
        rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "k", "Value": "v"}])
    else:
        body = json.loads(json.dumps(TEMPLATE))
        body["Resources"]["Queue"]["Properties"]["VisibilityTimeout"] = draw(st.sampled_from([45, 60]))
        t.client("cloudformation").update_stack(StackName="inc-stack", TemplateBody=json.dumps(body))


CHANGES: dict[str, Change] = {
    "s3-object": _s3_object, "s3-bucket": _s3_bucket, "dynamodb-items": _ddb_items, "dynamodb-table": _ddb_table,
    "sqs": _sqs, "sns": _sns, "iam": _iam, "kms-secrets": _kms_secrets, "network": _network, "compute": _compute,
}


def apply(t: Target, ids: dict[str, Any], name: str, draw: Any) -> str:
    """Make one random change; a refused call (a 4xx) is part of the test, not an error."""
    try:
        CHANGES[name](t, ids, draw)
    except ClientError as exc:
        return f"{name}: refused ({exc.response.get('Error', {}).get('Code')})"
    return name
