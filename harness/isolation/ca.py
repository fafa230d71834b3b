"""A throwaway certificate authority, made per run, that signs one certificate per AWS host.

The child trusts only this CA (AWS_CA_BUNDLE, SSL_CERT_FILE, ...), so shadow's proxy can
terminate TLS for ``*.amazonaws.com`` and see (and redirect) every call, even one aimed at
a hard-wired real endpoint. The private keys never leave this process's memory and die
with the run; the CA is valid for one day.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
import tempfile
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=1)


class ThrowawayCA:
    """A one-run CA; ``context_for(host)`` gives a server TLS context (cached per host)."""

    def __init__(self) -> None:
        now = datetime.datetime.now(datetime.UTC)
        self._not_before = now - datetime.timedelta(minutes=5)
        self._not_after = now + VALIDITY
        self._key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shadow throwaway CA"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "shadow sandbox (not real AWS)")])
        ski = x509.SubjectKeyIdentifier.from_public_key(self._key.public_key())
        self._cert = (
            self._builder(name, name, self._key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(self._key, hashes.SHA256())
        )
        self._leaf_key = ec.generate_private_key(ec.SECP256R1())  # one key for all hosts of this run
        self._leaf_key_pem = self._leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def _builder(self, subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
                 ) -> x509.CertificateBuilder:
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                .public_key(public_key).serial_number(x509.random_serial_number())
                .not_valid_before(self._not_before).not_valid_after(self._not_after))

    @property
    def cert_pem(self) -> bytes:
        return self._cert.public_bytes(serialization.Encoding.PEM)

    def write_bundle(self, directory: Path) -> Path:
        """Write the CA certificate (only it) as the child's trust store; return its path."""
        path = directory / "shadow-ca.pem"
        path.write_bytes(self.cert_pem)
        return path

    def leaf_pem(self, host: str) -> bytes:
        """A certificate for ``host`` signed by this CA (PEM)."""
        try:
            san: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            san = x509.DNSName(host)
        cert = (
            self._builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host[:64])]),
                          self._cert.subject, self._leaf_key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([san]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._leaf_key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                           critical=False)
            .sign(self._key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM)

    def context_for(self, host: str) -> ssl.SSLContext:
        """A server-side TLS context presenting ``host``'s certificate; ALPN offers http/1.1 only."""
        host = host.lower().rstrip(".")
        with self._lock:
            context = self._contexts.get(host)
            if context is not None:
                return context
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.set_alpn_protocols(["http/1.1"])
            # ssl can only load a chain from files: write it to a private temp file, load, delete.
            fd, name = tempfile.mkstemp(prefix="shadow-leaf-", suffix=".pem")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(self.leaf_pem(host) + self._leaf_key_pem)
                context.load_cert_chain(name)
            finally:
                os.unlink(name)
            self._contexts[host] = context
            return context
