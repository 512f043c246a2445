"""Label/value e-mails, text and HTML, as website forms, portals and Outlook lay them out.

A label and its value stand on one line ("Naam: Jan", "Naam<TAB>Jan" from a table row), or the
value stands on the next line ("Naam" / "Jan": Gravity Forms, WPForms, Word). Headings open
sections: the labels under "Inruilauto" describe the trade-in, not the car asked about.
"""

from __future__ import annotations

import email.utils
import re
from functools import lru_cache

from leadparser import personal, relayed, sentences
from leadparser.builder import LeadBuilder
from leadparser.envelope import is_relay
from leadparser.headlines import (
    headlines,
    price_below_title,
    reference_in_subject,
    vehicle_from_title,
)
from leadparser.html_text import html_content
from leadparser.label_dictionary import (
    CANONICAL_FIELDS,
    EXTRA_LABELS,
    IGNORED_LABELS,
    is_closing,
    label_key,
    lookup,
)
from leadparser.lead_types import lead_type_from_text
from leadparser.makes import canonical_make, vehicle_in_text
from leadparser.message import Message
from leadparser.normalize import fold
from leadparser.trade_in_words import trade_in_in_words

MAX_SCAN_CHARS = 1_000_000  # lead forms are a few kB; past this we read the start only
MAX_LINE_CHARS = 5_000
_COLON_LINE = re.compile(
    r"^\s*(?:[-•*·]\s*)?(?:\*\*|__)?(?P<label>[^:：\t\n]{1,60}?)(?:\*\*|__)?\s*[:：]\s*"
    r"(?:\*\*|__)?(?P<value>.*?)(?:\*\*|__)?\s*$"
)
_TAB_LINE = re.compile(r"^\s*(?P<label>[^\t\n]{1,60}?)(?:\t+|\s{3,})(?P<value>\S.*?)\s*$")
_QUOTE_PREFIX = re.compile(r"^(?:\s*>)+\s?")
# "*Naam:* Jan", "**Name**", "__E-mail:__": emphasis around the label only.
_EMPHASIS = re.compile(r"^\s*(\*{1,2}|_{1,2})(?=[^\s*_])([^*_\n]{1,62}?)\1(?!\*)")
_SEPARATOR = re.compile(r"^\s*(?:-{2,}|_{3,}|={3,})\s*$|^-- $")
_EMAIL_ONLY = re.compile(r"\s*(?:mailto:)?[^@\s]{1,64}@[^@\s]{1,255}\s*$")
_PHONE_ONLY = re.compile(r"\s*\+?[\d()][\d ()./-]{6,24}\s*$")
# Fields side by side: "A: 1 | B: 2", "Year: 2022   Price: £19,495   Reg: LB22 XYZ".
_INLINE_SEPARATOR = re.compile(r"\s+[|·•]\s+|\s{3,}")
_UNFILLED = re.compile(r"^\[[\w-]{1,40}\]$")  # a Contact Form 7 tag left in an empty field
# Forwarded-mail header lines and greetings are not lead fields worth keeping in `extra`.
_NOT_EXTRA = {
    "from", "to", "cc", "bcc", "sent", "date", "van", "aan", "verzonden", "datum", "de", "a",
    "envoye", "von", "an", "gesendet", "para", "enviado", "fecha", "http", "https", "mailto",
    "reply to", "return path", "message id", "content type", "mime version",
}  # fmt: skip
# Date and time lines after a form's "---" separator say when it was sent, not an appointment.
_META_TIME = {
    "date": "requested_at", "time": "requested_time", "datum": "requested_at",
    "tijd": "requested_time", "heure": "requested_time", "uhrzeit": "requested_time",
    "zeit": "requested_time", "fecha": "requested_at", "hora": "requested_time",
    "data": "requested_at", "ora": "requested_time",
}  # fmt: skip
# Headings naming a block: its vehicle labels describe the trade-in, or the customer follows.
_TRADE_IN_HEADING = re.compile(
    r"\b(?:inruil\w*|trade[ -]?in|part[ -]exchange|inzahlungnahme|eintausch\w*|reprise|"
    r"permuta|retoma|vehiculo de entrega|coche de entrega|w rozliczeniu|taxatie|a tasar|tasacion|"
    r"a reprendre|zur inzahlungnahme|huidige auto|current (?:vehicle|car)|altfahrzeug)\b"
)
_OTHER_VEHICLE_HEADING = re.compile(
    r"^(?:\w+ )?(?:tweede|second|zweites?|deuxieme|segundo|secondo|drugi|alternati\w*|"
    r"andere|autre|otro|altro) (?:auto|car|vehicle|voertuig|fahrzeug|wagen|"
    r"vehicule|voiture|vehiculo|coche|veicolo|samochod|pojazd|keuze|choice|choix|wahl)\b|"
    r"\b(?:ook interesse in|also interested in|auch interessiert an|egalement interesse par)\b"
)
# A label naming the car the customer wants ("Interesse in", "Wunschfahrzeug", "Intéressé par"):
# below a trade-in block it names the wanted car again, never the trade-in.
_WANTED_LABEL = re.compile(
    r"\b(?:interesse|interesse in|geinteresseerd in|interested in|interest|interessiert an|"
    r"interesse an|wunschfahrzeug|wunschauto|gewenste (?:auto|wagen)|gezochte auto|"
    r"interesse par|interessee? par|interes(?:ado)? en|interessato a)\b"
)
_CUSTOMER_HEADING = re.compile(
    r"\b(?:gegevens|contactgegevens|persoonsgegevens|klantgegevens|coordonnees|kontaktdaten|"
    r"ihre daten|personliche daten|kundendaten|datos (?:de contacto|personales|del cliente)|"
    r"(?:your|contact|customer|personal) details|dati (?:personali|di contatto|del cliente)|"
    r"dados (?:pessoais|de contacto|do cliente)|dane (?:kontaktowe|osobowe|klienta)|"
    r"about you|over u|a propos de vous)\b"
)
_VEHICLE_WORD = re.compile(
    r"\b(?:auto|car|vehicle|voertuig|wagen|model|modell|modele|fahrzeug|vehicule|voiture|"
    r"vehiculo|coche|veicolo|veiculo|viatura|samochod|pojazd|occasion)\b"
)
# Lead-ad notifications print each custom question and its answer as two lines.
_QUESTION = re.compile(r"^(?:frage|question|vraag|pregunta|domanda|pergunta|pytanie)(?: \d{1,2})?$")
_ANSWER = re.compile(r"^(?:antwort|answer|antwoord|reponse|respuesta|risposta|resposta|odpowiedz)$")
# A bare "Référence" among the car's fields is the dealer's number for the car ("Référence
# annonce", "ID annuncio" name the ad, and stay the message's id).
_BARE_REFERENCE = frozenset({
    "reference", "referentie", "referenz", "referencia", "riferimento", "ref", "referencja",
})  # fmt: skip
_YES = frozenset({"ja", "yes", "oui", "si", "sim", "tak", "y", "true"})
# "Type:" alone names a request ("Type: Proefrit", "Type: Demande d'offre") or, in Dutch and
# German forms below "Merk:", the model ("Type: Golf"): the value decides.
_BARE_TYPE_LABELS = frozenset({"type", "typ", "tipo", "soort"})


