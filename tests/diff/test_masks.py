"""sort_unordered: lists a service declares unordered are sorted; everything else keeps its order."""

from __future__ import annotations

from harness.diff.masks import sort_unordered
from harness.estate.snapshot import Resource


def test_only_declared_lists_are_sorted():
    res = Resource(address="elbv2:load-balancer/lb", service="elbv2", type="load-balancer", name="lb",
                   region="us-east-1", config={
                       "Subnets": ["@ec2:subnet/b", "@ec2:subnet/a"],
                       "Listeners": [{"Port": 443, "Rules": [{"Priority": "2"}, {"Priority": "1"}]},
                                     {"Port": 80, "Rules": []}],
                   })
    sort_unordered(res)
    assert res.config["Subnets"] == ["@ec2:subnet/a", "@ec2:subnet/b"]
    assert [r["Priority"] for r in res.config["Listeners"][0]["Rules"]] == ["1", "2"]  # config.Listeners.*.Rules
    assert [listener["Port"] for listener in res.config["Listeners"]] == [443, 80]  # not declared: kept


def test_services_without_rules_are_left_alone():
    res = Resource(address="x:y/z", service="not-a-service", type="y", name="z", region="us-east-1",
                   config={"List": [2, 1]})
    sort_unordered(res)
    assert res.config["List"] == [2, 1]
