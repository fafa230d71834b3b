"""The ``endpoint`` backend: an AWS-compatible emulator the user already runs.

shadow does not start or stop it. It checks the URL is safe (never real AWS, loopback
unless allowed), that something answers, and resets it through the emulator's own
reset API where it has one (moto, LocalStack); otherwise a reset is refused, since a
simulation on leftover state would not be faithful.
"""

from __future__ import annotations

from typing import Any

from harness.errors import EndpointUnreachable, SandboxFailure
from harness.sandbox.base import Backend
from harness.sandbox.guard import check_endpoint
from harness.sandbox.http import http_ok


class EndpointBackend(Backend):
    name = "endpoint"
    kind = "endpoint"

    def __init__(self, *, endpoint_url: str | None = None, allow_remote: bool = False, **kw: Any):
        super().__init__(**kw)
        if not endpoint_url:
            raise EndpointUnreachable("the endpoint backend needs --endpoint-url",
                                      hint="Give the URL of a running emulator")
        self._url = check_endpoint(endpoint_url, allow_remote=allow_remote)
        self.flavour = "unknown"

    def start(self) -> None:
        if http_ok(f"{self._url}/moto-api/"):
            self.flavour = self.kind = "moto"
        elif http_ok(f"{self._url}/_localstack/health"):
            self.flavour = self.kind = "localstack"
        elif not http_ok(self._url) and not _answers(self._url):
            raise EndpointUnreachable(f"nothing answers at {self._url}",
                                      where="--endpoint-url", hint="Start the emulator first")

    @property
    def endpoint(self) -> str:
        return self._url

    def health(self) -> bool:
        return _answers(self._url)

    def reset(self) -> None:
        if self.flavour == "moto" and http_ok(f"{self._url}/moto-api/reset", method="POST"):
            return
        if self.flavour == "localstack" and http_ok(f"{self._url}/_localstack/state/reset", method="POST"):
            return
        raise SandboxFailure(f"cannot reset the emulator at {self._url}",
                             hint="Reset it yourself, or use the moto backend")

    def stop(self) -> None:
        """Nothing to stop: the user owns this emulator."""


def _answers(url: str) -> bool:
    import urllib.error
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        opener.open(url, timeout=2)
        return True
    except urllib.error.HTTPError:
        return True  # an HTTP error status still means something answers
    except (urllib.error.URLError, OSError, ValueError):
        return False
