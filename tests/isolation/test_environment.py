"""Requirement: the child sees throwaway credentials and the pinned endpoint, nothing of the caller's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.aws import SANDBOX_ACCESS_KEY
from harness.errors import BadInput
from harness.isolation.run import CA_VARIABLES, PROXY_VARIABLES
from tests.isolation.helpers import run_python

CALLER = {
    "AWS_PROFILE": "production-admin",
    "AWS_DEFAULT_PROFILE": "production-admin",
    "AWS_ACCESS_KEY_ID": "AKIACALLERREALKEY123",
    "AWS_SECRET_ACCESS_KEY": "caller-real-secret",
    "AWS_SESSION_TOKEN": "caller-real-token",
    "AWS_ENDPOINT_URL": "https://sts.amazonaws.com",
    "AWS_ROLE_ARN": "arn:aws:iam::111122223333:role/prod",
    "NO_PROXY": "*",
    "PYTHONPATH": "/caller/python/path",
}

SHOW = """
import json, os, boto3
session = boto3.Session()
credentials = session.get_credentials()
print(json.dumps({"env": dict(os.environ), "key": credentials.access_key, "method": credentials.method,
                  "profiles": session.available_profiles, "region": session.region_name,
                  "config_exists": os.path.exists(os.environ["AWS_CONFIG_FILE"]),
                  "credentials_exists": os.path.exists(os.environ["AWS_SHARED_CREDENTIALS_FILE"]),
                  "trusted": open(os.environ["AWS_CA_BUNDLE"]).read().count("BEGIN CERTIFICATE")}))
"""


@pytest.mark.parametrize("namespace", [True, False], ids=["netns", "proxy"])
def test_child_sees_none_of_the_callers_aws_settings(fresh_prod, tmp_path: Path, monkeypatch, namespace):
    config = tmp_path / "caller-config"
    config.write_text("[profile production-admin]\nregion = eu-west-1\n")
    credentials = tmp_path / "caller-credentials"
    credentials.write_text("[production-admin]\naws_access_key_id = AKIACALLERFILEKEY123\n"
                           "aws_secret_access_key = file-secret\n")
    for name, value in CALLER.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    work = tmp_path / "bundle"
    work.mkdir()

    run = run_python(work, SHOW, fresh_prod.endpoint, region="eu-central-1", namespace=namespace,
                     env={"BUNDLE_SETTING": "42"})

    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    env = seen["env"]
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "NO_PROXY",
                 "PYTHONPATH"):
        assert name not in env
    leaked = [name for name, value in env.items() if value in set(CALLER.values()) | {str(config), str(credentials)}]
    assert leaked == []
    assert (seen["key"], seen["method"]) == (SANDBOX_ACCESS_KEY, "env")
    assert seen["profiles"] == [] and seen["region"] == "eu-central-1"
    assert not seen["config_exists"] and not seen["credentials_exists"]
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-central-1"
    assert env["HOME"] != str(Path.home()) and "shadow-run-" in env["HOME"]
    assert env["BUNDLE_SETTING"] == "42"
    proxy_url = env["AWS_ENDPOINT_URL"]
    assert proxy_url.startswith("http://127.0.0.1:") and proxy_url != fresh_prod.endpoint
    assert {env[name] for name in PROXY_VARIABLES} == {proxy_url}
    bundles = {env[name] for name in CA_VARIABLES}
    assert len(bundles) == 1 and bundles.pop().endswith("/shadow-ca.pem")
    assert seen["trusted"] == 1  # only the run's throwaway CA, not the system store


@pytest.mark.parametrize("name", ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                                  "HTTPS_PROXY", "no_proxy", "AWS_CA_BUNDLE", "HOME", "AWS_CONFIG_FILE"])
def test_env_may_not_unpin_isolation(fresh_prod, tmp_path: Path, name):
    with pytest.raises(BadInput, match=name):
        run_python(tmp_path, "print(1)", fresh_prod.endpoint, env={name: "x"})


def test_real_aws_is_refused_as_sandbox(tmp_path: Path):
    with pytest.raises(BadInput, match="real AWS"):
        run_python(tmp_path, "print(1)", "https://s3.us-east-1.amazonaws.com")
