"""Round trip, resource by resource: production -> snapshot -> sandbox -> snapshot.

The two snapshots must be equal after dropping only the documented volatile and
reseeded fields (ServiceRules next to each collector) and mapping emulator ids back.
"""

from __future__ import annotations

import pytest

from harness.demo.estate import build_estate
from tests.roundtrip import roundtrip

# service -> addresses the sample estate must contain (written from the estate recipe)
EXPECTED = {
    "s3": ["s3:bucket/app-logs", "s3:bucket/customer-exports"],
    "dynamodb": ["dynamodb:table/orders", "dynamodb:table/sessions"],
    "sqs": ["sqs:queue/orders", "sqs:queue/billing-events", "sqs:queue/billing-events-dlq"],
    "sns": ["sns:topic/alerts"],
    "iam": ["iam:role/deployer", "iam:role/analytics", "iam:role/orders-processor", "iam:policy/orders-read",
            "iam:group/engineers", "iam:user/ci-bot"],
    "kms": ["kms:key/app-data", "kms:key/old-reports"],
    "secretsmanager": ["secretsmanager:secret/prod/db-password"],
    "lambda": ["lambda:function/orders-processor"],
    "ec2": ["ec2:vpc/main", "ec2:vpc/default", "ec2:subnet/main-private-a", "ec2:subnet/main-private-b",
            "ec2:subnet/main-public-a", "ec2:route-table/main-public", "ec2:internet-gateway/main-igw",
            "ec2:security-group/web", "ec2:security-group/db", "ec2:security-group/bastion",
            "ec2:instance/bastion"],
    "rds": ["rds:db/prod-db", "rds:subnet-group/prod-db-subnets", "rds:snapshot/prod-db-pre-migration"],
    "ecs": ["ecs:cluster/prod", "ecs:service/prod/web", "ecs:task-definition/web"],
    "elbv2": ["elbv2:load-balancer/prod-alb", "elbv2:target-group/prod-web"],
}
# other services a service's part of the estate cannot exist without (a function needs its role): built and captured
NEEDS = {"lambda": ("iam",)}
# services captured (and seeded) along with one, because its references must resolve in the sandbox
WITH = {"rds": ("ec2",), "ecs": ("ec2", "elbv2"), "elbv2": ("ec2",)}
# estate builders that make a service's resources, where the names differ
BUILDER = {"elbv2": "ecs"}


@pytest.mark.parametrize("service", sorted(EXPECTED))
def test_roundtrip_is_equal(fresh_prod, service):
    needs = NEEDS.get(service, ())
    build_estate(fresh_prod.target(), services=(BUILDER.get(service, service), *needs))
    prod, _mirror, diffs, box = roundtrip(fresh_prod.target(), [service, *needs, *WITH.get(service, ())])
    try:
        for address in EXPECTED[service]:
            assert address in prod.resources, f"{address} not captured"
        assert not prod.gaps, prod.gaps
        assert not box.seeded.problems, box.seeded.problems
        assert diffs == {}
    finally:
        box.close()
