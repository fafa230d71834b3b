"""SNS: topics (attributes, topic policy, tags) and their subscriptions (protocol,
endpoint, delivery attributes such as RawMessageDelivery and FilterPolicy).

Subscription endpoints that are ARNs of captured resources (queues, functions) become
``@address#arn`` references through ``capture.link_ids``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.collectors.base import CaptureContext, Collector, ServiceRules, parse_policy, tags_dict
from harness.estate.snapshot import Resource

RULES = ServiceRules(
    volatile={"topic": (
        "config.SubscriptionsConfirmed",
        "config.SubscriptionsPending",
        "config.SubscriptionsDeleted",
        "config.Subscriptions.*.Attributes.PendingConfirmation",
    )},
    reseeded={"topic": ("config.Subscriptions.*.SubscriptionArn",)},
    why={
        "config.Subscriptions{Confirmed,Pending,Deleted}": "counters moved by subscribers confirming or "
                                                           "leaving; the subscription list itself is compared",
        "config.Subscriptions.*.Attributes.PendingConfirmation": "set by the subscriber confirming, not by "
                                                                 "a configuration change",
        "config.Subscriptions.*.SubscriptionArn": "ends in a random id SNS assigns on Subscribe; a seeded "
                                                  "sandbox subscribes anew",
    },
)

# topic attributes that SNS derives or counts; never written back by a seeder
READ_ONLY = frozenset({
    "TopicArn", "Owner", "SubscriptionsConfirmed", "SubscriptionsPending", "SubscriptionsDeleted",
    "EffectiveDeliveryPolicy", "BeginningArchiveTime",
})
JSON_ATTRS = ("DeliveryPolicy", "EffectiveDeliveryPolicy", "ArchivePolicy")
SUBSCRIPTION_JSON_ATTRS = ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy", "ReplayPolicy")
_SUBSCRIPTION_DROP = frozenset({
    "SubscriptionArn", "TopicArn", "Owner", "Protocol", "Endpoint", "ConfirmationWasAuthenticated",
    "EffectiveDeliveryPolicy",
})
# ListSubscriptionsByTopic gives these instead of an ARN for subscriptions that have none
_NO_ARN = ("PendingConfirmation", "Deleted")


def topic_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def parse_json_attrs(attrs: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """Parse the JSON-string attributes among ``keys``; empty strings stay as they are."""
    return {k: parse_policy(v) if k in keys and isinstance(v, str) and v.strip() else v
            for k, v in attrs.items()}


class SNSCollector(Collector):
    service = "sns"
    client_name = "sns"
    types = ("topic",)
    rules = RULES

    def collect(self, ctx: CaptureContext) -> Iterator[Resource]:
        yield from self.each_listed(ctx, "ListTopics", "Topics", lambda t: self._topic(ctx, t["TopicArn"]),
                                    address=lambda t: (ctx.address("topic", topic_name(t["TopicArn"])), t["TopicArn"]))

    def _topic(self, ctx: CaptureContext, arn: str) -> Resource | None:
        sns = ctx.client()
        name = topic_name(arn)
        address = ctx.address("topic", name)
        got = ctx.call(sns, "GetTopicAttributes", TopicArn=arn, address=address, absent=("NotFound",))
        if got is None:
            return None
        attrs = dict(got.get("Attributes", {}))
        attrs.pop("TopicArn", None)
        policy = attrs.pop("Policy", None)
        config = parse_json_attrs(attrs, JSON_ATTRS)
        config["Subscriptions"] = self._subscriptions(ctx, arn, address)
        tags = ctx.call(sns, "ListTagsForResource", ResourceArn=arn, address=address) or {}
        return ctx.resource(
            "topic", name,
            arn=arn,
            config=config,
            tags=tags_dict(tags.get("Tags")),
            policies={"TopicPolicy": parse_policy(policy)} if policy else {},
        )

    def _subscriptions(self, ctx: CaptureContext, arn: str, address: str) -> list[dict[str, Any]] | None:
        sns = ctx.client()
        listed = ctx.paginate(sns, "ListSubscriptionsByTopic", "Subscriptions", TopicArn=arn, address=address)
        if listed is None:
            return None
        out = []
        for sub in listed:
            sub_arn = sub.get("SubscriptionArn", "")
            attrs: dict[str, Any] = {}
            if sub_arn in _NO_ARN:
                attrs = {"PendingConfirmation": "true"} if sub_arn == "PendingConfirmation" else {}
            else:
                got = ctx.call(sns, "GetSubscriptionAttributes", SubscriptionArn=sub_arn, address=address,
                               absent=("NotFound",))
                raw = (got or {}).get("Attributes", {})
                attrs = parse_json_attrs({k: v for k, v in raw.items() if k not in _SUBSCRIPTION_DROP},
                                         SUBSCRIPTION_JSON_ATTRS)
            out.append({"Protocol": sub.get("Protocol"), "Endpoint": sub.get("Endpoint"),
                        "SubscriptionArn": sub_arn, "Attributes": attrs})
        return sorted(out, key=lambda s: (s["Protocol"] or "", s["Endpoint"] or ""))
