"""The envelope step, before any reader: is this a lead at all, whose message is it, and what do
its headers tell about the customer.

1. Not a lead (raises :class:`NotALead`): our own outgoing mail coming back (mail loop),
   delivery and read reports, auto-replies; a supplier's invoice; mail from the dealership's
   own addresses that carries no forwarded message. A newsletter-like message (List-Unsubscribe,
   List-Id, Precedence: bulk, a portal's statistics subject) or a colleague's at the
   dealership's company domain is not a lead only when no reader finds a customer contact in
   it: some portals send real leads through their bulk mailer.
2. Forwards and replies: an attached original (.eml) or an inline one (leadparser.forwards) is
   unwrapped to the innermost original; its From/Date/Subject become the message's, the
   forwarding person is kept as ``extra.forwarded_by``.
3. Clues: the customer's e-mail from Reply-To when the From is a relay, the name and source from
   a relay's display name ("Jan Jansen via Website"); the sender when the mail is a person's own
   (forwarded, or written to the dealership directly: leadparser.personal).

Everything here reads what leadparser.mime already decoded; nothing parses the MIME tree again.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable, Iterable

from leadparser import forwards, personal
from leadparser.builder import LeadBuilder
from leadparser.dates import parse_email_date, parse_when
from leadparser.errors import NoLeadFound, NotALead
from leadparser.html_text import html_content
from leadparser.lead_types import lead_type_from_text
from leadparser.message import Message
from leadparser.mime import decoded
from leadparser.normalize import fold
from leadparser.platforms import is_platform

# Every e-mail DealerLMS sends carries this header (core.outgoing); one coming back is a loop.
LOOP_HEADER = "x-dealerlms"
_OUR_MESSAGE_ID = re.compile(r"@dealerlms>\s*$", re.I)
MAX_DEPTH = 8  # forwards of forwards: real chains are two or three deep

_AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder", "x-mail-autoreply")
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:(?:re|aw|antw|sv|tr|fw|fwd|wg)\s*:\s*)*\[?(?P<phrase>out of (?:the )?office|"
    r"automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|automatisch antwoord|"
    r"automatisch bericht|afwezig(?:heid)?|niet aanwezig|abwesend|abwesenheitsnotiz|"
    r"automatische antwort|reponse automatique|message d'absence|absence|"
    r"respuesta automatica|fuera de la oficina|risposta automatica|fuori (?:sede|ufficio)|"
    r"resposta automatica|ausente|autosvar|automatyczna odpowiedz|on vacation)\b",
    re.I,
)
_NDR_SUBJECT = re.compile(
    r"^\s*(?P<phrase>undeliverable|undelivered mail|onbestelbaar|niet bezorgd|unzustellbar|"
    r"non remis|non distribuable|no se puede entregar|non recapitabile|delivery status "
    r"notification|delivery failure|mail delivery failed|mail delivery failure|returned mail|"
    r"failure notice|delivery has failed|message not delivered|zustellung fehlgeschlagen|"
    r"unzustellbare nachricht|echec de (?:la )?remise|returned to sender)\b",
    re.I,
)
# A supplier's bill: "Factuur 2026-10432", "Invoice INV-0042", "Rechnung Nr. 12345", "Facture n°
# F2026-118". The document's number (a digit) tells it from a question about an invoice.
_INVOICE_SUBJECT = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|tr)\s*:\s*)*(?:uw |je |jouw |your |votre |ta |ihre |deine |su |tu |nieuwe |new |neue )?"
    r"(?P<phrase>factuur|facture|rechnung|invoice|factura|fattura|creditnota|credit note|"
    r"gutschrift|betalingsherinnering|zahlungserinnerung|mahnung|payment reminder|"
    r"rappel de paiement|recordatorio de pago|remittance advice)\b[^\n]{0,40}?\d",
    re.I,
)
_DSN_SENDER = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.I)
_STATISTICS_SUBJECT = re.compile(
    r"inseratsstatistik|anzeigenstatistik|ihre statistik|monatsbericht|"
    r"advertentie-?statistieken|statistieken van uw|maandoverzicht|maandrapport|"
    r"bilan mensuel|votre bilan|statistiques de vos annonces|vos statistiques|"
    r"estadisticas de (?:tus|sus) anuncios|statistiche (?:dei|degli) (?:tuoi |vostri )?annunci|"
    r"your (?:monthly|weekly) (?:report|statistics|summary)|listing statistics|ad statistics|"
    r"advert performance",
    re.I,
)
# A portal's notice about the dealer's own ad: it expires or has expired ("Ihr Inserat läuft bald
# ab", "Je advertentie verloopt over 3 dagen", "Votre annonce « Renault Captur … » a expiré").
_LISTING_NOTICE_SUBJECT = re.compile(
    r"\b(?:inserat|anzeige|advertentie|zoekertje|annonce|anuncio|annuncio|listing|advert|ad)\b"
    r"[^\n]{0,80}?\b(?:lauft (?:bald |morgen |heute )?ab|ist abgelaufen|verloopt|is verlopen|"
    r"expire|expirera|a expire|expires|expiring|has expired|caduca|ha caducado|scade|e scaduto)\b",
    re.I,
)
# The line a website form closes its mail with ("sent from a contact form on …").
_FORM_MAIL = re.compile(
    r"contact ?form|contactformulier|formulaire de contact|kontaktformular|formulario de contacto|"
    r"modulo di contatto|formul[aá]rio de contacto|formularz kontaktowy|website ?form|web ?form",
    re.I,
)
# A website's newsletter form ("Aanmelding nieuwsbrief", "Newsletter sign-up", "Inscription
# newsletter"): a subscription for the mailing list, not a customer's request.
_SIGNUP_SUBJECT = re.compile(
    r"(?=.*\b(?:nieuwsbrief|newsletter|infolettre|lettre d'information|boletin|mailing ?list)\b)"
    r"(?=.*(?:aanmeld|inschrijv|sign[- ]?up|subscri|anmeld|abonn|inscri|suscri|iscrizion|registr))"
)
_RELAY_LOCAL = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|noreply|wordpress|mailer|info|"
    r"contact|kontakt|leads?|forms?|formulier|formulaire|webmaster|notifications?|notify|"
    r"service|support|system|admin|news|newsletter|marketing|team|hello|website|web|site|"
    r"online|aanvragen?|anfragen?|demandes?|ventas|verkoop|vertrieb|sales|bounces?|alerts?|"
    r"robot|bot|mail|www|reply|messages?|messaging|inbox|post|accounts?|customer|klant|client|"
    r"nachricht(?:en)?|berichten?|mensajes?|messaggi)"
    r"(?:$|[-_.+0-9])",
    re.I,
)
_VIA = re.compile(
    r"^\s*['\"]?(?P<name>.+?)['\"]?\s+\(?\s*(?:via|über|uber)\s+(?P<source>[^()]+?)\s*\)?\s*$",
    re.I,
)
# A platform's reply relay for one conversation: "reply-7d1f9a19@relay.marktplaats.nl",
# "nachricht+7f3e21aa90c4@mail.kleinanzeigen.de". The token holds a digit and a letter.
_CONVERSATION_TOKEN = re.compile(
    r"(?:^|[-_.+])(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{8,40}(?:$|[-_.+@])", re.I
)


class OwnAddresses:
    """The dealership's own addresses: whole addresses, or '@domain' for a whole domain."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.addresses: set[str] = set()
        self.domains: set[str] = set()
        for entry in entries or ():
            entry = (entry or "").strip()
            if entry.startswith("@"):
                self.domains.add(entry[1:].lower())
            elif entry:
                address = email.utils.parseaddr(entry)[1] or entry
                if "@" in address:
                    self.addresses.add(address.lower())
        # The organisations those addresses belong to: a colleague who is no user of ours
        # writes from the same company domain (never a mailbox provider's).
        self.organisations = {
            personal.organisation(a) for a in (*self.addresses, *(f"@{d}" for d in self.domains))
        } - personal.FREEMAIL

    def colleague(self, address: str | None) -> bool:
        """An address at the dealership's own company domain."""
        return bool(
            address and "@" in address and personal.organisation(address) in self.organisations
        )

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, str) or "@" not in address:
            return False
        address = address.strip().lower()
        return address in self.addresses or address.rsplit("@", 1)[1] in self.domains


