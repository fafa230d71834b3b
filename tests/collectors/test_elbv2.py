"""ELBv2 collector: expectations written from the estate recipe (harness/demo/estate.py)."""

from __future__ import annotations


def test_load_balancer_with_listener_and_rule(infra_snapshot):
    lb = infra_snapshot.resources["elbv2:load-balancer/prod-alb"]
    cfg = lb.config
    assert (cfg["Type"], cfg["Scheme"]) == ("application", "internet-facing")
    assert cfg["VpcId"] == "@ec2:vpc/main"
    assert cfg["SecurityGroups"] == ["@ec2:security-group/web"]
    assert "@ec2:subnet/main-public-a" in cfg["Subnets"]
    assert cfg["Attributes"]["deletion_protection.enabled"] == "false"
    assert lb.tags == {"env": "prod"}
    [listener] = cfg["Listeners"]
    assert (listener["Port"], listener["Protocol"]) == (80, "HTTP")
    assert listener["DefaultActions"] == [{"Type": "forward", "TargetGroupArn": "@elbv2:target-group/prod-web#arn"}]
    [rule] = listener["Rules"]
    assert rule["Priority"] == "10"
    assert rule["Conditions"][0]["Values"] == ["/api/*"]


def test_target_group(infra_snapshot):
    cfg = infra_snapshot.resources["elbv2:target-group/prod-web"].config
    assert (cfg["Protocol"], cfg["Port"], cfg["TargetType"]) == ("HTTP", 80, "ip")
    assert cfg["VpcId"] == "@ec2:vpc/main"
    assert cfg["LoadBalancerArns"] == ["@elbv2:load-balancer/prod-alb#arn"]
