"""Denied reads become gaps (the resource is unknown), never absence.

Real denials: moto's IAM enforcement is switched on (``/moto-api/reset-auth``) after the
estate is built, and the capture runs as a user whose policy denies chosen actions.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest

from harness.aws import Target
from harness.collectors.capture import capture
from harness.demo.estate import PROD_ACCOUNT, REGION, build_estate
from harness.estate.snapshot import Snapshot
from harness.sandbox.moto import MotoBackend

SERVICES = ("sqs", "sns", "iam", "kms", "secretsmanager", "lambda")


def _denied_capture(denied: list[str], services: list[str]) -> Iterator[Snapshot]:
    backend = MotoBackend(account=PROD_ACCOUNT)
    backend.start()
    try:
        target = backend.target()
        build_estate(target, services=SERVICES)
        iam = target.client("iam")
        iam.create_user(UserName="auditor")
        iam.put_user_policy(UserName="auditor", PolicyName="read-most", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                          {"Effect": "Deny", "Action": denied, "Resource": "*"}]}))
        key = iam.create_access_key(UserName="auditor")["AccessKey"]
        _enforce_iam(backend.endpoint)
        auditor = Target(endpoint_url=backend.endpoint, access_key=key["AccessKeyId"],
                         secret_key=key["SecretAccessKey"], region=REGION, max_attempts=1, kind="moto")
        yield capture(auditor, regions=[REGION], services=services)
    finally:
        backend.stop()


def _enforce_iam(endpoint: str) -> None:
    """Make moto check every following request against IAM (no free actions left)."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset-auth", data=b"0", method="POST",
                                     headers={"Content-Type": "text/plain"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
        assert response.status == 200


@pytest.fixture(scope="module")
def detail_denied() -> Iterator[Snapshot]:
    yield from _denied_capture(["sns:GetTopicAttributes", "iam:GetRole", "kms:DescribeKey",
                                "secretsmanager:DescribeSecret", "iam:ListAttachedUserPolicies"],
                               ["sns", "iam", "kms", "secretsmanager"])


@pytest.fixture(scope="module")
def listing_denied() -> Iterator[Snapshot]:
    # moto answers every Lambda call with 403 once IAM checks are on (its signature check
    # fails for Lambda's REST paths), so Lambda's listing is refused whatever is denied.
    yield from _denied_capture(["sns:ListTopics", "iam:ListRoles", "kms:ListKeys", "secretsmanager:ListSecrets"],
                               list(SERVICES))


@pytest.fixture(scope="module")
def values_denied() -> Iterator[Snapshot]:
    yield from _denied_capture(["secretsmanager:GetSecretValue", "kms:Decrypt"],
                               ["sns", "iam", "kms", "secretsmanager"])


@pytest.mark.parametrize(("address", "operation"), [
    ("sns:topic/alerts", "GetTopicAttributes"),
    ("iam:role/deployer", "GetRole"),
    ("kms:key/app-data", "DescribeKey"),
    ("secretsmanager:secret/prod/db-password", "DescribeSecret"),
])
def test_denied_detail_read_is_a_gap_on_the_resource(detail_denied, address, operation):
    assert address not in detail_denied.resources
    gaps = [g for g in detail_denied.gaps if g.address == address and g.operation == operation]
    assert [g.reason for g in gaps] == ["access-denied"]
    assert detail_denied.gaps_for(address, address.split(":")[0], REGION)


def test_denied_sub_read_leaves_the_field_unknown_not_empty(detail_denied):
    user = detail_denied.resources["iam:user/ci-bot"]
    assert user.config["AttachedManagedPolicies"] is None  # unknown, where [] would claim "none attached"
    assert user.config["Groups"] == ["engineers"]
    assert [g.operation for g in detail_denied.gaps_for("iam:user/ci-bot", "iam")] == ["ListAttachedUserPolicies"]


@pytest.mark.parametrize(("address", "operation"), [
    ("sns:topic/alerts", "ListTopics"),
    ("iam:role/deployer", "ListRoles"),
    ("kms:key/app-data", "ListKeys"),
    ("secretsmanager:secret/prod/db-password", "ListSecrets"),
    ("lambda:function/orders-processor", "ListFunctions"),
])
def test_denied_listing_makes_the_service_unknown(listing_denied, address, operation):
    service = address.split(":")[0]
    assert address not in listing_denied.resources
    gaps = [g for g in listing_denied.gaps if g.service == service and g.operation == operation]
    assert [(g.reason, g.address) for g in gaps] == [("access-denied", None)]
    assert listing_denied.gaps_for(address, service, REGION)


def test_listing_denial_of_one_type_keeps_the_others(listing_denied):
    assert "iam:user/ci-bot" in listing_denied.resources
    assert "iam:policy/orders-read" in listing_denied.resources


def test_capture_never_needs_a_secret_value(values_denied):
    """A principal that may not read secret values or decrypt captures everything, gap-free."""
    assert values_denied.gaps == []
    assert "secretsmanager:secret/prod/db-password" in values_denied.resources
    assert values_denied.resources["kms:key/app-data"].config["KeyRotationEnabled"] is True
