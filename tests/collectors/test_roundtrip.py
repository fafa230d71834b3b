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
}
# other services a service's part of the estate cannot exist without (a function needs its role)
NEEDS = {"lambda": ("iam",)}


@pytest.mark.parametrize("service", sorted(EXPECTED))
def test_roundtrip_is_equal(fresh_prod, service):
    services = (service, *NEEDS.get(service, ()))
    build_estate(fresh_prod.target(), services=services)
    prod, _mirror, diffs, box = roundtrip(fresh_prod.target(), list(services))
    try:
        for address in EXPECTED[service]:
            assert address in prod.resources, f"{address} not captured"
        assert not prod.gaps, prod.gaps
        assert not box.seeded.problems, box.seeded.problems
        assert diffs == {}
    finally:
        box.close()
