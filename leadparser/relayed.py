"""A buyer's message relayed by a classified-ad platform (Marktplaats, 2dehands, Kleinanzeigen,
leboncoin, Wallapop, Milanuncios, Subito, OLX, Gumtree…).

These mails have no customer labels: the platform says who wrote in a sentence ("Jan heeft je
een bericht gestuurd", "Julien vous a fait une offre de 11 200 €", "Neue Nachricht von Max",
"Alejandro te ha escrito", "Sarah sent you a message"), quotes the buyer's own words below the
ad's title and price, and relays replies through its Reply-To address (leadparser.envelope).
A buyer who wants a call writes the number inside those words ("bel me op 06 12345678").

Each pattern is anchored on its fixed words; names are read by leadparser.sentences' rules
(capitalised words), minus articles and role nouns ("Ein Käufer hat ein Angebot gemacht" in a
newsletter names nobody).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from leadparser.builder import LeadBuilder
from leadparser.envelope import is_relay
from leadparser.html_text import html_content
from leadparser.label_dictionary import is_closing
from leadparser.message import Message
from leadparser.sentences import name_after, name_before, phones_in_words

_MAX_LINES = 60  # the sentence opens the mail; the buyer's words follow within a few lines
_MAX_LINE = 400
_MAX_MESSAGE_LINES = 25
_MAX_MESSAGE_CHARS = 2000

AMOUNT = (
    r"(?:[€£$]|EUR|CHF)\s?\d{1,3}(?:[.,\s\u00a0\u202f]\d{3})*(?:[.,]\d{2}|,-)?"
    r"|\d{1,3}(?:[.,\s\u00a0\u202f]\d{3})*(?:[.,]\d{2}|,-)?\s?(?:€|EUR|euros?|£|CHF)"
)
_OFFER_AMOUNT = rf"(?:\s(?:van|von|über|uber|of|de|di|por|for)\s(?:{AMOUNT}))?"
_AMOUNT_RE = re.compile(AMOUNT, re.I)
# What the platform says the buyer did, after the buyer's name.
_ACTS = (
    # nl
    r"heeft (?:je |jou |u )?een (?:nieuw )?bericht (?:ge)?stuurd|stuurde (?:je|u) een bericht|"
    r"heeft (?:je |u )?(?:een )?(?:nieuw )?bericht geschreven|heeft gereageerd op|"
    rf"heeft (?:je |u )?een bod{_OFFER_AMOUNT} (?:gedaan|uitgebracht|geplaatst)|"
    # fr
    r"(?:vous |t['’] ?)?a envoy[ée] un (?:nouveau )?message|vous a [ée]crit|"
    r"a r[ée]pondu [àa] (?:votre|ton) annonce|"
    rf"(?:vous |t['’] ?)?a fait une (?:nouvelle )?offre{_OFFER_AMOUNT}|"
    # de
    r"hat (?:dir |Ihnen )?(?:eine )?(?:neue )?Nachricht (?:zu (?:deiner|Ihrer) Anzeige )?"
    r"(?:geschickt|gesendet|geschrieben)|hat (?:dir|Ihnen) geschrieben|"
    rf"hat (?:dir |Ihnen )?(?:ein |einen )?(?:Angebot|Preisvorschlag|Gebot){_OFFER_AMOUNT} "
    r"(?:gemacht|abgegeben|gesendet|geschickt)|"
    # es
    r"(?:te |le )?ha (?:enviado|escrito|mandado)(?: un (?:nuevo )?mensaje)?|"
    rf"(?:te |le )?ha hecho una (?:nueva )?oferta{_OFFER_AMOUNT}|"
    # it
    r"(?:ti )?ha (?:inviato|scritto|mandato)(?: un (?:nuovo )?messaggio)?|"
    rf"(?:ti )?ha fatto un['’ ]?offerta{_OFFER_AMOUNT}|"
    # pt
    r"(?:enviou|mandou)(?:-lhe|-te)? uma (?:nova )?mensagem|"
    rf"fez(?:-lhe|-te)? uma (?:nova )?(?:oferta|proposta){_OFFER_AMOUNT}|"
    # en
    r"(?:has )?sent you a (?:new )?message|(?:has )?messaged you|"
    r"(?:has )?replied to your (?:ad|advert|listing)|"
    rf"(?:has )?made (?:you )?an offer{_OFFER_AMOUNT}"
)
_ACT_RE = re.compile(rf"\s(?:{_ACTS})(?![\w-])", re.I)
# "Neue Nachricht von Max", "Bod van Kees Jansen", "Message de Julien :": the name after.
_FROM_RE = re.compile(
    r"(?:^|[\s:!.])(?:(?:nieuwe?|neue|new|nouveau|nouvelle|nuevo|nueva|nuovo|nuova|nova)\s)?"
    r"(?P<what>bericht|reactie|bod|nachricht|angebot|preisvorschlag|gebot|message|offre|"
    r"mensaje|oferta|messaggio|offerta|mensagem|proposta|offer|reply)\s"
    r"(?:van|von|de|from|da|di|d['’])\s?(?P<rest>[^\n]*)",
    re.I,
)
# A platform's label for the buyer above their quoted words: "Van: Sanne de Vries".
_FROM_LABEL = re.compile(
    r"^\s*(?:van|von|from|de|da|door|afzender|absender|expediteur|remitente)\s*:\s*"
    r"(?P<rest>[^\n@<>:]{2,60})$",
    re.I,
)
# "Pieter schreef:", "Sarah wrote:": the buyer's words follow.
_WROTE_RE = re.compile(
    r"^\s*(?P<head>[^\n:]{1,60}?)\s(?:schreef|schrijft|schrieb|schreibt|wrote|writes|"
    r"a [ée]crit|[ée]crit|escribi[óo]|escribe|ha scritto|scrive|escreveu)\s*:\s*$",
    re.I,
)
# Not a name: an article or pronoun in front, or the platform's word for "a buyer" (which
# German capitalises). Particles inside a name stay: "Jan de Vries".
_NOT_FIRST = frozenset({
    "een", "de", "het", "ein", "eine", "einer", "der", "die", "das", "un", "une", "le", "la",
    "les", "el", "los", "uno", "una", "il", "lo", "a", "an", "the", "someone", "somebody",
    "iemand", "jemand", "quelqu'un", "alguien", "qualcuno", "alguem", "er", "je", "you", "du",
    "sie", "vous", "tu", "u",
})  # fmt: skip
_ROLES = frozenset({
    "koper", "kandidaat", "geinteresseerde", "gebruiker", "käufer", "kaufer", "interessent",
    "nutzer", "bieter", "acheteur", "utilisateur", "comprador", "usuario", "acquirente",
    "utente", "buyer", "user", "seller", "verkoper", "verkäufer", "vendeur", "vendedor",
    "venditore",
})  # fmt: skip
_QUOTE_OPEN = "\"“„«‘'‹"
_QUOTE_CLOSE = "\"”“»’'›"


@dataclass
class Relayed:
    name: str | None = None
    offer: str | None = None
    message: str | None = None
    phones: tuple[str, ...] = ()


def _acceptable(name: str | None) -> str | None:
    if not name:
        return None
    words = name.casefold().split()
    return None if words[0] in _NOT_FIRST or any(w in _ROLES for w in words) else name


def _sentence(line: str) -> tuple[str | None, str | None]:
    """(name, offer amount) of a line naming who wrote or bid; (None, None) when none does."""
    act = _ACT_RE.search(line)
    if act and "?" not in line[act.end() : act.end() + 60].split(".")[0]:
        name = _acceptable(name_before(line[: act.start()]))
        if name:
            amount = _AMOUNT_RE.search(act.group())
            return name, (amount.group().strip() if amount else None)
    said = _FROM_RE.search(line)
    if said:
        return _acceptable(name_after(said.group("rest"))[0]), None
    return None, None


def _quoted(lines: list[str], start: int) -> str | None:
    """The buyer's words quoted from ``lines[start]`` on ("„Hallo …" … "… 0176 98765432\"")."""
    first = lines[start].strip()
    if not first or first[0] not in _QUOTE_OPEN:
        return None
    taken: list[str] = []
    for index in range(start, min(len(lines), start + _MAX_MESSAGE_LINES)):
        line = lines[index].strip()
        if not line and taken:
            return None  # a blank line inside a quote: no quote after all
        taken.append(line)
        if line[-1:] in _QUOTE_CLOSE and (index > start or len(line) > 1):
            return " ".join(taken)[1:-1].strip() or None
    return None


