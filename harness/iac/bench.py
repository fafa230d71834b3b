"""Benchmark: a Terraform bundle of N resources, simulated, against a bare ``terraform apply``.

``terraform_bench`` returns one row per size: the whole simulation (seed, capture, isolated
init/plan/show/apply, capture, diff, judge) and a bare ``terraform apply`` of the same
configuration (after ``init``) against an already-running, already-seeded moto server,
and their ratio. The bench command calls it; it is not a test.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.aws import SANDBOX_ACCESS_KEY, SANDBOX_SECRET_KEY

BUNDLE = """\
apiVersion: shadow/v1
kind: ChangeBundle
metadata: {{name: bench-{n}, author: "agent:bench"}}
intent:
  summary: Create {n} buckets.
  effects: [{{action: create, resource: "s3:bucket/bench-*"}}]
change: {{kind: terraform, dir: infra, timeout: 3600}}
"""


def config(n: int) -> str:
    head = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'
    head += 'provider "aws" {\n  region = "us-east-1"\n}\n'
    return head + "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "bench-{n}-{i:03d}"\n}}\n'
                          for i in range(n))


def terraform_bench(sizes: tuple[int, ...] = (1, 10, 50)) -> list[dict[str, Any]]:
    from harness.bundles import load_bundle
    from harness.demo.estate import PROD_ACCOUNT
    from harness.iac.tfsetup import cli_config, find_mirror, find_terraform, override
    from harness.sandbox.moto import MotoBackend
    from harness.simulate import simulate

    terraform = find_terraform()
    rows = []
    with MotoBackend(account=PROD_ACCOUNT) as prod, tempfile.TemporaryDirectory(prefix="shadow-bench-") as tmp:
        from harness.collectors.capture import capture

        prod.target().client("s3").create_bucket(Bucket="bench-existing")
        snapshot = capture(prod.target(), regions=["us-east-1"], services=["s3"])
        cli = Path(tmp) / "cli.tfrc"
        cli.write_text(cli_config(find_mirror()))
        for n in sizes:
            root = Path(tmp) / f"b{n}"
            (root / "infra").mkdir(parents=True)
            (root / "infra" / "main.tf").write_text(config(n))
            (root / "bundle.yaml").write_text(BUNDLE.format(n=n))
            started = time.perf_counter()
            sim = simulate(load_bundle(root), snapshot)
            simulated = time.perf_counter() - started
            bare_dir = Path(tmp) / f"bare{n}"
            bare_dir.mkdir()
            (bare_dir / "main.tf").write_text(config(n).replace("bench-", "bare-"))
            text = override([], bare_dir / "terraform.tfstate").replace("__SHADOW_ENDPOINT__", prod.endpoint)
            (bare_dir / "zzzz_shadow_override.tf").write_text(
                "\n".join(line for line in text.splitlines() if "__SHADOW_" not in line) + "\n")
            env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli), "TF_IN_AUTOMATION": "1",
                   "AWS_ACCESS_KEY_ID": SANDBOX_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SANDBOX_SECRET_KEY}
            subprocess.run([terraform, "init", "-input=false"], cwd=bare_dir, env=env, check=True,
                           capture_output=True)
            began = time.perf_counter()
            subprocess.run([terraform, "apply", "-auto-approve", "-input=false"], cwd=bare_dir, env=env, check=True,
                           capture_output=True)
            bare = time.perf_counter() - began
            rows.append({"resources": n, "verdict": sim.verdict.outcome if sim.verdict else None,
                         "simulate_s": round(simulated, 1), "bare_apply_s": round(bare, 1),
                         "ratio": round(simulated / bare, 2),
                         "terraform_steps_s": {s["step"]: s["seconds"] for s in
                                               (sim.outcome.artifacts["terraform"]["steps"] if sim.outcome else [])}})
    return rows


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(terraform_bench(tuple(int(a) for a in sys.argv[1:]) or (1, 10, 50)), indent=1))
