"""Where AWS calls go: one cached, thread-safe boto3 client factory per target.

A ``Target`` is either real AWS through the standard credential chain (production
capture, apply) or an endpoint URL with throwaway credentials (sandboxes, and
"production" in tests). Collectors and seeders only ever ask a Target for clients,
which is what lets the same collector read production and the sandbox.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config

SANDBOX_ACCESS_KEY = "AKIASHADOWSANDBOX000"
SANDBOX_SECRET_KEY = "shadow-sandbox-throwaway-secret"
DEFAULT_REGION = "us-east-1"


@functools.cache
def _shared_loader() -> botocore.loaders.Loader:
    """botocore's model loader, shared: it caches every parsed model (thread-safe reads)."""
    return botocore.loaders.create_loader()


@dataclass
class Target:
    """An AWS API target and the clients made for it."""

    endpoint_url: str | None = None
    profile: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    region: str = DEFAULT_REGION
    max_attempts: int = 3
    pool_size: int = 32
    kind: str = "aws"  # aws | moto | localstack | endpoint
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _session: Any = field(default=None, repr=False)

    @classmethod
    def sandbox(cls, endpoint_url: str, *, kind: str = "moto", account: str | None = None,
                region: str = DEFAULT_REGION) -> Target:
        """A target for an emulator: pinned endpoint and throwaway credentials.

        LocalStack derives the account from a 12-digit access key id, so the
        account id (when known) is used as the key to keep ARNs equal to production.
        """
        key = account if (kind == "localstack" and account) else SANDBOX_ACCESS_KEY
        return cls(endpoint_url=endpoint_url, access_key=key, secret_key=SANDBOX_SECRET_KEY,
                   region=region, max_attempts=2, kind=kind)

    def session(self) -> boto3.Session:
        with self._lock:
            if self._session is None:
                if self.access_key:
                    # explicit (throwaway) keys: the caller's AWS_PROFILE and config file must not
                    # leak in, nor break the sandbox when they name a profile that is not here
                    isolated = botocore.session.Session(session_vars={
                        "profile": (None, [], None, None),
                        "config_file": (None, [], os.devnull, None),
                        "credentials_file": (None, [], os.devnull, None),
                    })
                    self._session = boto3.Session(
                        botocore_session=isolated,
                        aws_access_key_id=self.access_key,
                        aws_secret_access_key=self.secret_key,
                        region_name=self.region,
                    )
                else:
                    self._session = boto3.Session(profile_name=self.profile, region_name=self.region)
                # one parsed copy of the service models for every Target of this process: a new
                # session would parse them again (0.2 s of CPU for EC2's alone), per sandbox
                self._session._session.register_component("data_loader", _shared_loader())
            return self._session

    def client(self, service: str, region: str | None = None) -> Any:
        """A cached client for ``service`` in ``region`` (boto3 clients are thread-safe)."""
        region = region or self.region
        key = (service, region)
        client = self._clients.get(key)
        if client is not None:
            return client
        session = self.session()
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                config = Config(
                    retries={"mode": "standard", "max_attempts": self.max_attempts},
                    max_pool_connections=self.pool_size,
                    connect_timeout=10,
                    read_timeout=120,
                    s3={"addressing_style": "path"} if self.endpoint_url else None,
                )
                client = session.client(
                    service, region_name=region, endpoint_url=self.endpoint_url, config=config
                )
                self._clients[key] = client
        return client

    def close(self) -> None:
        """Close every client's connections (a sandbox process closes its own before forking)."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def account_id(self) -> str:
        """The account these credentials act in (STS GetCallerIdentity)."""
        return self.client("sts").get_caller_identity()["Account"]