def _headers(message: Message, name: str) -> list[str]:
    return [" ".join(value.split()) for key, value in message.headers if key == name]


def is_relay(name: str | None, address: str | None) -> bool:
    """A portal's or a form's sending address, not a person's."""
    if name and _VIA.match(name):
        return True
    local = (address or "").rsplit("@", 1)[0]
    return bool(address and _RELAY_LOCAL.match(local))


# --- 1. not a lead --------------------------------------------------------------------------------


def _loop_reason(message: Message) -> str | None:
    if _headers(message, LOOP_HEADER):
        return "sent by DealerLMS (mail loop)"
    if any(_OUR_MESSAGE_ID.search(v) for v in _headers(message, "message-id")):
        return "sent by DealerLMS (mail loop: our Message-ID)"
    return None


def _report_reason(message: Message) -> str | None:
    types = message.content_types
    top = next(iter(_headers(message, "content-type")), "").lower()
    if "message/disposition-notification" in types or "disposition-notification" in top:
        return "read receipt (disposition notification)"
    if "message/delivery-status" in types or (types[:1] == ["multipart/report"]):
        return "delivery report (message/delivery-status)"
    if message.sender_addr and _DSN_SENDER.match(message.sender_addr):
        return f"delivery report (from {message.sender_addr.split('@')[0]})"
    match = _NDR_SUBJECT.match(fold(message.subject or ""))
    if match:
        return f"delivery report (subject: {match.group('phrase')})"
    return None


