"""Amazon SNS at its HTTP edge: a signing key and a self-signed certificate made here, served at an
SNS certificate URL by a replaced core.sns.http_get (the only network call), and messages signed
with it exactly as SNS signs them. Everything above the fetch (core.sns, the webhook guard,
anymail) runs for real."""

from __future__ import annotations

import base64
import functools
import urllib.error
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from core import sns

CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-tests.pem"


@functools.cache
def key_and_certificate(name: str = "sns") -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


def sign(
    message: dict,
    *,
    version: str = "1",
    cert_url: str = CERT_URL,
    key: rsa.RSAPrivateKey | None = None,
) -> dict:
    """`message` with SignatureVersion, SigningCertURL and Signature as SNS adds them."""
    signed = {**message, "SignatureVersion": version, "SigningCertURL": cert_url}
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303 — SNS v1 is SHA1
    private = key or key_and_certificate()[0]
    signature = private.sign(sns.string_to_sign(signed), padding.PKCS1v15(), algorithm)
    signed["Signature"] = base64.b64encode(signature).decode()
    return signed


class FakeCertificateHost:
    def __init__(self) -> None:
        self.served = {CERT_URL: key_and_certificate()[1]}
        self.fetched: list[str] = []
        self.down = False

    def get(self, url: str, timeout: float = 5.0) -> bytes:
        self.fetched.append(url)
        if self.down:
            raise urllib.error.URLError("connection refused")
        if url not in self.served:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)
        return self.served[url]


@pytest.fixture
def sns_edge(monkeypatch) -> FakeCertificateHost:
    host = FakeCertificateHost()
    monkeypatch.setattr(sns, "http_get", host.get)
    monkeypatch.setattr(sns, "_certificates", {})
    return host