def _below(lines: list[str], start: int) -> str | None:
    """The buyer's words under an intro line ("Bericht van Kees:", "Sarah wrote:"): quoted, or
    the lines up to a blank line after text."""
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines):
        return None
    quoted = _quoted(lines, index)
    if quoted:
        return quoted
    taken: list[str] = []
    for line in lines[index : index + _MAX_MESSAGE_LINES]:
        if not line.strip() or is_closing(line):
            break
        taken.append(line.strip())
    return " ".join(taken) or None


def _message(lines: list[str], start: int) -> str | None:
    """The buyer's words after the sentence at ``lines[start]``: under an intro line ending in
    a colon, else the first quoted block within the next lines (below the ad's title and price)."""
    for index in range(start, min(len(lines), start + 15)):
        line = lines[index].strip()
        if (
            index > start
            and (_WROTE_RE.match(line) or _FROM_RE.search(line))
            and line.endswith(":")
        ):
            return _below(lines, index + 1)
        quoted = _quoted(lines, index)
        if quoted:
            return quoted
    return None


_FIELD_LINE = re.compile(r"^\s*[^\s:][^:\n]{0,30}:\s*\S")


def _quoted_below(lines: list[str], start: int) -> bool:
    """A quoted block opens within the few lines below ``lines[start]``, past the platform's
    fields for the buyer's contact ("Email: …", "Phone: …") that may stand between."""
    index, end = start + 1, min(len(lines), start + 4)
    while index < end:
        if _quoted(lines, index):
            return True
        if _FIELD_LINE.match(lines[index]) and end < min(len(lines), start + 8):
            end += 1
        index += 1
    return False


