"""Leads written as a sentence rather than as labels.

"Nieuwe aanvraag van Jan Jansen voor uw Volkswagen Golf", "Max Mustermann hat Interesse an
Ihrem Fahrzeug", "Missed call from +44 7911 123456": the name, the car and the caller's number.
Each pattern is anchored on its fixed words and reads bounded runs of non-space characters, so
no input makes it backtrack for long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leadparser import personal
from leadparser.builder import LeadBuilder

_MAX_LINES = 80  # the sentence is in the subject or the opening lines
_MAX_LINE = 400

_PARTICLES = frozenset({
    "van", "de", "der", "den", "ten", "ter", "von", "vom", "zu", "du", "des", "le", "la", "del",
    "della", "di", "da", "dos", "das", "do", "el", "'t",
})  # fmt: skip
_POSSESSIVE = (
    r"(?:uw|je|jouw|your|ihr|ihre|ihrem|ihren|ihres|votre|vos|su|sus|tu|il tuo|la tua|"
    r"al tuo|alla tua|il vostro|al vostro|tuo|tua|vostro|o seu|a sua|ao seu|pelo seu|pela sua|"
    r"seu|sua|twoj|twoje|"
    r"twojego|tw[oó]j|wasz|wasze|pana|pani)\s+"
)
_OBJECT = (
    r"(?:(?:auto|wagen|voertuig|occasion|advertentie|fahrzeug|inserat|angebot|v[ée]hicule|"
    r"voiture|annonce|vehicle|car|listing|advert|ad|veh[ií]culo|coche|anuncio|veicolo|annuncio|"
    r"ve[ií]culo|viatura|an[uú]ncio|pojazd|samoch[oó]d|og[lł]oszenie)\b[\s:]*)?"
)
_INTERESTED = (
    r"heeft interesse in|is ge[iï]nteresseerd in|interesseert zich voor|is interested in|"
    r"has shown interest in|hat interesse an|hat interesse f[uü]r|interessiert sich f[uü]r|"
    r"est int[ée]ress[ée]e? par|s'int[ée]resse [àa]|est[áa] interesad[oa] en|"
    r"[èe] interessat[oa] (?:al|alla|a)|est[áa] interessad[oa] (?:em|no|na)|"
    r"jest zainteresowan[ya]"
)
_NEW_REQUEST = (
    r"nieuwe (?:aanvraag|lead|reactie|vraag)|new (?:enquiry|inquiry|lead|request|message)|"
    r"neue (?:anfrage|nachricht)|nouvelle demande|nouveau message|nueva (?:solicitud|consulta)|"
    r"nuova richiesta|novo pedido|nova mensagem|nowe zapytanie|nowa wiadomo[sś][cć]"
)
_FOR = frozenset({
    "voor", "over", "for", "about", "on", "für", "fur", "zu", "zum", "pour", "sur", "para",
    "sobre", "per", "su", "dla", "na",
})  # fmt: skip
_INTEREST_RE = re.compile(rf"\s(?:{_INTERESTED})\s(?P<rest>[^\n]*)", re.I)
_REQUEST_RE = re.compile(
    rf"(?:{_NEW_REQUEST})\s(?:van|from|von|de|da|od):?\s(?P<rest>[^\n]*)", re.I
)
_CALL_RE = re.compile(
    r"\b(?P<what>missed call|gemiste oproep|gemist gesprek|verpasster anruf|entgangener anruf|"
    r"appel manqu[ée]|chiamata persa|llamada perdida|chamada perdida|nieodebrane po[lł][aą]czenie|"
    r"incoming call|inkomende oproep|eingehender anruf|appel entrant|oproep|anruf|call|appel)"
    r"(?: (?:received|ontvangen|erhalten|re[cç]u))? (?:van|from|von|de|da|od):? "
    r"(?P<who>[^\n]{3,80})",
    re.I,
)
_CONTACT_WORDS = re.compile(
    r"contact|bereik|bel |erreich|anruf|joindre|appeler|reach|call|llamar|contatt|ligar|"
    r"kontakt|mail",
    re.I,
)
# In a person's own words a number after a phone word is theirs: "Mijn gsm: +32 470 …", "bel me
# op 06 …", "sur mon portable au 06 …", "meine Handynummer ist 0151 …", "mi móvil es el 612 …",
# "call me on 07911 …", and a signature's "T: …" / "M: …". "Bel ons op …" is the dealer's.
_PHONE_WORD = (
    r"(?:\b(?:gsm|tel|t[ée]l|telefoon|telefoonnummer|telefon|telefonnummer|t[ée]l[ée]phone|"
    r"tel[ée]fono|phone|mobiel|mobiele nummer|mobile?|mobil|mobilnummer|m[óo]vil|portable|"
    r"handy|handynummer|cell|cellphone|rufnummer|nummer|num[ée]ro|number|n[úu]mero)\b|"
    r"\bbel(?:t u)? (?:me|mij)\b|\bbellen\b|\bcall me\b|\bring me\b|\breach me\b|"
    r"\btext me\b|\bbereik(?:en|baar)\b|\bjoindre\b|\bappele[rz]\b|\brappeler\b|\berreichen\b|\berreichbar\b|"
    r"\banrufen\b|\brufen sie\b|\bll[áa]m(?:ame|eme|enme|ar)\b|^\s*[TMP]\b)"
)
_PROSE_PHONE = re.compile(
    rf"{_PHONE_WORD}(?P<between>[^\d+\n]{{0,30}}?)(?P<phone>\+?\d[\d ()./-]{{5,22}}\d)", re.I | re.M
)
_NOT_MINE = re.compile(r"\b(?:ons|onze|us|our|uns|unsere?|nous|notre|nos|nuestro|jullie)\b", re.I)
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,5}")
_PHONE = re.compile(r"\+?\d[\d ()./-]{5,22}\d")
_VEHICLE_END = re.compile(r"(?:[.!?](?:\s|$)|\s[(\[|–—-]\s|\s\(| - | op | on | auf | sur | en )")


@dataclass
class Found:
    name: str | None = None
    vehicle: str | None = None
    phone: str | None = None
    email: str | None = None
    call: bool = False
    own_phones: list[str] = field(default_factory=list)  # in a person's own words


def _is_name_word(word: str) -> bool:
    return word[:1].isupper() and not any(c.isdigit() for c in word) or word in _PARTICLES


def _name(words: list[str]) -> str | None:
    """A name: capitalised words ("Jan van der Berg"), starting and ending with a capital."""
    while words and not words[-1][:1].isupper():
        words = words[:-1]
    if not words or not words[0][:1].isupper() or len(words) > 6:
        return None
    return " ".join(words) if all(_is_name_word(w) for w in words) else None


def name_before(head: str) -> str | None:
    """The name just before "heeft interesse in": the capitalised words ending the text."""
    words: list[str] = []
    for word in reversed(head.split()[-7:]):
        clean = word.strip(",:;")
        if not _is_name_word(clean) or len(words) == 6 or word.endswith((":", ",", ";")):
            if word.endswith((":", ",", ";")) and _is_name_word(clean) and not words:
                words.insert(0, clean)  # "Lead: Jan" – the colon ends the word before
            break
        words.insert(0, clean)
    return _name(words)


def name_after(tail: str) -> tuple[str | None, str]:
    """The name at the start of "Jan Jansen voor uw Golf", and the rest after "voor"."""
    words = tail.split()
    taken: list[str] = []
    for word in words[:6]:
        clean = word.strip(",:;.()")
        if not clean or not _is_name_word(clean) or clean.lower() in _FOR:
            break
        taken.append(clean)
        if word.endswith((",", ";", ".", ")", ":")):
            break  # "Neue Nachricht von Kleinanzeigen: Mit …": the colon ends the name
    rest = words[len(taken) :]
    if rest and rest[0].lower().strip(":") in _FOR:
        rest = rest[1:]
    elif rest:
        rest = []  # no "for …": what follows is no vehicle
    return _name(taken), " ".join(rest)


def _vehicle(rest: str | None) -> str | None:
    if not rest:
        return None
    text = re.sub(rf"^(?:{_POSSESSIVE})?", "", rest.strip(), flags=re.I)
    text = re.sub(rf"^{_OBJECT}", "", text, flags=re.I)
    end = _VEHICLE_END.search(text)
    text = text[: end.start()] if end else text
    text = text.strip(" \t\"'“”„«»:,;.")
    return text if 2 <= len(text) <= 80 and re.search(r"[^\W\d_]", text) else None


_SPECIFIC_CALL = re.compile(r"missed|gemist|verpasst|entgangen|manqu|persa|perdida|nieodebr", re.I)


def _read_call(line: str, found: Found) -> None:
    """ "Missed call from 06 …": always a call; "Call from …" only with a number."""
    call = _CALL_RE.search(line)
    if call is None:
        return
    who = call.group("who")
    phone = _PHONE.search(who)
    if phone is None and not _SPECIFIC_CALL.search(call.group("what")):
        return
    found.call = True
    found.phone = found.phone or (phone.group() if phone else None)
    rest = (who[: phone.start()] if phone else who).strip(" :,(-")
    rest = re.split(r"[,(<]| om | at | um | à | alle | a las | o ", rest)[0]
    found.name = found.name or _name(rest.split())


def _read_contact(line: str, found: Found) -> None:
    """ "Vous pouvez la contacter au 06 … ou par e-mail à marie@…": the details in prose."""
    if not _CONTACT_WORDS.search(line):
        return
    email = _EMAIL.search(line)
    found.email = found.email or (email.group() if email else None)
    phone = _PHONE.search(line)
    found.phone = found.phone or (phone.group() if phone else None)


def phones_in_words(text: str) -> list[tuple[str, str]]:
    """(number, the words that name it) of each number written after a phone word in a
    person's own text, not quoted, not the dealer's ("bel ons op …")."""
    found = []
    for line in text.splitlines()[:_MAX_LINES]:
        if line.lstrip().startswith(">"):
            continue
        for match in _PROSE_PHONE.finditer(line[:_MAX_LINE]):
            if not _NOT_MINE.search(match.group("between")):
                found.append((match.group("phone"), match.group()))
    return found


def read(texts: list[str], *, own_words: bool = False) -> Found | None:
    """The first sentence naming who asks about what, or who called, in ``texts``: the body
    first (its sentence is the complete one), the subject last. ``own_words``: the body is a
    person's own mail, whose phone words name their numbers."""
    found = Found()
    if own_words and texts:
        signed = personal.signature_phones(texts[0])
        for phone in [*(p for p, _words in phones_in_words(texts[0])), *signed]:
            if phone not in found.own_phones:
                found.own_phones.append(phone)
    after = 0  # lines since the sentence: its contact details follow it closely
    for text in texts:
        for line in text.splitlines()[:_MAX_LINES]:
            line = line[:_MAX_LINE].replace("\t", " ")
            if not line.strip():
                continue
            if not found.call:
                _read_call(line, found)
            if 0 < after <= 4:
                _read_contact(line, found)
                after += 1
            if found.name is not None and found.vehicle is not None:
                continue
            request = _REQUEST_RE.search(line)
            interest = None if request else _INTEREST_RE.search(line)
            if request:
                name, rest = name_after(request.group("rest"))
            elif interest:
                name, rest = name_before(line[: interest.start()]), interest.group("rest")
            else:
                continue
            if name and found.name in (None, name):
                found.name, after = name, 1
                found.vehicle = found.vehicle or _vehicle(rest)
    if found.name or found.phone or found.call or found.own_phones:
        return found
    return None


def apply(found: Found | None, builder: LeadBuilder, *, sender_name: str | None = None) -> None:
    """What the sentence says fills only what the labels left empty. "New message from
    Northgate Cars" names the sender (the site), not a customer."""
    if found is None:
        return
    if found.name and sender_name and found.name.casefold() in sender_name.casefold():
        found.name = None
    if found.name and not any(
        builder.values.get(k)
        for k in ("customer.full_name", "customer.first_name", "customer.last_name")
    ):
        builder.set("customer.full_name", found.name)
    if found.vehicle and not builder.vehicles["vehicle"]:
        builder.set("vehicle.description", found.vehicle)
    if found.phone and not builder.phones:
        builder.add_phone(found.phone, label="caller")
    if found.own_phones and not builder.phones:
        for phone in found.own_phones:
            builder.add_phone(phone, label="phone")
    if found.email:
        builder.set("customer.email", found.email)
    if found.call:
        builder.lead_type = "call"
