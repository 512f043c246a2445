"""Ad platforms that mail their leads, and the automation relays that pass them on.

The lead's source is the platform the customer filled the form on, not the mailer's display
name: "Meta for Business" mails Facebook Lead Ads, "Zapier" relays a Google Ads lead form.
"""

from __future__ import annotations

import re

# The platform's own notification mail, by the sender's registered domain.
_SENDER_DOMAINS = {
    "facebookmail.com": "Facebook Lead Ads",
    "tiktok.com": "TikTok",
    "linkedin.com": "LinkedIn",
}
# Relays that mail whatever lead a dealership connects: the platform is named in the subject.
_RELAY_DOMAINS = frozenset({
    "zapier.com", "zapiermail.com", "leadsbridge.com", "make.com", "integromat.com",
    "pabbly.com", "n8n.cloud",
})  # fmt: skip
_NAMED = (
    (re.compile(r"\binstagram\b", re.I), "Instagram Lead Ads"),
    (re.compile(r"\b(?:facebook|meta) lead", re.I), "Facebook Lead Ads"),
    (re.compile(r"\bgoogle ads\b|\badwords\b", re.I), "Google Ads"),
    (re.compile(r"\bmicrosoft advertising\b|\bbing ads\b", re.I), "Microsoft Advertising"),
    (re.compile(r"\blinkedin\b", re.I), "LinkedIn"),
    (re.compile(r"\btiktok\b", re.I), "TikTok"),
    (re.compile(r"\bfacebook\b", re.I), "Facebook Lead Ads"),
)


def _domain(address: str | None) -> str:
    labels = (address or "").rsplit("@", 1)[-1].lower().split(".")
    return ".".join(labels[-2:])


def platform_source(sender_addr: str | None, subject: str | None) -> str | None:
    """The ad platform a lead e-mail comes from, or None when it names none."""
    domain = _domain(sender_addr)
    if domain in _SENDER_DOMAINS:
        return _SENDER_DOMAINS[domain]
    if domain in _RELAY_DOMAINS and subject:
        return next((name for pattern, name in _NAMED if pattern.search(subject)), None)
    return None


def is_platform(sender_addr: str | None) -> bool:
    """The sender is an ad platform or an automation relay, never a person."""
    return _domain(sender_addr) in _SENDER_DOMAINS or _domain(sender_addr) in _RELAY_DOMAINS