def _auto_reply_reason(message: Message) -> tuple[str | None, str | None]:
    """(strong reason, weak reason): an auto-reply always wins; a message that only says it was
    generated by a program (Auto-Submitted: auto-generated, which lead notifications use too) is
    not a lead only when it holds no contact."""
    for value in _headers(message, "auto-submitted"):
        kind = value.split(";")[0].strip().lower()
        if kind and kind != "no":
            reason = f"Auto-Submitted: {kind}"
            if kind == "auto-generated":
                return None, f"automatic message ({reason})"
            return f"auto-reply ({reason})", None
    for name in _AUTO_HEADERS:
        for value in _headers(message, name):
            if value.strip().lower() not in ("no", "false", "0"):
                return f"auto-reply ({name.title()}: {value.strip()[:30]})", None
    for value in _headers(message, "x-autogenerated"):
        if value.strip().lower() == "reply":
            return "auto-reply (X-Autogenerated: Reply)", None
    for value in _headers(message, "precedence"):
        if value.strip().lower() in ("auto_reply", "auto-reply"):
            return "auto-reply (Precedence: auto_reply)", None
    match = _AUTO_SUBJECT.match(fold(message.subject or ""))
    if match:
        return f"auto-reply (subject: {message.subject.strip()[:60]})", None
    return None, None


def _bulk_header(message: Message) -> str | None:
    """The header that makes this a mass mailing, as shown in the reason."""
    for name, shown in (("list-unsubscribe", "List-Unsubscribe"), ("list-id", "List-Id")):
        if _headers(message, name):
            return shown
    for value in _headers(message, "precedence"):
        token = value.strip().lower()
        if token in ("bulk", "list", "junk"):
            return f"Precedence: {token}"
    return None


def _own_form(message: Message) -> bool:
    """The dealership's website form mails from the dealership's own domain (website@, noreply@):
    a colleague forwarding it forwards a customer's request, not mail of ours."""
    if not is_relay(message.sender_name, message.sender_addr):
        return False
    texts = [*message.texts, *(html_content(h).text for h in message.htmls[:1])]
    return any(_FORM_MAIL.search(text[-3000:]) for text in texts)


def _invoice_reason(message: Message) -> str | None:
    match = _INVOICE_SUBJECT.match(fold(message.subject or ""))
    return f"invoice or payment reminder (subject: {match.group('phrase')})" if match else None


