"""Terraform preparation: CLI config, provider override, state reading and id translation, validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.bundles import load_bundle
from harness.errors import BundleError, ToolMissing
from harness.iac.endpoints import ALIASES, ENDPOINT_KEYS
from harness.iac.tfsetup import OVERRIDE_NAME, cli_config, find_terraform, hcl_string, override, provider_aliases
from harness.iac.tfstate import load_state, resources, translate

BUNDLE = """\
apiVersion: shadow/v1
kind: ChangeBundle
metadata: {name: tf-test, author: "agent:t"}
intent: {summary: test}
change:
  kind: terraform
  dir: infra
"""


def make(tmp_path: Path, files: dict[str, str], extra: str = "") -> Path:
    root = tmp_path / "b"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "bundle.yaml").write_text(BUNDLE + extra)
    return root


def state_doc(*resources_: dict) -> str:
    return json.dumps({"version": 4, "terraform_version": "1.11.4", "serial": 3, "lineage": "x",
                       "outputs": {}, "resources": list(resources_)})


def test_override_points_every_endpoint_of_every_aws_provider_at_the_placeholder(tmp_path):
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "us-east-1"\n}\n'
        'provider "aws" {\n  alias  = "west"  # second region\n  region = "us-west-2"\n'
        '  assume_role {\n    role_arn = "arn:aws:iam::1:role/x"\n  }\n}\n'
        '# provider "aws" { alias = "commented" }\n')
    (tmp_path / "extra.tf.json").write_text(json.dumps({"provider": {"aws": [{"alias": "json", "region": "x"}]}}))
    aliases = provider_aliases(tmp_path)
    assert aliases == ["json", "west"]
    text = override(aliases, tmp_path / "state" / "terraform.tfstate")
    assert text.count('provider "aws" {') == 3
    for key in ("s3", "sts", "rds", "ec2", "iam", "sqs", "dynamodb", "cloudformation"):
        assert text.count(f'    {key} = "__SHADOW_ENDPOINT__"') == 3
    assert len(ENDPOINT_KEYS) > 250 and not set(ALIASES) & set(ENDPOINT_KEYS)
    assert 'backend "local"' in text and str(tmp_path / "state" / "terraform.tfstate") in text
    assert "skip_credentials_validation = true" in text and "s3_use_path_style           = true" in text


def test_cli_config_uses_the_mirror_for_the_public_registry(tmp_path):
    text = cli_config(tmp_path / "mirror")
    assert "filesystem_mirror" in text and str(tmp_path / "mirror") in text
    assert 'exclude = ["registry.terraform.io/*/*"]' in text
    assert "disable_checkpoint = true" in text
    assert "filesystem_mirror" not in cli_config(None)


def test_hcl_strings_cannot_interpolate():
    assert hcl_string('a"b${x}\\') == '"a\\"b$${x}\\\\"'


def test_terraform_missing_is_tool_missing(monkeypatch):
    monkeypatch.setenv("SHADOW_TERRAFORM", "terraform-that-is-not-installed")
    with pytest.raises(ToolMissing) as info:
        find_terraform()
    assert info.value.exit_code == 2
    assert "terraform is not installed" in str(info.value)


def test_state_is_read_and_listed_with_full_addresses(tmp_path):
    path = tmp_path / "terraform.tfstate"
    provider = 'provider["registry.terraform.io/hashicorp/aws"]'
    path.write_text(state_doc(
        {"mode": "managed", "type": "aws_vpc", "name": "main", "provider": provider,
         "instances": [{"attributes": {"id": "vpc-0prod"}}]},
        {"module": "module.db", "mode": "managed", "type": "aws_db_instance", "name": "this", "provider": provider,
         "instances": [{"index_key": 0, "attributes": {"identifier": "prod-db"}}]},
        {"mode": "data", "type": "aws_caller_identity", "name": "me", "provider": provider,
         "instances": [{"attributes": {}}]}))
    listed = resources(load_state(path, "state"))
    assert [(r.tf_address, r.type) for r in listed] == [("aws_vpc.main", "aws_vpc"),
                                                      ("module.db.aws_db_instance.this[0]", "aws_db_instance")]


@pytest.mark.parametrize("text", ["{not json", json.dumps({"version": 3, "modules": []}), json.dumps([1])])
def test_a_bad_state_is_bad_input(tmp_path, text):
    path = tmp_path / "terraform.tfstate"
    path.write_text(text)
    with pytest.raises(BundleError):
        load_state(path, "bundle.yaml: change.state")


def test_translate_replaces_ids_exactly_and_inside_arns():
    doc = {"id": "vpc-0prod1", "arn": "arn:aws:ec2:us-east-1:1:vpc/vpc-0prod1", "cidr": "10.0.0.0/16",
           "list": ["subnet-0aaa1", "x"], "n": 3}
    mapped = translate(doc, {"vpc-0prod1": "vpc-sandbox", "subnet-0aaa1": "subnet-sbx", "x": "never"})
    assert mapped == {"id": "vpc-sandbox", "arn": "arn:aws:ec2:us-east-1:1:vpc/vpc-sandbox", "cidr": "10.0.0.0/16",
                      "list": ["subnet-sbx", "x"], "n": 3}


def test_terraform_bundle_validation(tmp_path):
    root = make(tmp_path, {"infra/main.tf": 'resource "aws_s3_bucket" "b" { bucket = "x" }\n',
                           "infra/terraform.tfstate": state_doc()}, "  state: infra/terraform.tfstate\n")
    bundle = load_bundle(root)
    assert {"infra/main.tf", "infra/terraform.tfstate"} <= set(bundle.files)


@pytest.mark.parametrize(("files", "extra", "message"), [
    ({"infra/README.md": "no config"}, "", "holds no .tf"),
    ({"infra/main.tf": "", f"infra/{OVERRIDE_NAME}": ""}, "", "override file"),
    ({"infra/main.tf": "", "infra/zzzzz_override.tf": ""}, "", "override file"),
    ({"infra/main.tf": "", "infra/s.tfstate": "{}"}, "  state: infra/s.tfstate\n", "version 4"),
    ({"infra/main.tf": ""}, "  command: plan\n", "is not allowed"),
])
def test_bad_terraform_bundles(tmp_path, files, extra, message):
    with pytest.raises(BundleError) as info:
        load_bundle(make(tmp_path, files, extra))
    assert message in str(info.value)
