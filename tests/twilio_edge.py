"""Twilio at its HTTP edge: the REST client's HTTP call is replaced, everything above it (the
twilio library, our channel code) runs for real. And requests signed as Twilio signs them."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs

import pytest
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "twilio-auth-token-for-tests"
FROM_NUMBER = "+3197010000000"


class FakeTwilio:
    def __init__(self) -> None:
        self.calls: list[dict] = []
        # Voice: every call Twilio was asked to make (POST .../Calls.json), as it received it.
        self.dialed: list[dict] = []
        # Answers to give before succeeding: (HTTP status, body), or an exception to raise (what
        # the network does: a refused connection, a read timeout).
        self.fail_with: list[tuple[int, dict] | Exception] = []

    def request(
        self,
        method,
        url,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):
        body = dict(data or {})
        if self.fail_with:
            answer = self.fail_with.pop(0)
            if isinstance(answer, Exception):
                raise answer
            status, payload = answer
            return Response(status, json.dumps(payload))
        if url.endswith("/Calls.json"):
            return self._call(url, body)
        sid = "SM" + uuid.uuid4().hex
        self.calls.append({"url": url, "data": body, "sid": sid})
        return Response(
            201,
            json.dumps(
                {
                    "sid": sid,
                    "status": "queued",
                    "to": body.get("To"),
                    "from": body.get("From"),
                    "body": body.get("Body"),
                    "account_sid": ACCOUNT_SID,
                }
            ),
        )

    def _call(self, url: str, body: dict) -> Response:
        sid = "CA" + uuid.uuid4().hex
        self.dialed.append({"url": url, "data": body, "sid": sid})
        return Response(
            201,
            json.dumps(
                {
                    "sid": sid,
                    "status": "queued",
                    "to": body.get("To"),
                    "from": body.get("From"),
                    "account_sid": ACCOUNT_SID,
                    "direction": "outbound-api",
                }
            ),
        )


@pytest.fixture
def twilio(settings, monkeypatch):
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    fake = FakeTwilio()
    monkeypatch.setattr("twilio.http.http_client.TwilioHttpClient.request", fake.request)
    return fake


def signed_post(
    client, path: str, data: dict, *, token: str = AUTH_TOKEN, host: str = "testserver"
):
    url = f"http://{host}{path}"
    signature = RequestValidator(token).compute_signature(url, data)
    return client.post(path, data, HTTP_X_TWILIO_SIGNATURE=signature)


def form(data: dict) -> dict:
    return {k: v[0] for k, v in parse_qs(data).items()} if isinstance(data, str) else data