def _statistics_subject(message: Message) -> bool:
    subject = fold(message.subject or "")
    return bool(_STATISTICS_SUBJECT.search(subject) or _LISTING_NOTICE_SUBJECT.search(subject))


# --- 2. forwards and replies -----------------------------------------------------------------


def _adopt(message: Message, inner: Message) -> None:
    """The attached original becomes the message the readers see."""
    message.subject, message.date = inner.subject, inner.date or message.date
    message.sender_name, message.sender_addr = inner.sender_name, inner.sender_addr
    message.reply_to, message.headers = inner.reply_to, inner.headers
    message.texts, message.htmls = inner.texts, inner.htmls
    message.attachments, message.embedded = inner.attachments, inner.embedded
    message.notes.extend(n for n in inner.notes if n not in message.notes)


def _date(value: str | None, region: str) -> object:
    if not value:
        return None
    # A forward's Date line has a zone only when the client copied the RFC 5322 header; Outlook
    # and Gmail write the forwarder's local time: the dealership's zone.
    has_zone = re.search(r"[+-]\d{4}\b|\b(?:GMT|UTC)\b", value)
    when = parse_email_date(value) if has_zone else None
    if when is None:
        folded = _MONTHS_MORE_RE.sub(lambda m: _MONTHS_MORE[m.group(1)], fold(value))
        folded = re.sub(r"^[^\W\d]+\.?,\s*", "", folded)  # "thursday, …" reads as RFC 5322 (UTC)
        when, _day = parse_when(folded, region=region)
        pm = re.search(r"\b(\d{1,2})[:.](\d{2})(?::\d{2})?\s*(pm|p\.m\.)", value, re.I)
        if when is not None and pm and when.hour < 12:
            when = when.replace(hour=when.hour + 12)
        seconds = re.search(r"\b\d{1,2}[:.]\d{2}[:.](\d{2})\b", value)
        if when is not None and seconds:  # Apple Mail writes them: "11:20:05"
            when = when.replace(second=int(seconds.group(1)))
    return when


# Month names parse_when does not know yet (it reads nl/fr/de/es/en).
_MONTHS_MORE = {
    "gennaio": "january", "febbraio": "february", "aprile": "april", "maggio": "may",
    "giugno": "june", "luglio": "july", "settembre": "september", "ottobre": "october",
    "dicembre": "december", "janeiro": "january", "fevereiro": "february", "marco": "march",
    "maio": "may", "junho": "june", "julho": "july", "setembro": "september",
    "outubro": "october", "novembro": "november", "dezembro": "december",
}  # fmt: skip
_MONTHS_MORE_RE = re.compile(r"\b(" + "|".join(_MONTHS_MORE) + r")\b")


_ONE_QUOTE = re.compile(r"^[ \t]*> ?", re.M)


def _dequote(text: str) -> str:
    return _ONE_QUOTE.sub("", text)  # one level: a quote inside the quote stays a quote


def _unwrap_inline(message: Message, own: OwnAddresses) -> bool:
    """One level of inline forward or quoted reply; True when the message now is the original."""
    text = message.texts[0] if message.texts else None
    html = message.htmls[0] if message.htmls else None
    in_text = forwards.find_original(forwards.text_lines(text)) if text else None
    in_html = None
    if html and forwards.html_may_quote(html):
        in_html = forwards.find_original(forwards.html_lines(html))
    found = in_text or in_html
    if found is None:
        return False
    sender_is_own = message.sender_addr in own
    if found.kind == "forward":
        take_original = True
    elif found.kind == "neutral":
        take_original = sender_is_own or not forwards.is_reply_subject(message.subject)
    else:
        # A quoted reply is the message's own text above a quote of ours, unless a colleague
        # replied to (or forwarded) the lead, or nothing stands above the quote.
        if in_text:
            above = bool(text[: in_text.start].strip())
        else:
            above = bool(forwards.html_lines(html[: in_html.start]))
        take_original = sender_is_own or forwards.is_forward_subject(message.subject) or not above
    if not take_original:
        # A person's reply: what they wrote is the message, the quoted mail below it is ours.
        if in_text:
            message.texts[0] = text[: in_text.start]
        if in_html:
            message.htmls[0] = html[: in_html.start]
        _drop_unmatched(message, in_text, in_html)
        return False
    if in_text:
        body = text[in_text.body :]
        message.texts[0] = _dequote(body) if in_text.quoted else body
    if in_html:
        message.htmls[0] = html[in_html.body :]
    _drop_unmatched(message, in_text, in_html)
    headers = found.headers
    if headers.get("from") or sender_is_own:  # never the forwarding colleague
        message.sender_name, message.sender_addr = forwards.parse_from(headers.get("from"))
    message.subject = headers.get("subject") or forwards.bare_subject(message.subject)
    message.date = _date(headers.get("date"), message.region) or message.date
    reply_to = forwards.parse_from(headers.get("reply_to"))[1]
    message.reply_to = reply_to
    message.headers = []
    return True


