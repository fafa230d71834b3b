"""The throwaway CA: real TLS handshakes over a socket pair."""

from __future__ import annotations

import socket
import ssl
import threading

import pytest

from harness.isolation.ca import ThrowawayCA


def handshake(ca: ThrowawayCA, cert_host: str, client: ssl.SSLContext, server_hostname: str) -> str | None:
    """Run a TLS handshake; return the ALPN protocol the client ended up with."""
    left, right = socket.socketpair()
    server_error: list[BaseException] = []

    def serve() -> None:
        try:
            with ca.context_for(cert_host).wrap_socket(right, server_side=True):
                pass
        except (ssl.SSLError, OSError) as error:
            server_error.append(error)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with client.wrap_socket(left, server_hostname=server_hostname) as tls:
            return tls.selected_alpn_protocol()
    finally:
        thread.join(timeout=10)
        right.close()


def test_client_trusting_the_ca_gets_http11_only():
    ca = ThrowawayCA()
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(cadata=ca.cert_pem.decode())
    client.set_alpn_protocols(["h2", "http/1.1"])
    assert handshake(ca, "s3.us-east-1.amazonaws.com", client, "s3.us-east-1.amazonaws.com") == "http/1.1"


def test_certificate_is_only_for_its_host():
    ca = ThrowawayCA()
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(cadata=ca.cert_pem.decode())
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(ca, "s3.us-east-1.amazonaws.com", client, "sqs.us-east-1.amazonaws.com")


def test_nobody_else_trusts_it():
    """A client with the system trust store (or another run's CA) refuses the certificate."""
    ca, other = ThrowawayCA(), ThrowawayCA()
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(ca, "sts.amazonaws.com", ssl.create_default_context(), "sts.amazonaws.com")
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(cadata=other.cert_pem.decode())
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(ca, "sts.amazonaws.com", client, "sts.amazonaws.com")


def test_contexts_are_cached_per_host():
    ca = ThrowawayCA()
    assert ca.context_for("s3.amazonaws.com") is ca.context_for("S3.amazonaws.com.")
    assert ca.context_for("s3.amazonaws.com") is not ca.context_for("sqs.us-east-1.amazonaws.com")