def _question_key(key: str) -> str | None:
    """A form's own question about the car asked for ("Which model are you interested in?");
    not one about the customer's car ("Heeft u een auto om in te ruilen?")."""
    if _TRADE_IN_HEADING.search(key) or re.search(r"\b(?:in te ruilen|ruilen|own|huidige)\b", key):
        return None
    return "vehicle.description" if _VEHICLE_WORD.search(key) else None


def _unslugged(value: str) -> str:
    """Lead-ad answers come as option slugs ("kia_ev3_air"): words again, as the customer read."""
    return value.replace("_", " ") if "_" in value and " " not in value.strip() else value


def _key_kind(key: str) -> str:
    return "time" if _META_TIME[key] == "requested_time" else "date"


_CF7_FOOTER = re.compile(
    r"sent (?:from|via) a contact form on|verzonden (?:via|vanaf|van) (?:een|het) contactformulier|"
    r"envoy[ée] via le formulaire de contact|von einem kontaktformular|"
    r"enviado a trav[ée]s del formulario|inviata dal modulo di contatto",
    re.IGNORECASE,
)

Pair = tuple[str, str | None, str]  # label as written, canonical key or None, value


def _label_shape(label: str) -> bool:
    """A form field name: a few words, starting with a letter, no address."""
    words = label.split()
    return (
        0 < len(words) <= 4
        and len(label) <= 40
        and label[0].isalpha()
        and not re.search(r"https?|www\.|@", label)
    )