def _drop_unmatched(message: Message, in_text: object, in_html: object) -> None:
    """A part where the marker was not found still holds the forwarder's words and signature:
    the part where it was found is read alone."""
    if in_text and not in_html and message.htmls:
        message.htmls = []
    if in_html and not in_text and message.texts:
        message.texts = []


def unwrap(message: Message, own: OwnAddresses) -> tuple[str | None, str | None] | None:
    """Unwrap forwards to the innermost original; the forwarding sender, or None if none."""
    forwarder = (message.sender_name, message.sender_addr)
    forwarded = False
    for _level in range(MAX_DEPTH):
        if message.embedded:
            _adopt(message, message.embedded[0])
            forwarded = True
        elif _unwrap_inline(message, own):
            forwarded = True
        else:
            break
    return forwarder if forwarded else None


# --- 3. clues ------------------------------------------------------------------------------------


_organisation = personal.organisation


def _clues(message: Message, own: OwnAddresses, forwarded: bool) -> None:
    name, address = message.sender_name, message.sender_addr
    via = _VIA.match(name or "")
    if via:
        message.clues["customer.full_name"] = via.group("name").strip()
        message.sender_name = via.group("source").strip()  # the source, by the fallback
    reply_name = email.utils.parseaddr(decoded(next(iter(_headers(message, "reply-to")), "")))[0]
    reply_via = _VIA.match(reply_name or "")
    if reply_via:  # Marktplaats: "Daan Peeters via Marktplaats" <reply-…@reply.marktplaats…>
        message.clues.setdefault("customer.full_name", reply_via.group("name").strip())
    reply_to = (message.reply_to or "").strip()
    if (
        reply_to
        and "@" in reply_to
        and reply_to not in own
        and reply_to.lower() != (address or "").lower()
        and _organisation(reply_to) != _organisation(address)
    ):
        message.clues["customer.email"] = reply_to
    relay = _conversation_relay(reply_to, address, via is not None or reply_via is not None)
    if relay and relay not in own and "customer.email" not in message.clues:
        message.clues[RELAY_EMAIL] = relay
    elif forwarded and address and not is_relay(name, address) and address not in own:
        # A person's own mail, forwarded to the lead inbox: that person is the customer.
        message.sender_is_customer = "forwarded"
        message.clues["customer.email"] = address
        if name and not via:
            message.clues.setdefault("customer.full_name", name)
    elif not forwarded and "customer.email" not in message.clues and _direct(message, own):
        # A person writing to the dealership from their own mailbox: the sender is the customer
        # unless the content names another one (apply_clues).
        message.sender_is_customer = "direct"
        message.clues["customer.email"] = address
        shown = personal.sender_name(name, _body_text(message, raw=True))
        if shown:
            message.clues["customer.full_name"] = shown


