"""boto3 clients answered by moto in this very process: the HTTP layer left out, nothing else.

Inside the moto sandbox process (and only there), seeding and the template's capture
would otherwise pay for an HTTP round trip per AWS call: sockets, the server's thread
per connection, HTTP parsing on both sides. A botocore ``before-send`` handler instead
turns the signed request into the WSGI environ werkzeug's server would have built and
calls the very application ``ThreadedMotoServer`` serves (moto's
``DomainDispatcherApplication``), so routing, parsing and answers are the server's own;
only the socket is skipped. Unlike moto's decorator mode (``mock_aws``), the request
takes the server-mode code path, which is what the sandbox serves to the change.

Measured (1,000 resources over seven services + 10,000 items, 2 cores): seeding over
HTTP 45 s, in process 27 s (17 s with ``harness.sandbox.motopatch``); reading it back
over HTTP 50 s, in process 35 s. The in-process reading of a state equals the HTTP
reading field for field (tested on the sample estate). What is left is moto's own work
(request parsing, models, response serialization) and boto3's on the client side,
both in one process, so a thread pool does not help: seeding runs one service level
at a time with a bounded pool as before, for the HTTP path's sake. Requests are answered
one at a time (a lock): moto's models are not safe against concurrent requests in one
process (seen: "dictionary changed size during iteration" seeding 1,000 resources on 8
threads), and with no socket to wait on, concurrency would buy nothing.

Fail closed: the handler never returns ``None`` (which would let botocore send the
request over the network); a dispatch error becomes a 500 answer, which botocore and
the seeders and collectors treat as any other failed call. The endpoint is a loopback
port nothing listens on, so even a bug here cannot reach anything.
"""

from __future__ import annotations

import io
import sys
import threading
import traceback
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.awsrequest import AWSResponse

from harness.aws import Target

# Port 9 (discard) on loopback: never served by shadow, so a request that escaped the
# handler would fail to connect instead of reaching anything.
INPROCESS_ENDPOINT = "http://127.0.0.1:9"


class _Body(io.BytesIO):
    """A response body botocore can ``read()`` or ``stream()`` (like urllib3's)."""

    def stream(self, amt: int = 65536, **_: Any) -> Any:
        while chunk := self.read(amt):
            yield chunk


def _latin1(text: str) -> str:
    """PEP 3333: environ strings carry the UTF-8 bytes as latin-1 (werkzeug's "encoding dance")."""
    return text.encode("utf-8").decode("latin-1")


def environ_for(request: Any) -> dict[str, Any]:
    """The WSGI environ werkzeug's development server builds for this request."""
    url = urlsplit(request.url)
    raw = url.path + (f"?{url.query}" if url.query else "")
    body = request.body
    if body is None:
        data = b""
    elif isinstance(body, bytes | bytearray):
        data = bytes(body)
    elif isinstance(body, str):
        data = body.encode("utf-8")
    else:  # a file-like body (S3 uploads)
        data = body.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
    host = url.hostname or "127.0.0.1"
    environ: dict[str, Any] = {
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url.scheme or "http",
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "SERVER_SOFTWARE": "shadow-inprocess",
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": _latin1(unquote(url.path or "/")),
        "QUERY_STRING": _latin1(url.query),
        "REQUEST_URI": _latin1(raw),
        "RAW_URI": _latin1(raw),
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": 0,
        "SERVER_NAME": host,
        "SERVER_PORT": str(url.port or 80),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": url.netloc,
        "CONTENT_LENGTH": str(len(data)),
    }
    for key, value in request.headers.items():
        text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
        if "_" in key:
            continue
        name = key.upper().replace("-", "_")
        if name not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = f"HTTP_{name}"
        environ[name] = text.replace("\r\n", "")
    environ["CONTENT_LENGTH"] = str(len(data))
    return environ


class InProcessDispatch:
    """A botocore ``before-send`` handler answering every request from moto's WSGI app."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.app = DomainDispatcherApplication(create_backend_app)
        self.lock = threading.Lock()

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        reply: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            reply["status"], reply["headers"] = int(status.split(" ", 1)[0]), headers

        try:
            with self.lock:
                chunks = self.app(environ_for(request), start_response)
                try:
                    body = b"".join(chunks)
                finally:
                    close = getattr(chunks, "close", None)
                    if close is not None:
                        close()
        except Exception:  # moto crashed on the request: the server would answer 500 too
            reply = {"status": 500, "headers": [("Content-Type", "text/plain")]}
            body = traceback.format_exc(limit=4).encode()
        if "status" not in reply:
            reply = {"status": 500, "headers": []}
            body = b"moto gave no status"
        headers = {k: v for k, v in reply["headers"]}
        if request.method == "HEAD":
            body = b""
        return AWSResponse(request.url, reply["status"], headers, _Body(body))


def inprocess_target(*, account: str | None, region: str) -> Target:
    """A Target whose clients are answered by moto in this process (moto sandbox child only)."""
    target = Target.sandbox(INPROCESS_ENDPOINT, kind="moto", account=account, region=region)
    dispatch = InProcessDispatch()
    target.session()._session.register("before-send", dispatch)
    return target