def _plausible_label(label: str) -> bool:
    """An unknown label is kept in extra only if it looks like a form field name."""
    return _label_shape(label) and label_key(label) not in _NOT_EXTRA


def _unemphasised(line: str) -> str:
    match = _EMPHASIS.match(line)
    if match is None:
        return line
    return match.group(2) + line[match.end() :]


def _label_line(
    line: str, extra_labels: dict[str, str], *, cells: bool = False
) -> tuple[str, str | None, str] | None:
    """(label, canonical key or None, value) of a one-line field; ``cells``: text from HTML,
    where a tab separates two table cells and an unknown first cell is still a label."""
    if "\t" in line and cells:
        label, _, value = line.partition("\t")
        label = label.strip().rstrip(":：").strip()
        if label:
            return label, lookup(label, extra_labels), value.strip()
    match = _COLON_LINE.match(line)
    if match:
        label = match.group("label").strip()
        return label, lookup(label, extra_labels), match.group("value")
    match = _TAB_LINE.match(line)
    if match and lookup(match.group("label"), extra_labels):
        label = match.group("label").strip()
        return label, lookup(label, extra_labels), match.group("value")
    return None


def _is_field(line: str, extra_labels: dict[str, str], cells: bool) -> bool:
    """A line that is a field of its own (known label, or a form-like label with a value)."""
    found = _label_line(line, extra_labels, cells=cells)
    if found is None:
        return bool(lookup(line, extra_labels))
    label, canonical, value = found
    return bool(canonical) or (bool(value) and _label_shape(label))