def phones_in(text: str | None, region: str) -> tuple[str, ...]:
    """Phone numbers written in a buyer's own words, as written ("06-28719334")."""
    if not text:
        return ()
    matcher = phonenumbers.PhoneNumberMatcher(
        text[:_MAX_MESSAGE_CHARS], region, leniency=phonenumbers.Leniency.VALID
    )
    return tuple(match.raw_string for match in matcher)


def read(texts: list[str], region: str) -> Relayed | None:
    """The relayed buyer: the first sentence naming them, their offer and their own words."""
    for text in texts:
        lines = [line[:_MAX_LINE].replace("\t", " ") for line in text.splitlines()[:_MAX_LINES]]
        for index, line in enumerate(lines):
            if not line.strip():
                continue
            name, offer = _sentence(line)
            if name is None:
                labelled = _FROM_LABEL.match(line)
                name = _acceptable(labelled and name_after(labelled.group("rest"))[0])
                # "Van: Sanne de Vries" over the quoted message: only with the words below it
                # is the label the buyer's and not a header's.
                if name is None or not _quoted_below(lines, index):
                    continue
            message = _message(lines, index)
            if message:
                message = message[:_MAX_MESSAGE_CHARS]
            return Relayed(name, offer, message, phones_in(message, region))
    return None


def read_message(message: Message) -> Relayed | None:
    """The relayed buyer of an e-mail a platform sent (never of a person's own mail: "the offer
    of Autohaus Müller" in a customer's words names no customer); the text part first, then
    the HTML part's text, then the subject."""
    if not message.is_email or not is_relay(message.sender_name, message.sender_addr):
        return None
    texts = [*message.texts, *(html_content(h).text for h in message.htmls[:1])]
    return read([*texts, f" {message.subject or ''}"], message.region)


def apply(found: Relayed | None, builder: LeadBuilder, *, sender_name: str | None = None) -> None:
    """What the platform relays fills only what the labels left empty."""
    if found is None:
        return
    name = found.name
    if name and sender_name and name.casefold() in sender_name.casefold():
        name = None  # "Neue Nachricht von Kleinanzeigen": the platform, not a buyer
    named = any(
        builder.values.get(k)
        for k in ("customer.full_name", "customer.first_name", "customer.last_name")
    )
    if name and not named:
        builder.set("customer.full_name", name)
    if found.offer:
        builder.add_extra("offer_price", found.offer)
    if found.message and not builder.comments:
        builder.set("comments", found.message)
    if not builder.phones:
        for phone in found.phones:
            builder.add_phone(phone, label="phone in message")


def phones_in_comments(builder: LeadBuilder) -> None:
    """The buyer's message a portal relays is their own words: a number after a phone word there
    is theirs ("je kunt me bellen op 06 …", "U kan mij bereiken op +32 …") when no field gave one.
    "Bel ons op …" stays the portal's or the dealer's."""
    if builder.phones:
        return
    for phone, _words in phones_in_words("\n".join(builder.comments)):
        builder.add_phone(phone, label="phone in message")
