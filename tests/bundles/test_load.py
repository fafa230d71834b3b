"""Bundle loading: strict validation, safe paths, limits, digest (BUNDLE.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.bundles import load_bundle
from harness.errors import BundleError

GOOD = """\
apiVersion: shadow/v1
kind: ChangeBundle
metadata:
  name: add-orders-dlq
  author: agent:deploy-bot
  description: Give the orders queue a dead-letter queue.
intent:
  summary: Create orders-dlq and set it as the DLQ of orders.
  effects:
    - action: create
      resource: sqs:queue/orders-dlq
    - action: update
      resource: sqs:queue/orders
      fields: [Attributes.RedrivePolicy]
change:
  kind: aws-calls
  calls:
    - service: sqs
      operation: CreateQueue
      params: {QueueName: orders-dlq}
"""

SCRIPT = """\
apiVersion: shadow/v1
kind: ChangeBundle
metadata: {name: tidy, author: "user:ana"}
intent: {summary: tidy up}
change:
  kind: script
  script: SCRIPT_PATH
"""


def write(tmp_path: Path, text: str, name: str = "bundle.yaml") -> Path:
    folder = tmp_path / "b"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder


def test_good_bundle_loads(tmp_path):
    bundle = load_bundle(write(tmp_path, GOOD))
    assert bundle.name == "add-orders-dlq"
    assert bundle.kind == "aws-calls"
    assert [e.action for e in bundle.intent.effects] == ["create", "update"]
    assert bundle.intent.effects[1].fields == ("Attributes.RedrivePolicy",)
    assert bundle.digest.startswith("sha256:")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("intent: [unclosed\n", "not valid YAML"),
        ("", "empty"),
        ("- just\n- a list\n", "expected a mapping"),
        (GOOD.replace("  effects:", "  effectz:"), "unknown field 'effectz' (did you mean 'effects'?)"),
        (GOOD.replace("kind: ChangeBundle", "kind: ChangeBundle\nkind: Other"), "duplicate key 'kind'"),
        (GOOD.replace("name: add-orders-dlq", "name: Add_Orders"), "has the wrong form"),
        (GOOD.replace("author: agent:deploy-bot", "author: deploy-bot"), "agent:NAME or user:NAME"),
        (GOOD.replace("      fields: [Attributes.RedrivePolicy]", "      fields: Attributes.RedrivePolicy"),
         "expected array"),
        (GOOD.replace("action: create", "action: destroy"), "'destroy' is not allowed"),
        (GOOD.replace("apiVersion: shadow/v1", "apiVersion: shadow/v2"), "is not allowed"),
        (GOOD.replace("  summary: Create orders-dlq and set it as the DLQ of orders.\n", ""), "'summary' is required"),
        (GOOD.replace("kind: aws-calls", "kind: ansible"), "unknown change kind 'ansible'"),
        (GOOD.replace("operation: CreateQueue", "operation: CreateQueu"), "did you mean 'CreateQueue'"),
        (GOOD.replace("service: sqs", "service: sqss"), "unknown service 'sqss'"),
        (GOOD.replace("{QueueName: orders-dlq}", "{QueueNam: orders-dlq}"), "invalid parameters"),
        (GOOD.replace("      fields: [Attributes.RedrivePolicy]",
                      "      fields: [Attributes.RedrivePolicy]\n      data: {deleted: lots}"), "count bound"),
    ],
)
def test_bad_bundles_are_refused_with_where_and_why(tmp_path, text, expected):
    with pytest.raises(BundleError) as info:
        load_bundle(write(tmp_path, text))
    message = str(info.value)
    assert expected in message
    assert "bundle.yaml" in message
    assert info.value.exit_code == 2


def test_unknown_field_names_line_and_path(tmp_path):
    with pytest.raises(BundleError) as info:
        load_bundle(write(tmp_path, GOOD.replace("  effects:", "  effectz:")))
    assert "bundle.yaml:9: intent.effectz" in str(info.value)


def _script_bundle(tmp_path: Path, script: str) -> Path:
    return write(tmp_path, SCRIPT.replace("SCRIPT_PATH", script))


@pytest.mark.parametrize("path", ["../evil.py", "/etc/passwd", "sub/../../evil.py"])
def test_paths_leaving_the_folder_are_refused(tmp_path, path):
    (tmp_path / "evil.py").write_text("print('x')\n")
    with pytest.raises(BundleError, match=r"absolute path|leaves the bundle folder"):
        load_bundle(_script_bundle(tmp_path, path))


def test_symlink_out_of_the_folder_is_refused(tmp_path):
    secret = tmp_path / "outside.py"
    secret.write_text("print('outside')\n")
    folder = _script_bundle(tmp_path, "change.py")
    os.symlink(secret, folder / "change.py")
    with pytest.raises(BundleError, match="symlink that leads out"):
        load_bundle(folder)


def test_symlinked_file_inside_a_carried_folder_is_refused(tmp_path):
    secret = tmp_path / "outside.txt"
    secret.write_text("x")
    folder = write(tmp_path, SCRIPT.replace("SCRIPT_PATH", "change.py") + "  files: [lib]\n")
    (folder / "change.py").write_text("print(1)\n")
    (folder / "lib").mkdir()
    os.symlink(secret, folder / "lib" / "data.txt")
    with pytest.raises(BundleError, match="symlink that leads out"):
        load_bundle(folder)


def test_huge_file_is_refused_without_reading_it(tmp_path):
    folder = _script_bundle(tmp_path, "change.py")
    with open(folder / "change.py", "wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB, costs no disk
    with pytest.raises(BundleError, match=r"above the .* byte limit"):
        load_bundle(folder)


def test_huge_bundle_file_is_refused(tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    with open(folder / "bundle.yaml", "wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    with pytest.raises(BundleError, match=r"above the .* byte limit"):
        load_bundle(folder)


def test_only_py_and_sh_scripts(tmp_path):
    folder = _script_bundle(tmp_path, "change.rb")
    (folder / "change.rb").write_text("puts 1\n")
    with pytest.raises(BundleError, match=r"only \.py and \.sh"):
        load_bundle(folder)


def test_digest_covers_every_carried_byte(tmp_path):
    folder = _script_bundle(tmp_path, "change.py")
    (folder / "change.py").write_text("print('a')\n")
    first = load_bundle(folder).digest
    (folder / "change.py").write_text("print('b')\n")
    second = load_bundle(folder).digest
    assert first != second
    (folder / "change.py").write_text("print('a')\n")
    assert load_bundle(folder).digest == first
    (folder / "bundle.yaml").write_text((folder / "bundle.yaml").read_text() + "\n# comment\n")
    assert load_bundle(folder).digest != first


def test_json_bundles_load(tmp_path):
    import json

    import yaml

    doc = yaml.safe_load(GOOD)
    folder = write(tmp_path, json.dumps(doc), name="bundle.json")
    assert load_bundle(folder).name == "add-orders-dlq"


def test_cli_validate_exit_codes(tmp_path):
    good = write(tmp_path, GOOD)
    ok = subprocess.run([sys.executable, "-m", "harness", "validate", str(good)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "digest sha256:" in ok.stdout
    (good / "bundle.yaml").write_text(GOOD.replace("  effects:", "  effectz:"))
    bad = subprocess.run([sys.executable, "-m", "harness", "validate", str(good)], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "effectz" in bad.stderr