class _Reader:
    """One pass over the lines, keeping the section (customer, vehicle, trade-in) they are in."""

    def __init__(self, lines: list[str], extra_labels: dict[str, str], cells: bool) -> None:
        self.lines = lines
        self.labels = extra_labels
        self.cells = cells
        self.pairs: list[Pair] = []
        self.section: str | None = None  # None, "trade_in", "vehicle2", "meta"
        self.vehicle_seen = False  # a field of the car asked about was read
        self.vehicle_block = False  # a heading opened a block about it
        self.index = 0

    def _next_nonblank(self, start: int, skip: int = 2) -> int | None:
        index = start
        while index < len(self.lines) and index - start <= skip:
            if self.lines[index].strip() and not self._underline(index):
                return index
            index += 1
        return None

    def _inline_pairs(self, line: str) -> list[str] | None:
        """ "Fahrzeug-ID: 412345678 | Interne Nr.: KR-2231": several fields on one line, each a
        known label with its value; None when any part is not one (an address "A | B | C")."""
        parts = [p.strip() for p in _INLINE_SEPARATOR.split(line)]
        if len(parts) < 2:
            return None
        for part in parts:
            found = _label_line(part, self.labels, cells=self.cells)
            if found is None or not found[1] or not found[2].strip():
                return None
        return parts

    def _underline(self, index: int) -> bool:
        """ "Inruilauto" over "----------": a rule as long as the line right above it underlines
        that heading; it separates nothing."""
        line = self.lines[index].strip()
        above = self.lines[index - 1].strip() if index > 0 else ""
        return bool(
            above
            and _SEPARATOR.match(line)
            and not _SEPARATOR.match(above)
            and abs(len(line) - len(above)) <= 3
        )

    def _heading(self, line: str, canonical: str | None) -> bool:
        """Open a section when ``line`` is a heading (a short line above a field)."""
        following = self._next_nonblank(self.index)
        if following is None or not _is_field(self.lines[following], self.labels, self.cells):
            return False
        folded, kind = label_key(line), canonical or ""
        if len(folded) > 60 or len(folded.split()) > 5 or line.rstrip().endswith((".", "!")):
            return False  # a sentence ("Ik wil mijn auto inruilen.") is no heading
        trade_in = kind.startswith("trade_in.") or bool(_TRADE_IN_HEADING.search(folded))
        customer = kind.startswith("customer.") or bool(_CUSTOMER_HEADING.search(folded))
        if trade_in:
            self.section = "trade_in"
        elif _OTHER_VEHICLE_HEADING.search(folded):
            self.section = "vehicle2"  # "Tweede auto", "Also interested in": not the first car
            return True
        elif customer:
            self.section = None
        elif kind.startswith("vehicle."):
            # A second "Vehicle" block after one with fields: another car, kept apart.
            self.section = "vehicle2" if self.vehicle_block and self.vehicle_seen else None
            self.vehicle_block = True
        return bool(canonical) or trade_in or customer

    def _add(self, label: str, canonical: str | None, value: str) -> None:
        if _UNFILLED.match(value.strip()):
            return
        key = label_key(label)
        if key in IGNORED_LABELS:
            return
        if key in EXTRA_LABELS and canonical is None:
            self.pairs.append((EXTRA_LABELS[key], None, value))
            return
        if canonical is None and label.rstrip().endswith("?"):
            canonical = _question_key(key)  # "Welke auto wilt u proefrijden?: VW ID.4"
            if canonical:
                value = _unslugged(value)
        if key in _BARE_TYPE_LABELS and canonical is None:
            canonical = self._bare_type(value)
        if canonical == "customer.full_name" and _PHONE_ONLY.match(value):
            canonical = "customer.phone"  # "Beller: 06 12 34 56 78": the caller is a number
        if canonical == "vehicle.description" and _EMAIL_ONLY.match(value):
            canonical = "customer.email"  # "Antwoorden op: lotte@…": where replies go
        if key in _META_TIME and (canonical is None or self.section == "meta"):
            # After "---" it is when the form was sent; elsewhere a call's or message's date,
            # used only for a call notification (builder._call_time).
            meta = _META_TIME[key] if self.section == "meta" else f"message_{_key_kind(key)}"
            self.pairs.append((label, meta, value))
            return
        is_trade_in = canonical in (None, "trade_in.description") and _TRADE_IN_HEADING.search(key)
        if is_trade_in and label_key(value) in _YES:
            self.section = "trade_in"  # "Inruilauto: ja": the car's fields follow
            self.pairs.append((label, None, value))
            return
        if (
            canonical == "external_id"
            and key in _BARE_REFERENCE
            and (self.pairs and (self.pairs[-1][1] or "").startswith("vehicle."))
        ):
            canonical = "vehicle.stock_number"  # "Marque / Modèle / Référence": the car's number
        if canonical and canonical.startswith(("customer.", "comments")):
            if self.section == "trade_in":
                self.section = None  # the trade-in block ended where the customer's began
        elif canonical and canonical.startswith("vehicle."):
            field_name = canonical.partition(".")[2]
            if self.section == "trade_in" and _WANTED_LABEL.search(key):
                self.section = None
            if self.section == "trade_in":
                scoped = f"trade_in.{field_name}"
                canonical = scoped if scoped in CANONICAL_FIELDS else None
                label = label if canonical else f"trade_in {label}"
            elif self.section == "vehicle2":
                canonical, label = None, f"{label} (2)"  # a second car never replaces the first
            else:
                self.vehicle_seen = True
        if canonical or _plausible_label(label):
            self.pairs.append((label, canonical, value))

    def _bare_type(self, value: str) -> str | None:
        """A request type when the value is one and names no car; the model when a make was
        read just before in this block and no model; else None (kept in extra as before)."""
        if lead_type_from_text(value) and vehicle_in_text(value) is None:
            return "lead_type"
        which = "trade_in" if self.section == "trade_in" else "vehicle"
        read = {canonical for _, canonical, _ in self.pairs}
        if f"{which}.make" in read and f"{which}.model" not in read:
            return "vehicle.model"  # scoped to the trade-in by _add when in that block
        return None

    def _value_below(
        self, label: str, canonical: str | None, value: str, *, question: bool = False
    ) -> None:
        """ "Message :" with the text on the lines below, up to a blank line, label or closing."""
        collected = [value] if value else []
        blanks = 0
        while self.index < len(self.lines):
            line = self.lines[self.index].strip()
            if not line:
                if collected or blanks >= 2:
                    break
                blanks += 1
                self.index += 1
                continue
            # A comment stops at a known label only ("Ik heb een vraag: …" is still the
            # customer talking); a one-line value also at anything shaped like a field.
            if canonical == "comments":
                found = _label_line(line, self.labels, cells=self.cells)
                if (found and found[1]) or (not found and lookup(line, self.labels)):
                    break
            elif _is_field(line, self.labels, self.cells):
                break
            if is_closing(line):
                break
            if _SEPARATOR.match(line):
                break
            collected.append(line)
            self.index += 1
            if canonical != "comments":
                break  # only a comment runs over several lines
        if collected and question and canonical is None:
            self.pairs.append((label.rstrip("?").strip(), None, collected[0]))
        elif collected:
            self._add(label, canonical, " ".join(collected))

    def read(self) -> list[Pair]:
        while self.index < len(self.lines):
            line = self.lines[self.index]
            self.index += 1
            if not line.strip():
                continue
            if _SEPARATOR.match(line):
                if not self._underline(self.index - 1):
                    self.section = "meta"
                continue
            found = _label_line(line, self.labels, cells=self.cells)
            if found is None:
                self._bare_line(line.strip())
                continue
            inline = self._inline_pairs(line)
            if inline:
                self.lines[self.index - 1 : self.index] = inline
                self.index -= 1
                continue
            label, canonical, value = found
            if "\t" in value and self.cells:
                self._row(line)
                continue
            if value and _QUESTION.match(label_key(label)) and self._answer(value):
                continue
            if canonical is None:
                if value:
                    self._add(label, None, value)
                else:
                    self._heading(label, None)
                continue
            if value and canonical != "comments":
                self._add(label, canonical, value)
            elif value or not self._heading(label, canonical):
                self._value_below(label, canonical, value)
        return self.pairs

    def _answer(self, question: str) -> bool:
        """ "Frage 1: Welches Modell interessiert Sie?" / "Antwort: VW ID.3": the question is
        the label of the answer on the next line."""
        following = self._next_nonblank(self.index, skip=1)
        if following is None:
            return False
        found = _label_line(self.lines[following], self.labels, cells=self.cells)
        if found is None or not found[2] or not _ANSWER.match(label_key(found[0])):
            return False
        self.index = following + 1
        self._add(question, lookup(question, self.labels), found[2])
        return True

    def _bare_line(self, line: str) -> None:
        """A line without a separator: a heading, or a label whose value is on the next line."""
        if len(line) > 80:
            return
        canonical = lookup(line, self.labels)
        if self._heading(line, canonical):
            return
        if canonical is None and line.endswith("?") and self.cells:
            # A form's own question above its answer ("Welke auto wilt u proefrijden?").
            canonical = "vehicle.description" if _VEHICLE_WORD.search(fold(line)) else None
            self._value_below(line, canonical, "", question=True)
        elif canonical is not None and len(line) <= 60:
            self._value_below(line.rstrip(":：").strip(), canonical, "")

    def _row(self, line: str) -> None:
        """A table row of several cells: pairs side by side, else the label and all the rest."""
        cells = [c.strip() for c in line.split("\t")]
        chunks = [cells[i : i + 2] for i in range(0, len(cells), 2)]
        if all(len(c) == 2 and lookup(c[0], self.labels) for c in chunks):
            for label, value in chunks:
                self._add(label.rstrip(":："), lookup(label, self.labels), value)
            return
        if all(lookup(c, self.labels) for c in cells):  # a header row: the values are below
            following = self._next_nonblank(self.index, skip=1)
            if following is not None:
                values = self.lines[following].split("\t")
                if len(values) == len(cells):
                    self.index = following + 1
                    for label, value in zip(cells, values, strict=True):
                        self._add(label.rstrip(":："), lookup(label, self.labels), value.strip())
                    return
        label = cells[0].rstrip(":：").strip()
        self._add(label, lookup(label, self.labels), " ".join(cells[1:]))


