"""One portal's lead e-mail: how to recognise it cheaply, and how to read it.

A :class:`Provider` is data: the sender domains, the phrases its layout always carries, its own
labels. Recognising costs a dict lookup on the sender domain and a few substring checks; only
the one provider that fits reads the message (:func:`read`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leadparser import labels as label_reader
from leadparser import relayed
from leadparser.builder import LeadBuilder
from leadparser.headlines import headlines, price_below_title, vehicle_from_title
from leadparser.html_text import html_to_text
from leadparser.lead_types import lead_type_from_text
from leadparser.message import Message
from leadparser.normalize import clean, fold
from leadparser.providers.vocab import AD_REFERENCE, AD_TITLE, ENQUIRY_ID, IGNORE

MARKER_SCAN_CHARS = 4000  # the phrases that identify a layout sit in its first lines


@dataclass(frozen=True)
class Provider:
    """A portal's lead e-mail in one country (or one language of a country)."""

    key: str  # "autoscout24-be-fr": unique, for tests and notes
    name: str  # the source as the portal names itself: "AutoScout24", "mobile.de"
    domains: tuple[str, ...]  # sender domains; subdomains match too (mail.mobile.de)
    markers: tuple[str, ...]  # folded phrases; one must appear in the subject or the body
    labels: dict[str, str] = field(default_factory=dict)  # the portal's labels -> keys
    lead_type: str | None = None  # what its leads are when no words say otherwise
    # Free sentences naming the customer ("Anfrage von Max Mustermann"), on subject and body.
    name_patterns: tuple[re.Pattern[str], ...] = ()
    # Ids without a label of their own ("Enquiry ref. 7731-AB" in the subject).
    id_patterns: tuple[re.Pattern[str], ...] = ()
    # "autoscout24.be": kept in extra.portal_site where one name serves several sites.
    site: str | None = None
    # Facts without a label, kept in extra under the given key ("um 14:32" -> call_time).
    extra_patterns: tuple[tuple[str, re.Pattern[str]], ...] = ()

    def recognises(self, folded_head: str) -> bool:
        return any(marker in folded_head for marker in self.markers)


def _folded_head(message: Message, *, html: bool = False) -> str:
    """The subject and the start of the text part (or of the HTML part's text), folded."""
    parts = [message.subject or ""]
    if html:
        parts += [html_to_text(h)[:MARKER_SCAN_CHARS] for h in message.htmls[:1]]
    else:
        parts += [t[:MARKER_SCAN_CHARS] for t in message.texts[:1]]
    return fold(" ".join(parts))


def choose(candidates: list[Provider], message: Message) -> Provider | None:
    """The first candidate whose layout markers the message carries: in the subject or the
    text part, else (a text part that only says "view this in HTML") in the HTML part."""
    if not candidates:
        return None
    head = _folded_head(message, html=not message.texts)
    found = next((p for p in candidates if p.recognises(head)), None)
    if found is None and message.texts and message.htmls:
        head = _folded_head(message, html=True)
        found = next((p for p in candidates if p.recognises(head)), None)
    return found


def _pairs(provider: Provider, message: Message) -> tuple[str, list[label_reader.Pair]]:
    """The label/value pairs of the text part; the HTML part when the text holds no contact."""
    labels = {**provider.labels, **message.extra_labels}  # the admin's own labels win
    text_pairs = [p for t in message.texts for p in label_reader.pairs_from_text(t, labels)]
    if any(key and key.startswith("customer.") for _, key, _ in text_pairs):
        return "text", text_pairs
    html_pairs = [p for h in message.htmls for p in label_reader.pairs_from_html(h, labels)]
    if html_pairs:
        return "html", html_pairs
    return "text", text_pairs


def _search(patterns: tuple[re.Pattern[str], ...], texts: list[str]) -> str | None:
    for pattern in patterns:
        for text in texts:
            match = pattern.search(text)
            if match:
                return clean(match.group(1))
    return None


def read(provider: Provider, message: Message) -> LeadBuilder:
    """The provider's lead: its fields by its own labels, its ids kept apart, the vehicle from the
    ad title or the subject when no label names it."""
    fmt, pairs = _pairs(provider, message)
    builder = LeadBuilder(fmt, region=message.region)
    builder.set_email_date(message.date)
    builder.values["source"] = provider.name
    if message.subject:
        builder.values["email_subject"] = message.subject
    if provider.site:
        builder.add_extra("portal_site", provider.site)
    enquiry_id = ad_reference = title = None
    for label, key, value in pairs:
        if key == ENQUIRY_ID:
            enquiry_id = enquiry_id or clean(value)
        elif key == AD_REFERENCE:
            ad_reference = ad_reference or clean(value)
        elif key == AD_TITLE:
            title = title or clean(value)
        elif key == IGNORE:
            continue
        elif key:
            builder.set(key, value, label=label)
        else:
            builder.add_extra(label, value)
    bodies = [message.subject or "", *(t[:MARKER_SCAN_CHARS] for t in message.texts[:1])]
    if not message.texts:
        bodies += [html_to_text(h)[:MARKER_SCAN_CHARS] for h in message.htmls[:1]]
    enquiry_id = enquiry_id or _search(provider.id_patterns, bodies)
    for key, pattern in provider.extra_patterns:
        builder.add_extra(key, _search((pattern,), bodies))
    named = any(
        builder.values.get(f"customer.{k}") for k in ("full_name", "first_name", "last_name")
    )
    if not named:
        name = _search(provider.name_patterns, bodies)
        if name:
            builder.set("customer.full_name", name)
    relayed.apply(relayed.read_message(message), builder, sender_name=provider.name)
    relayed.phones_in_comments(builder)
    # The enquiry's own id is the lead's; the ad's number only stands in when there is none.
    builder.set("external_id", enquiry_id or ad_reference)
    if ad_reference:
        builder.add_extra("ad_reference", ad_reference)
    lines = headlines(message)
    vehicle_from_title(builder, title, message.subject, lines)
    price_below_title(builder, lines)
    said = builder.values.get("lead_type") or message.subject
    if not lead_type_from_text(said):
        # Portals send every enquiry with the same subject; the buyer's own words then say
        # whether they want a test drive ("kan ik een proefrit maken?"). Only that: a trade-in
        # or finance question inside an enquiry does not make the enquiry one.
        asked = lead_type_from_text(" ".join(builder.comments), allow_trade_in=False)
        builder.lead_type = "test_drive" if asked == "test_drive" else provider.lead_type
    return builder
