"""SNS collector and seeder, checked against what the sample estate's recipe built."""

from __future__ import annotations

import json

import pytest

from harness.collectors.capture import capture
from harness.collectors.sns import parse_json_attrs
from harness.demo.estate import PROD_ACCOUNT, REGION, build_estate
from harness.sandbox.session import Sandbox

TOPIC = "sns:topic/alerts"


@pytest.fixture(scope="module")
def topic(prod_snapshot):
    return prod_snapshot.resources[TOPIC]


def test_topic_attributes_and_tags(topic):
    assert topic.arn == f"arn:aws:sns:{REGION}:{PROD_ACCOUNT}:alerts"
    assert topic.config["DisplayName"] == "Prod alerts"
    assert topic.tags == {"env": "prod"}
    assert "Policy" not in topic.config and "TopicArn" not in topic.config


def test_topic_policy_is_a_parsed_document_in_policies(topic):
    statements = {s["Sid"]: s for s in topic.policies["TopicPolicy"]["Statement"]}
    assert statements["EventBridgePublishes"]["Principal"] == {"Service": "events.amazonaws.com"}
    assert statements["EventBridgePublishes"]["Resource"] == f"@{TOPIC}#arn"  # its own ARN, linked


def test_subscription_to_a_captured_queue_is_linked(topic):
    (sub,) = topic.config["Subscriptions"]
    assert sub["Protocol"] == "sqs"
    assert sub["Endpoint"] == "@sqs:queue/orders#arn"
    assert sub["Attributes"]["RawMessageDelivery"] == "true"
    assert sub["Attributes"]["FilterPolicy"] == {"severity": ["high", "critical"]}


def test_json_attributes_parse_but_empty_ones_stay_empty():
    parsed = parse_json_attrs({"DeliveryPolicy": "", "ArchivePolicy": '{"MessageRetentionPeriod": "30"}',
                               "DisplayName": '{"not": "parsed"}'}, ("DeliveryPolicy", "ArchivePolicy"))
    assert parsed == {"DeliveryPolicy": "", "ArchivePolicy": {"MessageRetentionPeriod": "30"},
                      "DisplayName": '{"not": "parsed"}'}


def test_seeded_subscription_points_at_the_sandbox_queue(fresh_prod):
    build_estate(fresh_prod.target(), services=("sqs", "sns"))
    prod = capture(fresh_prod.target(), regions=[REGION], services=["sqs", "sns"])
    with Sandbox.open(prod) as box:
        assert not box.seeded.problems
        sns = box.target().client("sns")
        (sub,) = sns.list_subscriptions()["Subscriptions"]
        queue_url = box.target().client("sqs").get_queue_url(QueueName="orders")["QueueUrl"]
        queue_arn = box.target().client("sqs").get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        assert sub["Endpoint"] == queue_arn
        attrs = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
        assert json.loads(attrs["FilterPolicy"]) == {"severity": ["high", "critical"]}