def _lines(text: str) -> list[str]:
    return [
        _unemphasised(_QUOTE_PREFIX.sub("", line[:MAX_LINE_CHARS]))
        for line in text[:MAX_SCAN_CHARS].splitlines()
    ]


def pairs_from_text(text: str, extra_labels: dict[str, str], *, cells: bool = False) -> list[Pair]:
    return _Reader(_lines(text), extra_labels, cells).read()


def pairs_from_html(html: str, extra_labels: dict[str, str]) -> list[Pair]:
    return pairs_from_text(html_content(html).text, extra_labels, cells=True)


def _score(pairs: list[Pair]) -> int:
    return len({canonical for _, canonical, _ in pairs if canonical})


def _contact_form_sender(text: str, builder: LeadBuilder) -> None:
    """Contact Form 7's default mail starts "From: Jan <jan@…>": the customer, not a forward."""
    footer = text[-600:]  # the plugin's footer closes the mail
    if not _CF7_FOOTER.search(footer) and not re.search(r"(?im)^message body:", text):
        return
    match = re.search(r"(?m)^\s*(?:From|Van|De|Von|Da):[ \t]*(\S[^\n]{0,200})$", text)
    if match is None:
        return
    name, addr = email.utils.parseaddr(match.group(1))
    builder.set("customer.full_name", name if name and "@" not in name else None)
    builder.set("customer.email", addr if "@" in addr else None)


