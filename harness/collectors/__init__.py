"""Collectors: one module per AWS service, read-only, one registry.

The same collectors read production and sandboxes. To add a service, write
``harness/collectors/<service>.py`` with a ``Collector`` subclass and register it here.
"""

from harness.collectors.awslambda import LambdaCollector
from harness.collectors.base import Collector, Limits, ServiceRules
from harness.collectors.cloudformation import CloudFormationCollector
from harness.collectors.dynamodb import DynamoDBCollector
from harness.collectors.ec2 import EC2Collector
from harness.collectors.ecs import ECSCollector
from harness.collectors.elbv2 import ELBv2Collector
from harness.collectors.iam import IAMCollector
from harness.collectors.kms import KMSCollector
from harness.collectors.rds import RDSCollector
from harness.collectors.s3 import S3Collector
from harness.collectors.secretsmanager import SecretsManagerCollector
from harness.collectors.sns import SNSCollector
from harness.collectors.sqs import SQSCollector
from harness.registry import Registry

REGISTRY: Registry[Collector] = Registry("service")
REGISTRY.register("s3", S3Collector())
REGISTRY.register("dynamodb", DynamoDBCollector())
REGISTRY.register("sqs", SQSCollector())
REGISTRY.register("sns", SNSCollector())
REGISTRY.register("iam", IAMCollector())
REGISTRY.register("kms", KMSCollector())
REGISTRY.register("secretsmanager", SecretsManagerCollector())
REGISTRY.register("lambda", LambdaCollector())
REGISTRY.register("ec2", EC2Collector())
REGISTRY.register("rds", RDSCollector())
REGISTRY.register("ecs", ECSCollector())
REGISTRY.register("elbv2", ELBv2Collector())
REGISTRY.register("cloudformation", CloudFormationCollector())


def rules_for(service: str) -> ServiceRules:
    """The volatile/identity rules of a service (empty for unknown services)."""
    return REGISTRY.get(service).rules if service in REGISTRY else ServiceRules()


__all__ = ["REGISTRY", "Collector", "Limits", "ServiceRules", "rules_for"]
