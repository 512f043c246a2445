"""Per-portal templates: the big portals' lead e-mails, read by what each portal writes.

Tried before the generic readers (leadparser.registry). A template is chosen by the sender's
domain AND a phrase of its layout, never by the sender alone: a portal also mails newsletters
and invoices, and a forwarded lead carries the forwarder's address. When no template fits, or
the one that fits finds no contact, the generic readers read the message as before.
"""

from __future__ import annotations

from leadparser.builder import LeadBuilder
from leadparser.message import Message
from leadparser.providers import (
    autoscout24,
    autotrack,
    autotrader_uk,
    carwow,
    coches_net,
    lacentrale,
    leboncoin,
    marktplaats,
    mobile_de,
)
from leadparser.providers.base import Provider, choose, read

PROVIDERS: tuple[Provider, ...] = (
    *mobile_de.PROVIDERS,
    *autoscout24.PROVIDERS,
    *marktplaats.PROVIDERS,
    *autotrack.PROVIDERS,
    *lacentrale.PROVIDERS,
    *leboncoin.PROVIDERS,
    *coches_net.PROVIDERS,
    *autotrader_uk.PROVIDERS,
    *carwow.PROVIDERS,
)

# Sender domain -> the providers mailing from it: one dict lookup per level of the domain.
_BY_DOMAIN: dict[str, list[Provider]] = {}
for _provider in PROVIDERS:
    for _domain in _provider.domains:
        _BY_DOMAIN.setdefault(_domain, []).append(_provider)


def candidates(sender: str | None) -> list[Provider]:
    """The providers that mail from the sender's domain or a parent of it (mail.mobile.de)."""
    domain = (sender or "").rpartition("@")[2].strip().lower().rstrip(".")
    labels = domain.split(".")
    for start in range(max(0, len(labels) - 2) + 1):
        found = _BY_DOMAIN.get(".".join(labels[start:]))
        if found:
            return found
    return []


def recognise(message: Message) -> Provider | None:
    """The provider whose sender domain and layout markers this message carries, if any."""
    if not message.is_email:
        return None
    return choose(candidates(message.sender_addr), message)


def parse(message: Message) -> LeadBuilder | None:
    """The provider template's lead, or None when no template fits this message."""
    provider = recognise(message)
    return read(provider, message) if provider else None
