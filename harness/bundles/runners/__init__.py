"""Change runners, one per bundle kind, in one registry."""

from harness.bundles.runners.awscalls import AwsCallsRunner
from harness.bundles.runners.base import RunContext, Runner, RunOutcome
from harness.bundles.runners.cloudformation import CloudFormationRunner
from harness.bundles.runners.script import ScriptRunner
from harness.bundles.runners.terraform import TerraformRunner
from harness.registry import Registry

RUNNERS: Registry[Runner] = Registry("change kind")
RUNNERS.register("aws-calls", AwsCallsRunner())
RUNNERS.register("script", ScriptRunner())
RUNNERS.register("terraform", TerraformRunner())
RUNNERS.register("cloudformation", CloudFormationRunner())

__all__ = ["RUNNERS", "RunContext", "RunOutcome", "Runner"]
