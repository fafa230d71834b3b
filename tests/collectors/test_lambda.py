"""Lambda collector and seeder; environment values and code never reach a snapshot."""

from __future__ import annotations

import hashlib

from harness.demo.estate import _lambda_zip, build_estate
from harness.estate.canonical import canonical_text
from harness.seeders.awslambda import PLACEHOLDER_VALUE, permission_params
from tests.roundtrip import roundtrip

FUNCTION = "lambda:function/orders-processor"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_function_configuration(prod_snapshot):
    fn = prod_snapshot.resources[FUNCTION]
    assert fn.config["Runtime"] == "python3.12"
    assert fn.config["Handler"] == "handler.handler"
    assert fn.config["Role"] == "@iam:role/orders-processor#arn"
    assert (fn.config["MemorySize"], fn.config["Timeout"]) == (256, 30)
    assert fn.tags == {"env": "prod"}


def test_environment_names_and_hashes_only(prod_snapshot):
    fn = prod_snapshot.resources[FUNCTION]
    assert fn.config["Environment"]["Variables"] == {
        "TABLE": {"sha256": _sha256("orders")},
        "LOG_LEVEL": {"sha256": _sha256("info")},
    }
    assert "info" not in set(_strings(fn.to_json()))


def test_code_hash_and_size_never_code(prod_snapshot):
    fn = prod_snapshot.resources[FUNCTION]
    package = _lambda_zip()
    assert fn.config["CodeSize"] == len(package)
    text = canonical_text(fn.to_json())
    assert "def handler" not in text and "Location" not in text


def test_resource_policy_links_the_topic(prod_snapshot):
    (statement,) = prod_snapshot.resources[FUNCTION].policies["ResourcePolicy"]["Statement"]
    assert statement["Sid"] == "alerts-invoke"
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert statement["Condition"] == {"ArnLike": {"AWS:SourceArn": "@sns:topic/alerts#arn"}}


def test_permission_params_refuse_what_add_permission_cannot_say():
    base = {"Sid": "x", "Effect": "Allow", "Action": "lambda:InvokeFunction",
            "Principal": {"Service": "s3.amazonaws.com"}}
    assert permission_params({**base, "Condition": {"StringEquals": {"AWS:SourceAccount": "210987654321"}}}) == {
        "StatementId": "x", "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com",
        "SourceAccount": "210987654321"}
    assert permission_params({**base, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}) is None
    assert permission_params({**base, "Effect": "Deny"}) is None


def test_roundtrip_with_alias_and_event_source_mapping(fresh_prod):
    target = fresh_prod.target()
    build_estate(target, services=("iam", "lambda"))
    queue_url = target.client("sqs").create_queue(QueueName="orders-work")["QueueUrl"]
    queue_arn = target.client("sqs").get_queue_attributes(QueueUrl=queue_url,
                                                          AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam = target.client("lambda")
    lam.create_alias(FunctionName="orders-processor", Name="live", FunctionVersion="$LATEST")
    lam.create_event_source_mapping(FunctionName="orders-processor", EventSourceArn=queue_arn, BatchSize=5)
    lam.put_function_concurrency(FunctionName="orders-processor", ReservedConcurrentExecutions=7)
    prod, mirror, diffs, box = roundtrip(target, ["iam", "sqs", "lambda"])
    with box:
        assert not prod.gaps and not box.seeded.problems
        assert diffs == {}
        fn = prod.resources[FUNCTION].config
        assert [a["Name"] for a in fn["Aliases"]] == ["live"]
        (mapping,) = fn["EventSourceMappings"]
        assert (mapping["EventSourceArn"], mapping["BatchSize"]) == ("@sqs:queue/orders-work#arn", 5)
        assert fn["ReservedConcurrentExecutions"] == 7
        # the sandbox holds placeholders: the same names, other values
        seeded = mirror.resources[FUNCTION].config["Environment"]["Variables"]
        assert seeded == {name: {"sha256": _sha256(PLACEHOLDER_VALUE)} for name in ("TABLE", "LOG_LEVEL")}


def test_alias_on_a_published_version_is_a_seed_problem(fresh_prod):
    """Published versions are not recreated: the sandbox says so instead of seeding a wrong alias."""
    target = fresh_prod.target()
    build_estate(target, services=("iam", "lambda"))
    lam = target.client("lambda")
    version = lam.publish_version(FunctionName="orders-processor")["Version"]
    lam.create_alias(FunctionName="orders-processor", Name="stable", FunctionVersion=version)
    _prod, _mirror, _diffs, box = roundtrip(target, ["iam", "lambda"])
    with box:
        assert [(p.address, p.operation) for p in box.seeded.problems] == [(FUNCTION, "CreateAlias")]
