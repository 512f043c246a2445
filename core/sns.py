"""Amazon SNS message signatures, checked as AWS documents them ("Verifying the signatures of
Amazon SNS messages"): the signing certificate comes only from https://sns.<region>.amazonaws.com
(or .com.cn) with a .pem path, and the message's own fields, in a fixed order, are signed with
SHA1withRSA (SignatureVersion 1) or SHA256withRSA (2). Without this, anybody who learns the
webhook's basic-auth secret (or a log line with it) can post SES "inbound mail" of their own.

Only http_get() talks to the network; certificates are kept per URL for the process's life."""

from __future__ import annotations

import base64
import binascii
import re
import threading
import urllib.request
from datetime import UTC, datetime
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# Which fields are signed, in this order, per message type (AWS's documentation).
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
SIGNED_FIELDS["UnsubscribeConfirmation"] = SIGNED_FIELDS["SubscriptionConfirmation"]
OPTIONAL_FIELDS = {"Subject"}
HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
_SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
MAX_CERTIFICATES = 32
CERTIFICATE_MAX_BYTES = 64 * 1024

_certificates: dict[str, x509.Certificate] = {}
_lock = threading.Lock()


class Refused(Exception):
    """The message is not a genuine SNS message: answer 4xx with str(self)."""


class CertificateUnavailable(Exception):
    """The signing certificate could not be fetched now: answer 5xx, SNS retries."""


def http_get(url: str, timeout: float = 5.0) -> bytes:
    """The one network call: the certificate at an already checked https URL."""
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 — https only
        return response.read(CERTIFICATE_MAX_BYTES + 1)


def check_certificate_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise Refused("SigningCertURL is not https")
    if parts.username or parts.password or parts.port or parts.query or parts.fragment:
        raise Refused("SigningCertURL has a user, port, query or fragment")
    if not _SNS_HOST.match(parts.hostname or ""):
        raise Refused("SigningCertURL is not on sns.<region>.amazonaws.com")
    if not parts.path.endswith(".pem"):
        raise Refused("SigningCertURL is not a .pem file")


def certificate(url: str) -> x509.Certificate:
    check_certificate_url(url)
    with _lock:
        found = _certificates.get(url)
    if found is not None:
        return found
    try:
        pem = http_get(url)
    except OSError as error:
        raise CertificateUnavailable(f"signing certificate not fetched: {error}") from error
    if len(pem) > CERTIFICATE_MAX_BYTES:
        raise Refused("signing certificate too large")
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError as error:
        raise Refused("signing certificate is not a PEM certificate") from error
    if not isinstance(cert.public_key(), rsa.RSAPublicKey):
        raise Refused("signing certificate has no RSA key")
    with _lock:
        if len(_certificates) >= MAX_CERTIFICATES:
            _certificates.pop(next(iter(_certificates)))
        _certificates[url] = cert
    return cert


def string_to_sign(message: dict) -> bytes:
    kind = message.get("Type")
    fields = SIGNED_FIELDS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        raise Refused(f"unknown SNS message Type {str(kind)[:40]!r}")
    lines = []
    for name in fields:
        value = message.get(name)
        if value is None and name in OPTIONAL_FIELDS:
            continue
        if not isinstance(value, str):
            raise Refused(f"SNS {kind} without {name}")
        lines.append(f"{name}\n{value}\n")
    return "".join(lines).encode()


def verify(message: object) -> None:
    """Raise Refused (or CertificateUnavailable) unless `message`, the parsed JSON body of an SNS
    POST, is signed by Amazon SNS."""
    if not isinstance(message, dict):
        raise Refused("SNS body is not a JSON object")
    algorithm = HASHES.get(str(message.get("SignatureVersion")))
    if algorithm is None:
        raise Refused("SignatureVersion is not 1 or 2")
    url, signature = message.get("SigningCertURL"), message.get("Signature")
    if not isinstance(url, str) or not isinstance(signature, str):
        raise Refused("SNS message without SigningCertURL or Signature")
    if message.get("Type") in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        subscribe = str(message.get("SubscribeURL", ""))
        if not _SNS_HOST.match(urlsplit(subscribe).hostname or ""):
            raise Refused("SubscribeURL is not on sns.<region>.amazonaws.com")
    signed = string_to_sign(message)
    try:
        raw_signature = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as error:
        raise Refused("Signature is not base64") from error
    cert = certificate(url)
    now = datetime.now(UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise Refused("signing certificate expired or not yet valid")
    try:
        cert.public_key().verify(raw_signature, signed, padding.PKCS1v15(), algorithm())
    except InvalidSignature as error:
        raise Refused("SNS signature does not match") from error
