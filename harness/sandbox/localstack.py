"""The ``localstack`` backend: LocalStack as the sandbox, three ways to get one.

- ``docker``: start the pinned image from ``compose/localstack.yml``'s settings through the
  Docker SDK on a free loopback port (``LOCALSTACK_AUTH_TOKEN`` is passed through when set;
  recent images need one), and remove the container on stop.
- ``process``: no Docker: run ``python -m localstack.runtime.main`` from a virtual
  environment that holds ``localstack-core[runtime]`` (Python >= 3.12; ``.ci/run`` builds
  one) with ``GATEWAY_LISTEN=127.0.0.1:PORT`` and a private volume folder. Offline it
  serves S3, SQS, SNS, IAM, EC2, KMS, Secrets Manager and CloudFormation (not DynamoDB,
  which downloads Java, nor RDS, which needs a licence).
- ``endpoint``: a LocalStack already running at ``endpoint_url``, or at ``LOCALSTACK_HOST``
  (the localstack-client convention); shadow neither starts nor stops it.

``auto`` (the default) takes the first that is available, in the order endpoint (when
given), docker, process, and says in one line why none is. Every mode waits for
``/_localstack/health`` and resets state through ``/_localstack/state/reset``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.aws import SANDBOX_ACCESS_KEY, SANDBOX_SECRET_KEY, Target
from harness.errors import EndpointUnreachable, SandboxFailure, ToolMissing
from harness.sandbox.base import Backend
from harness.sandbox.guard import check_endpoint
from harness.sandbox.http import http_get, http_ok

IMAGE = "localstack/localstack:2026.3.0"  # the same release as the pinned localstack-core
SERVICES = "s3,sqs,sns,iam,sts,ec2,kms,secretsmanager,cloudformation"
START_TIMEOUT_S = 90.0
DEFAULT_VENV = Path.home() / ".cache" / "shadow" / "localstack-venv"
MODES = ("auto", "endpoint", "docker", "process")


def venv_python() -> Path | None:
    """The Python of a virtual environment with localstack-core (SHADOW_LOCALSTACK_VENV or the default)."""
    root = Path(os.environ.get("SHADOW_LOCALSTACK_VENV") or DEFAULT_VENV)
    python = root / "bin" / "python"
    if python.is_file() and any(root.glob("lib/python3.*/site-packages/localstack/runtime/main.py")):
        return python
    return None


def docker_client() -> tuple[Any | None, str]:
    """(client, "") when a Docker engine answers, else (None, why not)."""
    try:
        import docker
    except ImportError:
        return None, "the docker Python package is not installed"
    try:
        client = docker.from_env(timeout=5)
        client.ping()
        return client, ""
    except Exception as exc:  # the SDK raises several kinds; all mean "no engine here"
        return None, f"no Docker engine is reachable ({str(exc).splitlines()[0][:120]})"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalStackBackend(Backend):
    name = "localstack"
    kind = "localstack"

    def __init__(self, *, mode: str = "auto", endpoint_url: str | None = None, allow_remote: bool = False,
                 image: str = IMAGE, **kw: Any):
        super().__init__(**kw)
        if mode not in MODES:
            raise SandboxFailure(f"unknown LocalStack mode {mode!r}", hint=f"Use one of: {', '.join(MODES)}")
        if endpoint_url is None and mode in ("auto", "endpoint") and os.environ.get("LOCALSTACK_HOST"):
            # localstack-client reads LOCALSTACK_HOST ("host[:port]") and USE_SSL the way
            # LocalStack's own tools do
            from localstack_client.config import get_service_endpoint

            endpoint_url = get_service_endpoint("s3")
        self.mode = mode
        self.image = image
        self._url = check_endpoint(endpoint_url, allow_remote=allow_remote) if endpoint_url else None
        self._container: Any = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.ready_s: float | None = None
        self._fresh = False

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._container is not None or self._proc is not None:
            return
        started = time.perf_counter()
        mode = self._choose()
        self.mode = mode
        if mode == "docker":
            self._start_docker()
        elif mode == "process":
            self._start_process()
        self._wait_healthy()
        self._fresh = mode != "endpoint"
        self.ready_s = time.perf_counter() - started

    def _choose(self) -> str:
        if self.mode == "endpoint" or (self.mode == "auto" and self._url):
            if not self._url:
                raise EndpointUnreachable("the localstack endpoint mode needs --endpoint-url or LOCALSTACK_HOST")
            return "endpoint"
        if self.mode == "docker":
            return "docker"
        if self.mode == "process":
            return "process"
        client, why_not = docker_client()
        if client is not None:
            return "docker"
        if venv_python() is not None:
            return "process"
        raise ToolMissing(f"LocalStack is not available: {why_not}, and no localstack-core virtual environment "
                          f"exists at {os.environ.get('SHADOW_LOCALSTACK_VENV') or DEFAULT_VENV}",
                          hint="Start Docker, build the venv as .ci/run does, or give --endpoint-url")

    def _start_docker(self) -> None:
        client, why_not = docker_client()
        if client is None:
            raise ToolMissing(f"LocalStack in Docker: {why_not}",
                              hint="Start Docker, or use the process mode or a running LocalStack")
        port = free_port()
        env = {"SERVICES": SERVICES, "LOCALSTACK_TELEMETRY": "0", "SKIP_SSL_CERT_DOWNLOAD": "1"}
        if os.environ.get("LOCALSTACK_AUTH_TOKEN"):
            env["LOCALSTACK_AUTH_TOKEN"] = os.environ["LOCALSTACK_AUTH_TOKEN"]
        try:
            self._container = client.containers.run(self.image, detach=True, remove=True, environment=env,
                                                    ports={"4566/tcp": ("127.0.0.1", port)},
                                                    labels={"shadow.sandbox": "localstack"})
        except Exception as exc:
            raise SandboxFailure(f"cannot start {self.image}: {str(exc).splitlines()[0][:200]}",
                                 hint="Pull the image first, or check LOCALSTACK_AUTH_TOKEN") from None
        self._url = f"http://127.0.0.1:{port}"

    def _start_process(self) -> None:
        python = venv_python()
        if python is None:
            raise ToolMissing("no virtual environment with localstack-core for the process mode",
                              where=str(os.environ.get("SHADOW_LOCALSTACK_VENV") or DEFAULT_VENV),
                              hint="Build it as .ci/run does (Python >= 3.12, localstack-core[runtime])")
        port = free_port()
        self._tmp = tempfile.TemporaryDirectory(prefix="shadow-localstack-")
        root = Path(self._tmp.name)
        env = {
            "PATH": os.environ.get("PATH", os.defpath), "HOME": str(root), "LANG": "C.UTF-8",
            "GATEWAY_LISTEN": f"127.0.0.1:{port}", "LOCALSTACK_VOLUME_DIR": str(root / "volume"),
            "FILESYSTEM_ROOT": str(root / "fs"), "SKIP_SSL_CERT_DOWNLOAD": "1", "LOCALSTACK_TELEMETRY": "0",
            "DISABLE_EVENTS": "1", "SERVICES": SERVICES, "TMPDIR": str(root),
        }
        if os.environ.get("LOCALSTACK_AUTH_TOKEN"):
            env["LOCALSTACK_AUTH_TOKEN"] = os.environ["LOCALSTACK_AUTH_TOKEN"]
        log = open(root / "localstack.log", "wb")  # noqa: SIM115 - closed in stop()
        self._log = log
        self._proc = subprocess.Popen([str(python), "-m", "localstack.runtime.main"], env=env, cwd=root,
                                      stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        self._url = f"http://127.0.0.1:{port}"

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise SandboxFailure(f"LocalStack exited with {self._proc.returncode} while starting",
                                     hint=f"See {Path(self._tmp.name) / 'localstack.log' if self._tmp else 'its log'}")
            if self._url and http_ok(f"{self._url}/_localstack/health"):
                return
            time.sleep(0.2)
        self.stop()
        raise SandboxFailure(f"LocalStack did not become healthy within {START_TIMEOUT_S:.0f} s")

    @property
    def endpoint(self) -> str:
        if not self._url:
            raise SandboxFailure("the LocalStack sandbox is not running")
        return self._url

    def target(self) -> Target:
        """Seeding and capture act in the account the isolated change acts in: LocalStack derives
        the account from the access key, and the isolation gives every change shadow's throwaway
        key, so the seeder and collectors use that key too (one account for before, change, after)."""
        return Target(endpoint_url=self.endpoint, access_key=SANDBOX_ACCESS_KEY, secret_key=SANDBOX_SECRET_KEY,
                      region=self.region, max_attempts=2, kind=self.kind)

    def health(self) -> bool:
        return bool(self._url) and http_ok(f"{self._url}/_localstack/health")

    def services(self) -> dict[str, str]:
        """Service -> state as LocalStack reports it (available, running, disabled, ...)."""
        import json

        doc = json.loads(http_get(f"{self.endpoint}/_localstack/health"))
        return dict(doc.get("services") or {})

    def reset(self) -> None:
        """A clean account: a LocalStack shadow started is clean until first used, else restarted;
        a running one is reset through its state API (a Pro feature), or refused."""
        if self._fresh:
            self._fresh = False
            return
        if self.mode in ("docker", "process"):
            self.stop()
            self.start()
            self._fresh = False
            return
        if not http_ok(f"{self.endpoint}/_localstack/state/reset", method="POST", timeout=30):
            raise SandboxFailure(f"cannot reset the LocalStack at {self.endpoint} (its state reset API did not "
                                 "answer)", hint="Restart it yourself, or let shadow start one (docker or process)")

    def stop(self) -> None:
        container, proc = self._container, self._proc
        self._container = self._proc = None
        if container is not None:
            with contextlib.suppress(Exception):
                container.stop(timeout=5)
            self._url = None
        if proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            self._log.close()
            self._url = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp.name, ignore_errors=True)
            self._tmp = None


def docker_available() -> bool:
    return docker_client()[0] is not None