@lru_cache(maxsize=1)
def _portal_labels() -> tuple[tuple[str, str], ...]:
    """The labels the portal templates know and the generic dictionary does not: a portal
    without a template of its own prints the same "Référence de la demande", "Fahrzeug-ID" or
    "Referencia del anuncio". The dictionary's own reading of a label always wins."""
    from leadparser.providers import vocab  # the package's templates import this module

    as_field = {
        vocab.ENQUIRY_ID: "external_id",
        vocab.AD_REFERENCE: "external_id",
        vocab.AD_TITLE: "vehicle.description",
    }
    found: dict[str, str] = {}
    for language in (vocab.NL, vocab.FR, vocab.DE, vocab.ES, vocab.IT, vocab.EN):
        for label, key in language.items():
            key = as_field.get(key, key)
            known = lookup(label) or label_key(label) in EXTRA_LABELS
            if key in CANONICAL_FIELDS and not known:
                found.setdefault(label, key)
    return tuple(found.items())


def parse(message: Message) -> LeadBuilder | None:
    if message.bare_kind in ("xml", "json"):
        return None
    labels = {**dict(_portal_labels()), **message.extra_labels}
    html_texts = [html_content(html).text for html in message.htmls]
    html_pairs = [p for text in html_texts for p in pairs_from_text(text, labels, cells=True)]
    text_pairs = [p for text in message.texts for p in pairs_from_text(text, labels)]
    own = message.sender_is_customer is not None  # a person's own mail: their words
    body_texts = [*message.texts, *html_texts] if message.texts else html_texts
    found = sentences.read([*body_texts, message.subject or ""], own_words=own)
    buyer = relayed.read_message(message)
    if not html_pairs and not text_pairs and not found and not buyer and not own:
        return None
    # The HTML part is what the sender designed; the text part is often a lossy rendering of it.
    html_wins = _score(html_pairs) >= _score(text_pairs) and (_score(html_pairs) or not text_pairs)
    if message.htmls and html_wins:
        fmt, pairs, body = "html", html_pairs, "\n".join(html_texts)
    else:
        fmt, pairs, body = "text", text_pairs, "\n".join(message.texts)
    builder = LeadBuilder(fmt, region=message.region)
    builder.set_email_date(message.date)
    if message.subject:
        builder.values["email_subject"] = message.subject
    for label, canonical, value in pairs:
        if canonical:
            builder.set(canonical, value, label=label)
        else:
            builder.add_extra(label, value)
    _contact_form_sender(body, builder)
    relayed.apply(buyer, builder, sender_name=message.sender_name)
    if is_relay(message.sender_name, message.sender_addr):
        relayed.phones_in_comments(builder)
    sentences.apply(found, builder, sender_name=message.sender_name)
    if own and _score(pairs) <= 2:  # prose, perhaps a signature's phone: not a form
        _own_words(builder, message, body)
    if message.is_email:
        builder.set("external_id", reference_in_subject(message.subject))
        had_vehicle = bool(builder.vehicles["vehicle"])
        lines = headlines(message)
        vehicle_from_title(builder, None, message.subject, lines)
        if not had_vehicle and _is_trade_in(builder.vehicles):
            builder.vehicles["vehicle"] = {}  # "Solicitud de tasación - Seat León": the trade-in
        else:
            price_below_title(builder, lines)
    _vehicle_in_message(builder)
    trade_in_in_words(builder)
    _facts_after_model(builder)
    return builder


