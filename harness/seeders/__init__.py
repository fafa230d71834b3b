"""Seeders: one module per AWS service, recreate a snapshot in a sandbox; one registry.

A new service is one collector plus one seeder, each registered explicitly here and
in ``harness.collectors``.
"""

from harness.registry import Registry
from harness.seeders.awslambda import LambdaSeeder
from harness.seeders.base import IdMap, SeedContext, Seeder
from harness.seeders.cloudformation import CloudFormationSeeder
from harness.seeders.dynamodb import DynamoDBSeeder
from harness.seeders.ec2 import EC2Seeder
from harness.seeders.ecs import ECSSeeder
from harness.seeders.elbv2 import ELBv2Seeder
from harness.seeders.iam import IAMSeeder
from harness.seeders.kms import KMSSeeder
from harness.seeders.rds import RDSSeeder
from harness.seeders.s3 import S3Seeder
from harness.seeders.secretsmanager import SecretsManagerSeeder
from harness.seeders.sns import SNSSeeder
from harness.seeders.sqs import SQSSeeder

REGISTRY: Registry[Seeder] = Registry("seeder")
REGISTRY.register("s3", S3Seeder())
REGISTRY.register("dynamodb", DynamoDBSeeder())
REGISTRY.register("sqs", SQSSeeder())
REGISTRY.register("sns", SNSSeeder())
REGISTRY.register("iam", IAMSeeder())
REGISTRY.register("kms", KMSSeeder())
REGISTRY.register("secretsmanager", SecretsManagerSeeder())
REGISTRY.register("lambda", LambdaSeeder())
REGISTRY.register("ec2", EC2Seeder())
REGISTRY.register("rds", RDSSeeder())
REGISTRY.register("ecs", ECSSeeder())
REGISTRY.register("elbv2", ELBv2Seeder())
REGISTRY.register("cloudformation", CloudFormationSeeder())

__all__ = ["REGISTRY", "IdMap", "SeedContext", "Seeder"]
