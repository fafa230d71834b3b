"""shadow's egress proxy: every AWS API request goes to the sandbox; everything else is refused.

The child's HTTP(S)_PROXY and AWS_ENDPOINT_URL both point here. Three ways in:

- origin-form requests (the client took AWS_ENDPOINT_URL literally): forwarded to the sandbox;
- ``CONNECT host:port``: for an AWS host name, TLS is terminated with a certificate from the
  run's throwaway CA and each request inside is forwarded (``hardwired``); any other host is
  refused and recorded as egress;
- absolute-form plain HTTP (``GET http://host/...``): AWS hosts and the pinned endpoint are
  forwarded, any other host refused and recorded.

One thread per client connection, HTTP/1.1 keep-alive on both sides (one upstream connection
per client connection), h11 for the client side and http.client for the sandbox side. Raw
requests are recorded; naming their operations (trace.py) waits until the run is over, so it
costs nothing on the request path.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import itertools
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import h11

from harness.isolation import trace
from harness.isolation.ca import ThrowawayCA
from harness.isolation.models import Call, Egress
from harness.sandbox.guard import is_aws_host

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "proxy-authorization",
                        "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade", "expect",
                        "content-length"})
EMULATOR_CONTROL = ("/moto-api", "/_localstack", "/_aws/", "/_extension")
KEEP_BODY_LIMIT = 1024 * 1024  # request bodies kept for params (JSON / form only)
BUFFER_LIMIT = 4 * 1024 * 1024  # responses up to this size go to the client in one write
UPSTREAM_TIMEOUT = 300.0


@dataclass
class RawCall:
    """A forwarded request and what the sandbox answered, before identification."""

    seq: int
    request: trace.Request
    authority: str
    hardwired: bool
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""  # error responses only
    duration_ms: float = 0.0


class _Upstream:
    """One keep-alive connection to the sandbox (reopened when the sandbox closed it)."""

    def __init__(self, base: str, on_open: Callable[[], None] = lambda: None):
        parts = urlsplit(base)
        self.on_open = on_open
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.conn: http.client.HTTPConnection | None = None
        self.used = False

    def _open(self) -> http.client.HTTPConnection:
        self.on_open()
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port, timeout=UPSTREAM_TIMEOUT)
        return http.client.HTTPConnection(self.host, self.port, timeout=UPSTREAM_TIMEOUT)

    def send(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
             ) -> http.client.HTTPResponse:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn, self.used = self._open(), False
            reused = self.used
            try:
                self.conn.putrequest(method, self.prefix + target, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    self.conn.putheader(name, value)
                self.conn.endheaders(body or None)
                response = self.conn.getresponse()
                self.used = True
                return response
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if not reused or attempt == 2:
                    raise  # only a stale kept-alive connection earns a retry
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class _Closed(Exception):
    """The client went away mid-request."""


class Proxy:
    """The egress proxy of one run: start, hand its address to the child, stop, read the trace."""

    def __init__(self, sandbox: str, ca: ThrowawayCA, *, tcp: bool = True, unix_path: Path | None = None):
        self.sandbox = sandbox.rstrip("/")
        self.ca = ca
        self.pinned: set[str] = set()  # authorities (host:port) that mean "the pinned endpoint"
        self.egress: list[Egress] = []
        self.notes: list[str] = []
        self._raw: list[RawCall] = []
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self._listeners: list[socket.socket] = []
        self._clients: set[socket.socket] = set()
        self._stopping = False
        self.port: int | None = None
        self.accepted = 0  # client connections (keep-alive makes this small)
        self.upstream_opened = 0  # connections opened to the sandbox
        self.unix_path = unix_path
        if tcp:
            server = socket.create_server(("127.0.0.1", 0))
            self.port = server.getsockname()[1]
            self.pin(f"127.0.0.1:{self.port}")
            self.pin(f"localhost:{self.port}")
            self._listeners.append(server)
        if unix_path is not None:
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(str(unix_path))
            server.listen(128)
            self._listeners.append(server)

    def pin(self, authority: str) -> None:
        """Treat absolute-form requests to ``authority`` as addressed to the pinned endpoint."""
        self.pinned.add(authority.lower())

    def start(self) -> Proxy:
        for listener in self._listeners:
            threading.Thread(target=self._accept, args=(listener,), daemon=True, name="shadow-proxy").start()
        return self

    def stop(self) -> None:
        self._stopping = True
        for listener in self._listeners:
            with contextlib.suppress(OSError):
                listener.close()
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
        if self.unix_path is not None:
            with contextlib.suppress(OSError):
                self.unix_path.unlink()

    def __enter__(self) -> Proxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- the trace -------------------------------------------------------------------------

    def calls(self, default_region: str) -> list[Call]:
        """Every forwarded request, identified, in arrival order."""
        with self._lock:
            raw = sorted(self._raw, key=lambda r: r.seq)
        return [_to_call(r, default_region) for r in raw]

    def _record_egress(self, destination: str, how: str, detail: str) -> None:
        with self._lock:
            self.egress.append(Egress(destination=destination, how=how, detail=detail))

    def _note(self, text: str) -> None:
        with self._lock:
            if text not in self.notes:
                self.notes.append(text)

    # ---- connections -----------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopping:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if client.family != socket.AF_UNIX:
                client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._clients.add(client)
                self.accepted += 1
            threading.Thread(target=self._connection, args=(client,), daemon=True,
                             name="shadow-proxy-conn").start()

    def _connection(self, client: socket.socket) -> None:
        try:
            self._serve(client, tunnel=None)
        finally:
            with self._lock:
                self._clients.discard(client)
            with contextlib.suppress(OSError):
                client.close()

    def _serve(self, sock: socket.socket, tunnel: str | None) -> None:
        """Serve HTTP/1.1 requests on ``sock``; ``tunnel`` is the AWS host of a CONNECT tunnel."""
        conn = h11.Connection(h11.SERVER)
        upstream = _Upstream(self.sandbox, on_open=self._count_upstream)
        try:
            while True:
                event = _next_event(conn, sock)
                if not isinstance(event, h11.Request):
                    return  # ConnectionClosed, or a state we do not continue from
                body = _read_body(conn, sock)
                if event.method == b"CONNECT" and tunnel is None:
                    self._connect(conn, sock, event)
                    return
                self._handle(conn, sock, event, body, tunnel, upstream)
                if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                    return
                conn.start_next_cycle()
        except h11.RemoteProtocolError as error:
            if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                with contextlib.suppress(OSError, h11.LocalProtocolError):
                    _reply(conn, sock, 400, "ShadowBadRequest", f"shadow proxy: bad request: {error}")
        except (_Closed, OSError):
            pass
        finally:
            upstream.close()

    def _connect(self, conn: h11.Connection, sock: socket.socket, event: h11.Request) -> None:
        authority = event.target.decode("latin-1")
        host, _, port = authority.rpartition(":")
        host = host.strip("[]").lower() or authority.lower()
        if not is_aws_host(host):
            self._record_egress(authority, "proxy-connect", "CONNECT to a host that is not AWS: refused")
            _reply(conn, sock, 403, "ShadowEgressRefused", f"shadow: egress to {authority} refused")
            return
        sock.sendall(conn.send(h11.Response(status_code=200, headers=[], reason=b"Connection established")))
        if conn.trailing_data[0]:
            self._note(f"CONNECT {authority}: client sent data before the tunnel was up; closed")
            return
        try:
            tls = self.ca.context_for(host).wrap_socket(sock, server_side=True)
        except (ssl.SSLError, OSError) as error:
            self._note(f"TLS handshake for {host} failed ({error}); a client that does not trust "
                       "AWS_CA_BUNDLE/SSL_CERT_FILE cannot reach the sandbox this way")
            return
        label = host if port in ("", "443") else f"{host}:{port}"
        self._serve(tls, tunnel=label)

    def _handle(self, conn: h11.Connection, sock: socket.socket, event: h11.Request, body: bytes,
                tunnel: str | None, upstream: _Upstream) -> None:
        started = time.perf_counter()
        method = event.method.decode("ascii")
        target = event.target.decode("latin-1")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers]
        host_header = next((v for k, v in headers if k == "host"), "")
        if tunnel is not None:
            authority, hardwired = tunnel, True
        elif target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            authority = parts.netloc.lower()
            hostname = (parts.hostname or "").lower()
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            if authority in self.pinned:
                hardwired = False
            elif is_aws_host(hostname):
                hardwired = True
            else:
                self._record_egress(authority, "proxy-http", f"{method} {event.target.decode('latin-1')[:200]}")
                _reply(conn, sock, 403, "ShadowEgressRefused", f"shadow: egress to {authority} refused",
                       json_body=_wants_json(headers))
                return
        else:
            authority = host_header.lower()
            hardwired = is_aws_host(authority.rsplit(":", 1)[0])
        path, _, query = target.partition("?")
        if path.startswith(EMULATOR_CONTROL):
            self._record_egress(f"{authority}{path}", "emulator-control",
                                "the change may not drive the emulator's own API: refused")
            _reply(conn, sock, 403, "ShadowEgressRefused", "shadow: the emulator's control API is not part of AWS",
                   json_body=_wants_json(headers))
            return
        lowered = {k: v for k, v in headers}
        keep = ("x-amz-target" in lowered or any(t in lowered.get("content-type", "")
                                                  for t in ("json", "x-www-form-urlencoded")))
        request = trace.Request(method=method, host=urlsplit(f"//{authority}").hostname or authority,
                                path=path, query=query, headers=lowered,
                                body=body if keep and len(body) <= KEEP_BODY_LIMIT else b"")
        raw = RawCall(seq=next(self._seq), request=request, authority=authority, hardwired=hardwired)
        self._store(raw)  # before any answer: a client that got its answer finds its call recorded
        forward = [(k, v) for k, v in headers if k not in HOP_BY_HOP]
        if body or method in ("POST", "PUT", "PATCH"):
            forward.append(("content-length", str(len(body))))
        try:
            response = upstream.send(method, target, forward, body)
        except (OSError, http.client.HTTPException) as error:
            upstream.close()
            raw.status, raw.response_headers = 502, {"x-amzn-errortype": "ShadowSandboxUnreachable"}
            raw.duration_ms = (time.perf_counter() - started) * 1000
            _reply(conn, sock, 502, "ShadowSandboxUnreachable", f"shadow: the sandbox did not answer: {error}",
                   json_body=_wants_json(headers))
            return
        self._relay_response(conn, sock, method, response, raw, started)

    def _count_upstream(self) -> None:
        with self._lock:
            self.upstream_opened += 1

    def _store(self, raw: RawCall) -> None:
        with self._lock:
            self._raw.append(raw)

    def _relay_response(self, conn: h11.Connection, sock: socket.socket, method: str,
                        response: http.client.HTTPResponse, raw: RawCall, started: float) -> None:
        raw.status = response.status
        upstream_headers = response.getheaders()
        raw.response_headers = {k.lower(): v for k, v in upstream_headers}
        out = [(k, v) for k, v in upstream_headers if k.lower() not in HOP_BY_HOP]
        length = response.getheader("content-length")
        no_body = method == "HEAD" or response.status in (204, 304)
        if no_body or response.status >= 300 or (length is not None and int(length) <= BUFFER_LIMIT):
            data = response.read()
            if response.status >= 300:
                raw.response_body = data[:trace.PARSE_LIMIT]
            if no_body:
                out += [("content-length", length)] if length is not None else []
            else:
                out.append(("content-length", str(len(data))))
            head = conn.send(h11.Response(status_code=response.status, headers=out,
                                          reason=response.reason.encode("latin-1")))
            tail = conn.send(h11.Data(data=data)) if data and not no_body else b""
            raw.duration_ms = (time.perf_counter() - started) * 1000
            sock.sendall(head + tail + conn.send(h11.EndOfMessage()))
            return
        if length is not None:
            out.append(("content-length", length))
        sock.sendall(conn.send(h11.Response(status_code=response.status, headers=out,
                                            reason=response.reason.encode("latin-1"))))
        while chunk := response.read(65536):
            sock.sendall(conn.send(h11.Data(data=chunk)))
        raw.duration_ms = (time.perf_counter() - started) * 1000
        sock.sendall(conn.send(h11.EndOfMessage()))


def _next_event(conn: h11.Connection, sock: socket.socket) -> object:
    while True:
        event = conn.next_event()
        if event is not h11.NEED_DATA:
            return event
        conn.receive_data(sock.recv(65536))


def _read_body(conn: h11.Connection, sock: socket.socket) -> bytes:
    if conn.they_are_waiting_for_100_continue:
        sock.sendall(conn.send(h11.InformationalResponse(status_code=100, headers=[])))
    chunks: list[bytes] = []
    while True:
        event = _next_event(conn, sock)
        if isinstance(event, h11.Data):
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            return b"".join(chunks)
        else:
            raise _Closed()


def _wants_json(headers: list[tuple[str, str]]) -> bool:
    return any(k == "x-amz-target" or (k == "content-type" and "json" in v) for k, v in headers)


def _reply(conn: h11.Connection, sock: socket.socket, status: int, code: str, message: str, *,
           json_body: bool = False) -> None:
    """An answer from shadow itself (refusal, sandbox down), shaped like an AWS error so that
    SDKs report ``code``; the connection closes after it."""
    if json_body:
        data, kind = json.dumps({"__type": code, "message": message}).encode(), "application/x-amz-json-1.0"
    else:
        text = html.escape(message)
        data = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse><Error><Type>Sender</Type>"
                f"<Code>{code}</Code><Message>{text}</Message></Error></ErrorResponse>\n").encode()
        kind = "text/xml"
    headers = [("content-type", kind), ("content-length", str(len(data))), ("connection", "close"),
               ("x-amzn-errortype", code), ("x-shadow-refused", "1")]
    sock.sendall(conn.send(h11.Response(status_code=status, headers=headers))
                 + conn.send(h11.Data(data=data)) + conn.send(h11.EndOfMessage()))


def _to_call(raw: RawCall, default_region: str) -> Call:
    found = trace.identify(raw.request)
    code = trace.error_code(raw.status, raw.response_headers, raw.response_body)
    return Call(
        service=found.service, operation=found.operation, region=found.region or default_region,
        status=raw.status, error_code=code, params=found.params, target=found.target, host=raw.authority,
        hardwired=raw.hardwired, mutating=trace.is_mutating(found.operation, raw.request.method),
        emulator_gap=trace.is_emulator_gap(raw.status, code, raw.response_headers, raw.response_body,
                                           raw.request.method),
        duration_ms=round(raw.duration_ms, 3), seq=raw.seq,
    )