def _own_words(builder: LeadBuilder, message: Message, body: str) -> None:
    """A person's own mail: what they wrote is the comment, and asks for what its words say
    when no label or subject does ("Me gustaría hacer una prueba de conducción")."""
    words = personal.own_words(body)
    if not builder.comments:
        builder.set("comments", words)
    asked = builder.values.get("lead_type") or message.subject
    if words and lead_type_from_text(asked) is None:
        # "Call me on 07911 …" says how to reach them, not that they asked for a call.
        for _phone, phrase in sentences.phones_in_words(body):
            words = words.replace(" ".join(phrase.split()), " ")
        builder.lead_type = lead_type_from_text(words, allow_trade_in=False)


def _is_trade_in(vehicles: dict[str, dict]) -> bool:
    """The car a subject or headline names is the trade-in read from the fields."""
    wanted, trade_in = vehicles["vehicle"], vehicles["trade_in"]
    if not wanted.get("model") or not trade_in.get("model"):
        return False
    same_make = canonical_make(wanted.get("make")) == canonical_make(trade_in.get("make"))
    return same_make and fold(trade_in["model"]).startswith(fold(wanted["model"]))


def _vehicle_in_message(builder: LeadBuilder) -> None:
    """No field, subject or headline names the car: the first one the customer's message names
    ("is the 2021 Toyota RAV4 still available?"), make and model only as prose runs on, and a
    year right before it. Not beside a trade-in, whose car the words may be."""
    if builder.vehicles["vehicle"] or builder.vehicles["trade_in"]:
        return
    for text in builder.comments:
        found = vehicle_in_text(text[:2000])
        if not found or not found.get("model"):
            continue
        before = re.search(
            r"\b(19[5-9]\d|20[0-4]\d)\s+(?:\S+\s+){0,2}?" + re.escape(found["model"]), text
        )
        raw = {"make": found["make"], "model": found["model"], "year": before and before.group(1)}
        builder.vehicles["vehicle"] = {k: str(v) for k, v in raw.items() if v}
        return


_YEAR_IN_BRACKETS = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b(?!\s*km)")
_KM_IN_BRACKETS = re.compile(r"\b\d{1,3}(?:[.\s]\d{3})+\s*km\b|\b\d{1,6}\s*km\b", re.I)


def _facts_after_model(builder: LeadBuilder) -> None:
    """ "de Volvo XC40 Recharge Plus (2023, 28.000 km)": the year and mileage a customer writes in
    brackets right after the car's model, when no field gave them."""
    wanted = builder.vehicles["vehicle"]
    model = wanted.get("model")
    if not model or (wanted.get("year") and wanted.get("mileage")):
        return
    pattern = re.escape(model) + r"[^()\n.?!]{0,40}?\(([^()]{1,60})\)"
    for text in builder.comments:
        found = re.search(pattern, text[:2000], re.I)
        if found is None:
            continue
        year = _YEAR_IN_BRACKETS.search(found.group(1))
        mileage = _KM_IN_BRACKETS.search(found.group(1))
        if year and not wanted.get("year"):
            wanted["year"] = year.group(1)
        if mileage and not wanted.get("mileage"):
            wanted["mileage"] = mileage.group()
        return
