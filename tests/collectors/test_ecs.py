"""ECS collector: expectations written from the estate recipe (harness/demo/estate.py)."""

from __future__ import annotations

from harness.collectors.base import REDACTED, redact
from harness.demo.estate import SECRET_VALUE


def test_cluster_and_service(infra_snapshot):
    assert infra_snapshot.resources["ecs:cluster/prod"].tags == {"env": "prod"}
    svc = infra_snapshot.resources["ecs:service/prod/web"]
    assert svc.refs == {"cluster": "ecs:cluster/prod"}
    assert svc.config["taskDefinition"] == "@ecs:task-definition/web#arn"
    assert (svc.config["desiredCount"], svc.config["launchType"]) == (2, "FARGATE")
    network = svc.config["networkConfiguration"]["awsvpcConfiguration"]
    assert "@ec2:subnet/main-public-a" in network["subnets"]
    assert network["securityGroups"] == ["@ec2:security-group/web"]
    assert [lb["targetGroupArn"] for lb in svc.config["loadBalancers"]] == ["@elbv2:target-group/prod-web#arn"]


def test_task_definition_keeps_settings_and_hashes_secrets(infra_snapshot):
    task = infra_snapshot.resources["ecs:task-definition/web"]
    assert (task.config["cpu"], task.config["memory"], task.config["networkMode"]) == ("256", "512", "awsvpc")
    env = {e["name"]: e["value"] for e in task.config["containerDefinitions"][0]["environment"]}
    assert env["DB_HOST"] == "prod-db"
    assert env["DB_PASSWORD"].startswith(REDACTED)
    assert SECRET_VALUE not in env["DB_PASSWORD"]


def test_redact():
    hashed = redact("DB_PASSWORD", "hunter2")
    assert hashed.startswith(REDACTED) and "hunter2" not in hashed
    assert redact("DB_PASSWORD", "hunter3") != hashed  # a changed secret still shows as a change
    assert redact("DB_PASSWORD", hashed) == hashed  # what a seeded sandbox holds reads back the same
    assert redact("api_key", "k") != "k"
    assert redact("LOG_LEVEL", "info") == "info"
