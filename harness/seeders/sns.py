"""SNS seeder: topics with their attributes, topic policy and tags, then their
subscriptions with the recorded delivery attributes."""

from __future__ import annotations

from typing import Any

from harness.collectors.sns import READ_ONLY
from harness.estate.snapshot import Resource
from harness.seeders.base import SeedContext, Seeder, attribute_text, tag_list

# attributes SNS accepts only when the topic is created
_CREATE_ONLY = ("FifoTopic", "ContentBasedDeduplication", "FifoThroughputScope")
# the attributes Subscribe accepts (GetSubscriptionAttributes returns more, all derived)
_SUBSCRIBE_ATTRS = ("DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery",
                    "RedrivePolicy", "ReplayPolicy", "SubscriptionRoleArn")


class SNSSeeder(Seeder):
    service = "sns"
    after = ("kms", "sqs")

    def seed(self, ctx: SeedContext, resources: list[Resource]) -> None:
        ctx.map(lambda r: self._topic(ctx, r), resources)

    def _topic(self, ctx: SeedContext, res: Resource) -> None:
        sns = ctx.client("sns", res.region)
        cfg = ctx.ref(res.config)
        params: dict[str, Any] = {"Name": res.name}
        create_attrs = {k: attribute_text(cfg[k]) for k in _CREATE_ONLY if cfg.get(k) not in (None, "")}
        if create_attrs:
            params["Attributes"] = create_attrs
        if res.tags:
            params["Tags"] = tag_list(res.tags)
        created = ctx.attempt(res, "CreateTopic", lambda: sns.create_topic(**params))
        if created is None:
            return
        arn = created["TopicArn"]
        ctx.ids.record(res, sandbox_arn=arn)
        settable = {k: v for k, v in cfg.items()
                    if k not in READ_ONLY and k not in _CREATE_ONLY and k != "Subscriptions" and v not in (None, "")}
        policy = ctx.ref(res.policies.get("TopicPolicy"))
        if policy:
            settable["Policy"] = policy
        for name, value in sorted(settable.items()):
            ctx.attempt(res, "SetTopicAttributes", lambda n=name, v=value: sns.set_topic_attributes(
                TopicArn=arn, AttributeName=n, AttributeValue=attribute_text(v)))
        for sub in cfg.get("Subscriptions") or []:
            attrs = {k: attribute_text(v) for k, v in (sub.get("Attributes") or {}).items()
                     if k in _SUBSCRIBE_ATTRS}
            ctx.attempt(res, "Subscribe", lambda s=sub, a=attrs: sns.subscribe(
                TopicArn=arn, Protocol=s["Protocol"], Endpoint=s["Endpoint"], Attributes=a,
                ReturnSubscriptionArn=True))
