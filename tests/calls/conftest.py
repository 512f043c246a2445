"""The calls tests' fixtures: Twilio driving a call (tests/calls/phone.py)."""

from tests.calls.phone import phone  # noqa: F401 — the fixture
