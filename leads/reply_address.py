"""The per-lead reply address: `<local>+<token>@<domain>` of the dealership's inbound address, so
that a customer's e-mail reply comes back through the inbound webhook to the lead it answers.

The token names the lead and carries an HMAC of it (the site's SECRET_KEY, a salt of its own):
nobody can make up a token for another lead. Lower case only, because providers and mail
servers may change the case of an address's local part."""

from __future__ import annotations

import hmac

from django.utils.crypto import salted_hmac

from leads.models import Lead

_SALT = "dealerlms.leads.reply-address"
_PREFIX = "r"
# 16 hex digits = 64 bits of the HMAC: no guessing by trying, and short enough for an address
# (a local part may be 64 characters; "leads+r1k2j3-0123456789abcdef" is 29).
_MAC_LENGTH = 16
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _DIGITS[rest] + digits
        if not number:
            return digits


def _mac(lead_id: int) -> str:
    return salted_hmac(_SALT, str(lead_id), algorithm="sha256").hexdigest()[:_MAC_LENGTH]


def token_for(lead_id: int) -> str:
    return f"{_PREFIX}{_base36(lead_id)}-{_mac(lead_id)}"


def lead_id_of(token: str) -> int | None:
    """The lead a token names, or None when it is not one of ours (forged, cut, altered)."""
    token = token.strip().lower()
    head, dash, mac = token.partition("-")
    if not dash or not head.startswith(_PREFIX) or len(mac) != _MAC_LENGTH:
        return None
    digits = head[len(_PREFIX) :]
    if not digits or len(digits) > 12 or any(c not in _DIGITS for c in digits):
        return None
    lead_id = int(digits, 36)
    return lead_id if hmac.compare_digest(mac, _mac(lead_id)) else None


def reply_address(lead: Lead) -> str:
    """Where the customer's reply about this lead goes; '' when the dealership receives no
    e-mail (no inbound address)."""
    inbound = (lead.dealership.inbound_address or "").strip()
    local, at, domain = inbound.rpartition("@")
    if not at or not local:
        return ""
    local = local.split("+", 1)[0]
    return f"{local}+{token_for(lead.pk)}@{domain}"


def split_address(address: str) -> tuple[str, str]:
    """(the address without its +tag, the tag): 'leads+abc@x.example' → ('leads@x.example',
    'abc'); an address without a tag gives (address, '')."""
    local, at, domain = address.strip().rpartition("@")
    if not at or "+" not in local:
        return address.strip(), ""
    base, _plus, tag = local.partition("+")
    return f"{base}@{domain}", tag


def lead_id_in(address: str) -> int | None:
    """The lead a reply address names, when its tag is a valid token."""
    _base, tag = split_address(address)
    return lead_id_of(tag) if tag else None
