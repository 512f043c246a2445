"""How a receiving system knows a forwarded lead came from us and was not replayed.

Every HTTP delivery carries `X-DealerLMS-Timestamp` (Unix seconds) and `X-DealerLMS-Signature:
v1=<hex>`, the HMAC-SHA256 of `"<timestamp>." + body` under the forwarding's secret. A receiver
recomputes it, compares in constant time and refuses timestamps older than five minutes."""

from __future__ import annotations

import hashlib
import hmac
import time

TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {
        "X-DealerLMS-Timestamp": str(timestamp),
        "X-DealerLMS-Signature": signature(secret, timestamp, body),
    }


def verify(secret: str, headers: dict[str, str], body: bytes, now: float | None = None) -> bool:
    """What a receiver does (and what our tests do as the receiving system)."""
    try:
        timestamp = int(headers.get("X-DealerLMS-Timestamp", ""))
    except ValueError:
        return False
    now = now if now is not None else time.time()
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, headers.get("X-DealerLMS-Signature", ""))
