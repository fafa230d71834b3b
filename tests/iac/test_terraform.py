"""The terraform runner end to end: real terraform, a real moto sandbox, the real isolation.

Terraform missing is bad input (exit 2, one line); a configuration that hard-wires real
AWS endpoints still only reaches the sandbox (the override wins; run in a network
namespace where the proxy is the only way out); a run past its timeout is inconclusive.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.bundles import load_bundle
from harness.collectors.capture import capture
from harness.estate.snapshot import save
from harness.isolation import netns
from harness.simulate import simulate

ROOT = Path(__file__).resolve().parents[2]
needs_terraform = pytest.mark.skipif(shutil.which(os.environ.get("SHADOW_TERRAFORM") or "terraform") is None,
                                     reason="terraform is not installed")
needs_netns = pytest.mark.skipif(not netns.available()[0], reason=f"no namespaces: {netns.available()[1]}")

HARDWIRED = """\
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region = "us-east-1"
  endpoints {
    s3  = "https://s3.us-east-1.amazonaws.com"
    sts = "https://sts.amazonaws.com"
  }
}

resource "aws_s3_bucket" "reports" {
  bucket = "reports-from-terraform"
}
"""

BUNDLE = """\
apiVersion: shadow/v1
kind: ChangeBundle
metadata: {name: tf-bucket, author: "agent:t"}
intent:
  summary: Create the reports bucket.
  effects: [{action: create, resource: "s3:bucket/reports-from-terraform"}]
change:
  kind: terraform
  dir: infra
  timeout: TIMEOUT
"""


def make_bundle(tmp_path: Path, timeout: int = 600) -> Path:
    root = tmp_path / "bundle"
    (root / "infra").mkdir(parents=True)
    (root / "infra" / "main.tf").write_text(HARDWIRED)
    (root / "bundle.yaml").write_text(BUNDLE.replace("TIMEOUT", str(timeout)))
    return root


def digest_tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def empty_production(fresh_prod):
    return capture(fresh_prod.target(), regions=["us-east-1"], services=["s3"])


def test_terraform_missing_is_one_line_and_exit_2(tmp_path, fresh_prod, empty_production):
    save(empty_production, tmp_path / "snapshot.json")
    env = {**os.environ, "SHADOW_TERRAFORM": "terraform-not-installed-here", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "harness", "run", str(make_bundle(tmp_path)),
                           "--snapshot", str(tmp_path / "snapshot.json")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "terraform is not installed" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@needs_terraform
@needs_netns
def test_hardwired_real_aws_endpoints_are_overridden_and_nothing_leaves(tmp_path, empty_production):
    root = make_bundle(tmp_path)
    before = digest_tree(root)
    sim = simulate(load_bundle(root), empty_production)
    execution = sim.outcome.execution
    assert execution.isolation == "netns"
    assert execution.egress == [], execution.egress
    assert sim.verdict.outcome == "promoted", sim.verdict.reasons
    assert list(sim.changes.changes) == ["s3:bucket/reports-from-terraform"]
    assert execution.calls and not [c for c in execution.calls if c.hardwired]
    assert any(c.operation == "CreateBucket" for c in execution.calls)
    terraform = sim.outcome.artifacts["terraform"]
    assert terraform["planned"] == [{"tf_address": "aws_s3_bucket.reports", "type": "aws_s3_bucket",
                                     "actions": ["create"]}]
    assert terraform["plan"]["format_version"] and terraform["plan"]["resource_changes"]
    assert any("sets its own aws endpoints" in note for note in terraform["notes"])
    assert digest_tree(root) == before  # the bundle's own files are never edited


@needs_terraform
def test_terraform_past_its_timeout_is_inconclusive(tmp_path, empty_production):
    sim = simulate(load_bundle(make_bundle(tmp_path, timeout=2)), empty_production)
    assert sim.verdict.outcome == "inconclusive"
    assert any("timeout" in reason for reason in sim.verdict.reasons)
    assert sim.verdict.exit_code == 3