def _direct(message: Message, own: OwnAddresses) -> bool:
    """The sender writes for themselves: not a relay, platform or form mailer, no role or
    system mailbox, not the dealership's own (its addresses, its company domain, the domain it
    was written to), no mass mailing or program's message."""
    name, address = message.sender_name, message.sender_addr
    if not address or "@" not in address or message.bulk_reason:
        return False
    if is_relay(name, address) or personal.is_role_address(address) or is_platform(address):
        return False
    if personal.is_machine_name(name):
        return False
    if _CONVERSATION_TOKEN.search(address.rsplit("@", 1)[0] + "@"):
        return False
    organisation = _organisation(address)
    recipients = [a for _, a in email.utils.getaddresses(_headers(message, "to"))]
    to_itself = organisation not in personal.FREEMAIL and any(
        _organisation(a) == organisation for a in recipients if "@" in a
    )
    return address not in own and not own.colleague(address) and not to_itself


RELAY_EMAIL = "relay_email"  # a clue key of its own: used only beside a contact the content holds


def _conversation_relay(reply_to: str, address: str | None, named: bool) -> str | None:
    """The platform's address that reaches the person who wrote, for one conversation: the
    Reply-To on the platform's own domain, or the From when its display name names the person
    ("Markus über Kleinanzeigen"). A platform's shared address (noreply@, info@) is none."""
    for candidate in (reply_to, address if named else None):
        if not candidate or "@" not in candidate:
            continue
        if candidate is reply_to and _organisation(reply_to) != _organisation(address):
            continue
        if _CONVERSATION_TOKEN.search(candidate.rsplit("@", 1)[0] + "@"):
            return candidate
    return None


def apply_clues(builder: LeadBuilder, message: Message) -> None:
    """Fill what the content lacks from the envelope; called by the registry on every reading."""
    had_contact = builder.has_contact()
    if not message.clues or (message.bulk_reason and not had_contact):
        return
    values = builder.values
    if message.sender_is_customer == "direct" and _names_another(values, message.clues):
        return  # a form or a colleague writing about someone else: the sender is not the customer
    message.contact_from_sender = message.sender_is_customer == "direct" and not had_contact
    email = message.clues.get("customer.email")
    if email and not values.get("customer.email"):
        values["customer.email"] = email
    relay = message.clues.get(RELAY_EMAIL)
    if relay and had_contact and not values.get("customer.email"):
        # A classified platform's relay reaches the buyer the content names; alone it is no
        # contact (a platform's invoice has a Reply-To of the same shape).
        values["customer.email"] = relay
    name = message.clues.get("customer.full_name")
    has_name = any(
        values.get(k) for k in ("customer.full_name", "customer.first_name", "customer.last_name")
    )
    if name and not has_name:
        values["customer.full_name"] = name
    if not had_contact and not builder.comments and builder.has_contact():
        # The contact came from the envelope: the person's words are the unlabelled text.
        builder.set("comments", _body_text(message))


def _names_another(values: dict[str, str], clues: dict[str, str]) -> bool:
    """The content holds a customer's e-mail, or a name that is not the sender's."""
    if values.get("customer.email"):
        return values["customer.email"].strip().lower() != clues["customer.email"].lower()
    read = " ".join(
        values.get(k) or ""
        for k in ("customer.full_name", "customer.first_name", "customer.last_name")
    ).split()
    shown = set(fold(clues.get("customer.full_name") or "").split())
    local = fold(clues["customer.email"].split("@")[0])
    return bool(read) and not any(fold(w) in shown or fold(w) in local for w in read)


def _body_text(message: Message, *, raw: bool = False) -> str | None:
    text = next((t for t in message.texts if t.strip()), None)
    if text is None and message.htmls:
        text = html_content(message.htmls[0]).text
    if raw:
        return text
    return " ".join(text.split())[:2000] if text else None


def _from_clues(message: Message) -> dict | None:
    """No reader found anything: a lead from the envelope's contact and the text as comments."""
    if message.bulk_reason or not (
        message.clues.get("customer.email") or message.clues.get("customer.full_name")
    ):
        return None
    builder = LeadBuilder("text", region=message.region)
    builder.set_email_date(message.date)
    if message.subject:
        builder.values["email_subject"] = message.subject
    apply_clues(builder, message)
    sender = (message.sender_addr or "").lower()
    if sender != (builder.values.get("customer.email") or "").lower() and message.sender_name:
        builder.values["source"] = message.sender_name  # a relay's or portal's name
    return builder.build()


