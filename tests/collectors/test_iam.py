"""IAM collector and seeder, checked against what the sample estate's recipe built."""

from __future__ import annotations

import json

from deepdiff import DeepDiff

from harness.demo.estate import PROD_ACCOUNT, build_estate
from harness.diff.masks import comparable
from harness.estate.snapshot import dumps
from tests.roundtrip import roundtrip

POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def test_deployer_role(prod_snapshot):
    role = prod_snapshot.resources["iam:role/deployer"]
    assert role.arn == f"arn:aws:iam::{PROD_ACCOUNT}:role/deployer"
    assert role.config["AttachedManagedPolicies"] == [POWER_USER]
    (trust,) = role.policies["AssumeRolePolicy"]["Statement"]
    assert trust["Principal"] == {"Service": "codebuild.amazonaws.com"}
    assert role.tags == {"env": "prod"}
    assert role.id and role.id == role.identity["RoleId"]


def test_inline_role_policy_is_a_document(prod_snapshot):
    role = prod_snapshot.resources["iam:role/analytics"]
    (statement,) = role.policies["Inline:read-exports"]["Statement"]
    assert statement["Action"] == ["s3:GetObject"]
    assert statement["Resource"] == "arn:aws:s3:::customer-exports/*"


def test_customer_policy_is_captured_and_linked_from_its_role(prod_snapshot):
    policy = prod_snapshot.resources["iam:policy/orders-read"]
    (statement,) = policy.policies["DefaultVersion"]["Statement"]
    assert statement["Action"] == ["dynamodb:GetItem", "dynamodb:Query"]
    assert statement["Resource"] == "@dynamodb:table/orders#arn"  # the captured table, linked
    role = prod_snapshot.resources["iam:role/orders-processor"]
    assert role.config["AttachedManagedPolicies"] == ["@iam:policy/orders-read#arn"]


def test_aws_managed_policies_are_not_resources(prod_snapshot):
    policies = [a for a, r in prod_snapshot.resources.items() if r.service == "iam" and r.type == "policy"]
    assert policies == ["iam:policy/orders-read"]


def test_group_and_user(prod_snapshot):
    group = prod_snapshot.resources["iam:group/engineers"]
    assert group.config["AttachedManagedPolicies"] == [READ_ONLY]
    assert group.config["Members"] == ["ci-bot"]
    user = prod_snapshot.resources["iam:user/ci-bot"]
    assert user.config["Groups"] == ["engineers"]
    assert [k["Status"] for k in user.config["AccessKeys"]] == ["Active"]
    assert user.config["LoginProfile"] is False
    assert user.tags == {"owner": "platform"}


def _build_extras(target) -> list[str]:
    """IAM features the shared estate leaves out; returns the secrets AWS handed back."""
    iam = target.client("iam")
    boundary = iam.create_policy(PolicyName="boundary", Description="at most S3 and SQS",
                                 PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                                     {"Effect": "Allow", "Action": ["s3:*", "sqs:*"], "Resource": "*"}]}),
                                 Tags=[{"Key": "kind", "Value": "boundary"}])["Policy"]["Arn"]
    iam.create_role(RoleName="batch", Path="/jobs/", Description="nightly batch", MaxSessionDuration=7200,
                    PermissionsBoundary=boundary, AssumeRolePolicyDocument=json.dumps({
                        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                "Principal": {"Service": "ec2.amazonaws.com"}}]}))
    iam.create_instance_profile(InstanceProfileName="batch-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="batch-profile", RoleName="batch")
    iam.put_group_policy(GroupName="engineers", PolicyName="read-logs", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:Get*", "Resource": "*"}]}))
    iam.create_user(UserName="alice", Path="/people/")
    iam.create_login_profile(UserName="alice", Password="Alice-Initial-Passw0rd!")
    iam.add_user_to_group(GroupName="engineers", UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="own-keys", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*AccessKey*",
                                                "Resource": "arn:aws:iam::*:user/${aws:username}"}]}))
    iam.attach_user_policy(UserName="alice", PolicyArn=boundary)
    first = iam.create_access_key(UserName="alice")["AccessKey"]
    second = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.update_access_key(UserName="alice", AccessKeyId=first["AccessKeyId"], Status="Inactive")
    return [first["SecretAccessKey"], second["SecretAccessKey"], "Alice-Initial-Passw0rd!"]


def test_roundtrip_with_boundaries_profiles_keys_and_logins(fresh_prod):
    build_estate(fresh_prod.target(), services=("iam",))
    secrets = _build_extras(fresh_prod.target())
    prod, mirror, diffs, box = roundtrip(fresh_prod.target(), ["iam"])
    with box:
        assert not prod.gaps and not box.seeded.problems
        assert diffs == {}
        role = prod.resources["iam:role/batch"]
        assert role.config["Path"] == "/jobs/" and role.config["MaxSessionDuration"] == 7200
        assert role.config["PermissionsBoundary"]["PermissionsBoundaryArn"] == "@iam:policy/boundary#arn"
        assert role.config["InstanceProfiles"] == [{"InstanceProfileName": "batch-profile", "Path": "/"}]
        alice = prod.resources["iam:user/alice"]
        assert [k["Status"] for k in alice.config["AccessKeys"]] == ["Inactive", "Active"]
        assert alice.config["LoginProfile"] is True
        assert alice.config["AttachedManagedPolicies"] == ["@iam:policy/boundary#arn"]
        assert "Inline:own-keys" in alice.policies
        assert prod.resources["iam:group/engineers"].config["Members"] == ["alice", "ci-bot"]
        # the sandbox holds new keys in the same order and states, never the production ones
        sandbox_keys = mirror.resources["iam:user/alice"].config["AccessKeys"]
        assert [k["Status"] for k in sandbox_keys] == ["Inactive", "Active"]
        assert {k["AccessKeyId"] for k in sandbox_keys}.isdisjoint(k["AccessKeyId"] for k in alice.config["AccessKeys"])
        raw = dumps(prod)
        for secret in secrets:
            assert secret.encode() not in raw


def test_roundtrip_notices_a_changed_attachment(fresh_prod):
    """Control: the masks hide no IAM grant; a policy detached in the sandbox is a difference."""
    build_estate(fresh_prod.target(), services=("iam",))
    prod, _mirror, diffs, box = roundtrip(fresh_prod.target(), ["iam"])
    with box:
        assert diffs == {}
        box.target().client("iam").detach_role_policy(RoleName="deployer", PolicyArn=POWER_USER)
        after = box.capture(["iam"]).resources["iam:role/deployer"]
        back = box.seeded.ids.sandbox_to_prod()
        delta = DeepDiff(comparable(prod.resources["iam:role/deployer"], reseeded=True),
                         comparable(after, reseeded=True, id_map=back))
        assert list(delta.get("iterable_item_removed", {}).values()) == [POWER_USER]
