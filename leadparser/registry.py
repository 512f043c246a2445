"""The ordered list of parsers, and running a message through them."""

from __future__ import annotations

from collections.abc import Callable

from leadparser import adf, json_lead, labels, providers
from leadparser.builder import LeadBuilder
from leadparser.envelope import RELAY_EMAIL, apply_clues
from leadparser.errors import MalformedInput, NoLeadFound
from leadparser.message import Message
from leadparser.platforms import platform_source

Parser = Callable[[Message], LeadBuilder | None]

# Most specific first: a portal's own template (sender domain and layout both fit), then an ADF
# attachment, which beats the HTML summary that usually travels with it.
PARSERS: list[Parser] = [providers.parse, adf.parse, json_lead.parse, labels.parse]


def _source_fallback(builder: LeadBuilder, message: Message) -> None:
    """No provider named in the content: the ad platform that mailed or was relayed, else the
    sender's display name, else its domain."""
    if builder.values.get("source"):
        return
    platform = platform_source(message.sender_addr, message.subject)
    if platform:
        builder.values["source"] = platform
        return
    # A portal's domain names the portal even in a layout its template does not know (a new
    # wording, another language): "AutoScout24", not the display name "AutoScout24.be".
    portals = {p.name for p in providers.candidates(message.sender_addr)}
    if len(portals) == 1:
        builder.values["source"] = portals.pop()
        return
    sender = (message.sender_addr or "").lower()
    # A platform's relay for the buyer is no customer writing to us directly.
    relay = (message.clues.get(RELAY_EMAIL) or "").lower()
    direct = sender == (builder.values.get("customer.email") or "").strip().lower()
    if sender and direct and sender != relay:
        return  # the customer wrote to us directly; their name is no lead source
    if message.sender_name:
        builder.values["source"] = message.sender_name
    elif "@" in sender:
        builder.values["source"] = sender.rsplit("@", 1)[1]


def run(message: Message) -> dict:
    """The lead from the first parser that finds one with a customer contact.

    HostileInput propagates at once. MalformedInput from one parser lets the next try (a broken
    ADF attachment next to a readable HTML table) and is raised only if none finds a lead.
    """
    first_error: MalformedInput | None = None
    reasons: list[str] = []
    for parser in PARSERS:
        try:
            builder = parser(message)
        except MalformedInput as exc:
            first_error = first_error or exc
            continue
        if builder is None:
            continue
        apply_clues(builder, message)  # Reply-To, a relay's display name, a forward's sender
        if not builder.has_contact():
            reasons.append(f"{builder.format} content without a name, e-mail or phone")
            continue
        _source_fallback(builder, message)
        if message.notes:
            builder.add_extra("parse_notes", "; ".join(message.notes))
        return builder.build()
    if first_error is not None:
        raise first_error
    reason = reasons[0] if reasons else "no ADF, JSON or labelled name/e-mail/phone"
    raise NoLeadFound(f"no lead found: {reason}")