# --- the step ----------------------------------------------------------------------------------


def open_envelope(
    message: Message, *, own_addresses: Iterable[str] = (), check: bool = True
) -> None:
    """Refuse what is no lead, unwrap forwards, read the envelope's clues (in place).
    ``check=False`` (a person said "this is a lead") skips the refusals, not the unwrapping."""
    if not message.is_email:
        return
    own = OwnAddresses(own_addresses)
    weak = None
    if check:
        strong = _loop_reason(message) or _report_reason(message)
        auto, weak = _auto_reply_reason(message)
        if strong or auto:
            raise NotALead(strong or auto)
        bulk = _bulk_header(message)
        if bulk and _statistics_subject(message):
            raise NotALead(f"portal statistics or marketing mailing ({bulk})")
        weak = f"newsletter ({bulk})" if bulk else weak
        if weak is None and _statistics_subject(message):
            weak = "portal statistics or marketing mailing (subject)"
    outer_is_own = message.sender_addr in own
    forwarder = unwrap(message, own)
    if check and outer_is_own and forwarder is None:
        raise NotALead("from the dealership's own address")
    if check and forwarder is not None and message.sender_addr in own and not _own_form(message):
        raise NotALead("from the dealership's own address (forwarded)")
    if check and forwarder is None and weak is None and _colleague(message, own):
        # A colleague who is no user may still pass on a walk-in's details: no lead only when
        # no reader finds a contact, and never the colleague as the customer.
        weak = "from the dealership's own domain (a colleague's mail)"
    invoice = _invoice_reason(message) if check else None
    if invoice:
        raise NotALead(invoice)
    if forwarder is not None:
        name, address = forwarder
        shown = f"{name} <{address}>" if name and address else (address or name)
        message.forwarded_by = shown
        message.subject = forwards.bare_subject(message.subject)
    message.bulk_reason = weak
    message.signup = check and bool(_SIGNUP_SUBJECT.search(fold(message.subject or "")))
    _clues(message, own, forwarded=forwarder is not None)


def _colleague(message: Message, own: OwnAddresses) -> bool:
    """A person at the dealership's company domain who is no user (a mechanic, the office):
    their mail is the dealership's own. The domain's website and mailers still send leads."""
    name, address = message.sender_name, message.sender_addr
    if not own.colleague(address) or is_relay(name, address) or personal.is_role_address(address):
        return False
    reply_to = message.reply_to or ""
    if "@" in reply_to and _organisation(reply_to) != _organisation(address):
        return False  # a form on the dealership's domain, answering to the customer
    return not _own_form(message)


def read(message: Message, run: Callable[[Message], dict]) -> dict:
    """The readers' lead, or the envelope's; a bulk message without a contact is not a lead."""
    try:
        lead = run(message)
    except NoLeadFound:
        if message.bulk_reason:
            raise NotALead(message.bulk_reason) from None
        lead = _from_clues(message)
        if lead is None:
            raise
    if message.signup and _only_contact(lead):
        raise NotALead("newsletter sign-up form (no request in it)")
    if message.contact_from_sender and _asks_nothing(lead, message.subject):
        # "Hallo" from an unknown address: a person decides whether it is a lead (quarantine).
        raise NoLeadFound("no lead found: a person's own mail that asks nothing about a car")
    if message.forwarded_by:
        lead.setdefault("extra", {})["forwarded_by"] = message.forwarded_by
    return lead


def _asks_nothing(lead: dict, subject: str | None) -> bool:
    """No phone to call, no car, no question or request in the subject or the words."""
    words = f"{subject or ''} {lead.get('comments') or ''}"
    customer = lead.get("customer") or {}
    return not (
        customer.get("phones")
        or lead.get("vehicle")
        or lead.get("trade_in")
        or "?" in words
        or lead_type_from_text(words)
    )


def _only_contact(lead: dict) -> bool:
    """Nothing asked beyond the contact: no phone to call, no car, no words of the customer."""
    customer = lead.get("customer") or {}
    return not (
        customer.get("phones")
        or lead.get("vehicle")
        or lead.get("trade_in")
        or lead.get("comments")
    )
