"""Measure what shadow's proxy adds to each AWS call (for ``shadow bench`` and the docs).

The same small boto3 script runs once straight against the sandbox and once through
``run_isolated`` (proxy only, and in a namespace where possible); each reports the median
time of its calls, and the difference is the proxy's per-call overhead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.isolation import netns
from harness.isolation.run import run_isolated

SCRIPT = """
import json, statistics, sys, time, boto3
from botocore.config import Config
n = int(sys.argv[1])
config = Config(retries={"max_attempts": 1})
clients = {"sqs": boto3.client("sqs", config=config), "dynamodb": boto3.client("dynamodb", config=config),
           "sts": boto3.client("sts", config=config)}
calls = [lambda: clients["sqs"].list_queues(), lambda: clients["dynamodb"].list_tables(),
         lambda: clients["sts"].get_caller_identity()]
for call in calls:
    call()  # warm up: connections, moto's lazy imports
times = []
for i in range(n):
    started = time.perf_counter()
    calls[i % len(calls)]()
    times.append((time.perf_counter() - started) * 1000)
print(json.dumps({"median_ms": statistics.median(times), "mean_ms": statistics.fmean(times)}))
"""


def _direct(script: Path, endpoint: str, calls: int) -> dict[str, float]:
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": tempfile.gettempdir(),
           "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "AKIASHADOWBENCH00000",
           "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
    done = subprocess.run([sys.executable, str(script), str(calls)], env=env, capture_output=True, text=True,
                          check=True, timeout=600)
    return json.loads(done.stdout)


def measure_overhead(endpoint: str, calls: int = 300) -> dict[str, dict[str, float]]:
    """Median/mean ms per call: direct, through the proxy, and through the namespace relay."""
    with tempfile.TemporaryDirectory(prefix="shadow-bench-") as folder:
        script = Path(folder) / "calls.py"
        script.write_text(SCRIPT)
        results = {"direct": _direct(script, endpoint, calls)}
        modes = [("proxy", False)] + ([("netns", True)] if netns.available()[0] else [])
        for name, namespace in modes:
            run = run_isolated([sys.executable, str(script), str(calls)], sandbox_endpoint=endpoint,
                               cwd=Path(folder), timeout=600, namespace=namespace)
            if run.returncode != 0:
                raise RuntimeError(f"bench run failed ({name}): {run.stderr[-2000:]}")
            results[name] = json.loads(run.stdout)
    base = results["direct"]["median_ms"]
    for numbers in results.values():
        numbers["overhead_ms"] = round(numbers["median_ms"] - base, 3)
    return results


if __name__ == "__main__":
    from harness.sandbox.moto import MotoBackend

    with MotoBackend() as backend:
        print(json.dumps(measure_overhead(backend.endpoint, int(sys.argv[1]) if len(sys.argv) > 1 else 300),
                         indent=2))
