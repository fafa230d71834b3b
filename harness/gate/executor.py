"""The production executor: runs a runner's command against production for ``shadow apply``.

The simulation runs commands through ``harness.isolation.run_isolated`` (sandbox
endpoint, throwaway credentials, egress blocked). Apply runs the same runner with this
executor instead: the command gets production's credentials (an emulator endpoint
with its keys, or an AWS profile, or the caller's standard chain) and nothing of the
sandbox. It returns the same ``Execution`` record; calls are not traced here, the
effect is measured by capturing production before and after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness
from harness.aws import Target

PASS_THROUGH = ("PATH", "LANG", "LC_ALL", "TZ", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "AWS_CA_BUNDLE")
CHAIN = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE",
         "AWS_SHARED_CREDENTIALS_FILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
         "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
         "AWS_CONTAINER_AUTHORIZATION_TOKEN")


def production_env(target: Target, region: str, extra: dict[str, str], home: str) -> dict[str, str]:
    """The environment a change sees in production: exactly the target's credentials, nothing else."""
    env = {k: os.environ[k] for k in PASS_THROUGH if k in os.environ}
    env.update(extra)
    env.update({"HOME": home, "AWS_REGION": region, "AWS_DEFAULT_REGION": region, "AWS_MAX_ATTEMPTS": "1",
                "PYTHONDONTWRITEBYTECODE": "1"})
    if target.endpoint_url:
        env.update({"AWS_ENDPOINT_URL": target.endpoint_url, "AWS_ACCESS_KEY_ID": target.access_key or "",
                    "AWS_SECRET_ACCESS_KEY": target.secret_key or "",
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    elif target.profile:
        env.update({k: os.environ[k] for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE") if k in os.environ})
        env["AWS_PROFILE"] = target.profile
        if "AWS_CONFIG_FILE" not in env:
            env["AWS_CONFIG_FILE"] = str(Path.home() / ".aws" / "config")
            env["AWS_SHARED_CREDENTIALS_FILE"] = str(Path.home() / ".aws" / "credentials")
    else:
        env.update({k: os.environ[k] for k in CHAIN if k in os.environ})
    # runners start ``python -m harness...`` children: make this shadow importable from any folder
    paths = [str(Path(harness.__file__).resolve().parent.parent)]
    paths += [str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def production_executor(target: Target) -> Callable[..., Any]:
    """An executor for ``RunContext``: same signature as ``run_isolated``, aimed at ``target``."""

    def execute(argv: list[str], *, sandbox_endpoint: str, cwd: Path, timeout: float, region: str,
                env: dict[str, str]) -> Any:
        from harness.isolation import Execution

        del sandbox_endpoint  # apply never talks to a sandbox
        with tempfile.TemporaryDirectory(prefix="shadow-apply-home-") as home:
            started = time.perf_counter()
            proc = subprocess.Popen(argv, cwd=cwd, env=production_env(target, region, env, home),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    start_new_session=True)
            timed_out = False
            try:
                stdout, stderr = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                stdout, stderr = proc.communicate()
            return Execution(returncode=None if timed_out else proc.returncode, stdout=stdout, stderr=stderr,
                             timed_out=timed_out, duration_s=time.perf_counter() - started, calls=[], egress=[],
                             isolation="production",
                             notes=["ran against production; calls are not traced, the effect is measured by "
                                    "capturing production before and after"])

    return execute
