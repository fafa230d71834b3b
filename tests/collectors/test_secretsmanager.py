"""Secrets Manager collector and seeder; a secret value never reaches a snapshot."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

from harness.collectors.capture import capture
from harness.demo.estate import PROD_ACCOUNT, REGION, SECRET_VALUE, build_estate
from harness.sandbox.session import Sandbox
from harness.seeders.secretsmanager import PLACEHOLDER

SECRET = "secretsmanager:secret/prod/db-password"
ROOT = Path(__file__).resolve().parents[2]


def test_secret_metadata(prod_snapshot, prod_estate):
    secret = prod_snapshot.resources[SECRET]
    assert secret.arn == prod_estate[1].secret_arn
    assert secret.config["Description"] == "master password of prod-db"
    assert [v["Stages"] for v in secret.config["Versions"]] == [["AWSCURRENT"]]
    assert secret.tags == {"env": "prod"}
    (statement,) = secret.policies["ResourcePolicy"]["Statement"]
    assert statement["Principal"] == {"AWS": "@iam:role/deployer#arn"}
    assert statement["Action"] == "secretsmanager:GetSecretValue"


def test_the_secret_names_its_kms_key_by_address(prod_snapshot):
    assert prod_snapshot.resources[SECRET].config["KmsKeyId"] == "@kms:key/app-data"


def test_cli_capture_never_writes_the_secret_value(prod_estate, tmp_path):
    """The real CLI against a server holding the value (as a secret and as the RDS password)."""
    out = tmp_path / "snapshot.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "harness", "capture", "--endpoint-url", prod_estate[0].endpoint,
                           "-o", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    raw = out.read_bytes()
    assert SECRET.encode() in raw  # the secret itself was captured ...
    value = SECRET_VALUE.encode()
    for form in (value, base64.b64encode(value), base64.urlsafe_b64encode(value), value.hex().encode()):
        assert form not in raw  # ... but its value in no form


def test_sandbox_holds_a_placeholder_in_the_recorded_stages(fresh_prod):
    target = fresh_prod.target()
    build_estate(target, services=("secretsmanager",))
    sm = target.client("secretsmanager")
    sm.create_secret(Name="api-token", SecretString="first-token-value")
    sm.put_secret_value(SecretId="api-token", SecretString="second-token-value")  # first becomes AWSPREVIOUS
    prod = capture(target, regions=[REGION], services=["secretsmanager"])
    stages = [v["Stages"] for v in prod.resources["secretsmanager:secret/api-token"].config["Versions"]]
    assert stages == [["AWSCURRENT"], ["AWSPREVIOUS"]]
    with Sandbox.open(prod) as box:
        assert not box.seeded.problems
        sandbox_sm = box.target().client("secretsmanager")
        for name in ("prod/db-password", "api-token"):
            assert sandbox_sm.get_secret_value(SecretId=name)["SecretString"] == PLACEHOLDER
        mirror = box.capture()
        assert [v["Stages"] for v in mirror.resources["secretsmanager:secret/api-token"].config["Versions"]] == stages
        sandbox_arn = mirror.resources[SECRET].arn
        assert sandbox_arn != prod.resources[SECRET].arn  # a new random suffix ...
        assert box.seeded.ids.arns[SECRET] == sandbox_arn  # ... mapped by the IdMap
        assert sandbox_arn.startswith(f"arn:aws:secretsmanager:{REGION}:{PROD_ACCOUNT}:secret:prod/db-password-")
