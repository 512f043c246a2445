"""A person's own e-mail to the dealership: the words, the name and the domain of a sender who
writes from their own mailbox (Gmail, Outlook, a phone's mail app, a company address).

leadparser.envelope decides whether the sender is such a person; this module reads what the mail
of one looks like: the name they sign with, their words without the phone app's signature and
the quote below a reply, and the free mail providers whose domain is nobody's organisation.
"""

from __future__ import annotations

import re

from leadparser.label_dictionary import is_closing

# Mailbox providers: two addresses there share no organisation (a dealer's salesperson and a
# customer both at gmail.com are no colleagues).
FREEMAIL = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.nl", "hotmail.be", "hotmail.fr",
    "hotmail.de", "hotmail.es", "hotmail.co.uk", "outlook.com", "outlook.be", "outlook.de",
    "outlook.fr", "outlook.es", "live.com", "live.nl", "live.be", "live.fr", "live.de", "msn.com",
    "yahoo.com", "yahoo.fr", "yahoo.de", "yahoo.es", "yahoo.co.uk", "ymail.com", "icloud.com",
    "me.com", "mac.com", "aol.com", "gmx.de", "gmx.net", "gmx.com", "web.de", "t-online.de",
    "freenet.de", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "laposte.net", "ziggo.nl",
    "kpnmail.nl", "kpnplanet.nl", "planet.nl", "home.nl", "hetnet.nl", "xs4all.nl", "telenet.be",
    "skynet.be", "proximus.be", "scarlet.be", "protonmail.com", "proton.me", "telefonica.net",
    "movistar.es", "libero.it", "btinternet.com", "sky.com",
})  # fmt: skip
# A company's shared mailbox for bills, and the mail system's own: no person asks for a car there.
_ROLE_LOCAL = re.compile(
    r"^(?:factu\w*|invoic\w*|billing|debiteuren|crediteuren|debtors?|creditors?|administratie|"
    r"boekhouding|accounting|accounts|buchhaltung|rechnung\w*|comptabilit\w*|contabilidad|"
    r"postmaster|hostmaster|abuse|mailer[-_.]?daemon|notification\w*|notificaties|meldingen|"
    r"benachrichtigung\w*|alerts?|reports?|rapport\w*|status|dashboard|automat\w*)"
    r"(?:$|[-_.+0-9])",
    re.I,
)
# A display name that names a program, a department or a company, not a person.
_MACHINE_NAME = re.compile(
    r"\b(?:dashboard|team|service|services|support|notifications?|meldingen|alerts?|system|"
    r"systeem|portal|portaal|website|webshop|shop|administratie|debiteuren|boekhouding|"
    r"accounting|billing|buchhaltung|comptabilit[ée]|facturatie|facturation|no-?reply|info|"
    r"b\.?v\.?|n\.?v\.?|gmbh|ag|s\.?a\.?|sarl|sas|s\.?l\.?|ltd|inc|llc|bvba|srl)(?:\W|$)",
    re.I,
)
# The line a phone's or a program's mail app adds under what the person wrote.
_APP_SIGNATURE = re.compile(
    r"^\s*(?:sent from|sent with|get outlook for|verstuurd (?:vanaf|met|vanuit)|verzonden (?:vanaf|"
    r"met|vanuit)|envoy[ée] (?:de|depuis|avec)|obtenir outlook|von meinem \S+ gesendet|"
    r"gesendet (?:von|mit)|enviado (?:desde|con)|obtener outlook|inviato da)\b",
    re.I,
)
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "ltd", "plc", "gv", "or", "ne"}
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.-]*(?:[-'’][^\W\d_]+)*\.?$")
_PARTICLES = frozenset({"van", "de", "der", "den", "ten", "ter", "von", "zu", "du", "des", "le",
                        "la", "del", "della", "di", "da", "dos", "el"})  # fmt: skip


def organisation(address: str | None) -> str:
    """'reply.marktplaats.example' and 'marktplaats.example' are one sender's: the registered
    domain (two labels, three under a national second level such as .co.uk or .com.es)."""
    labels = (address or "").rsplit("@", 1)[-1].lower().split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def is_role_address(address: str | None) -> bool:
    """A billing department's or a mail system's mailbox, never a customer's."""
    return bool(address and _ROLE_LOCAL.match(address.rsplit("@", 1)[0]))


def is_machine_name(display: str | None) -> bool:
    """ "Calltracking Dashboard", "Autoparts Benelux B.V.": a program's or a company's name."""
    return bool(display and _MACHINE_NAME.search(display))


def _name_words(text: str) -> list[str] | None:
    """The words of a person's name ("Anaïs Dubois", "Ellen de Boer"), or None: no digits, no
    address, starting and ending with a capital."""
    words = text.replace(",", " ").split()
    if not 0 < len(words) <= 5 or "@" in text:
        return None
    for word in words:
        if not (_NAME_WORD.match(word) and (word[0].isupper() or word in _PARTICLES)):
            return None
    return words if words[-1][0].isupper() else None


def _given_first(display: str) -> str:
    """Outlook and Exchange directories show "Family, Given" ("Jansen, Mark", "de Boer, Ellen"):
    the name as it is said. Anything else as it stands."""
    family, comma, given = display.partition(",")
    if not comma or "," in given:
        return display
    family_words, given_words = _name_words(family.strip()), _name_words(given.strip())
    if family_words and given_words and len(given_words) <= 2:
        return " ".join([*given_words, *family_words])
    return display


def own_words(text: str | None) -> str | None:
    """What the person wrote: the lines above their closing or a mail app's signature, without
    quoted lines."""
    kept: list[str] = []
    for line in (text or "").splitlines():
        if _APP_SIGNATURE.match(line) or (any(k.strip() for k in kept) and is_closing(line)):
            break  # their name, title and company follow the closing
        if not line.lstrip().startswith(">"):
            kept.append(line)
    words = " ".join(" ".join(kept).split())
    return words[:2000] or None


def _signed_name(text: str | None) -> list[str] | None:
    """The name on the line after a closing ("Met vriendelijke groet," / "Mark Jansen")."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for index, line in enumerate(lines[:-1]):
        if is_closing(line) and not _APP_SIGNATURE.match(line):
            return _name_words(lines[index + 1])
    return None


def sender_name(display: str | None, text: str | None) -> str | None:
    """The person's name: the display name when it is one ("Anaïs Dubois"); the signed name
    when the display name is a first name it starts with ("Mark" signing "Mark Jansen") or no
    name at all ("jan123")."""
    shown = _name_words(_given_first((display or "").strip().strip("'\"")))
    signed = _signed_name(text)
    if shown and len(shown) > 1:
        return " ".join(shown)
    if shown:
        same = signed and len(signed) > 1 and signed[0].casefold() == shown[0].casefold()
        return " ".join(signed if same else shown)
    return " ".join(signed) if signed else None


# A signature's line holding nothing but a number ("06 - 87 65 43 21", "+32 470 12 34 56").
_BARE_PHONE_LINE = re.compile(r"^\s*\+?\(?\d[\d ()./-]{6,22}\d\s*$")
_SIGNATURE_LINES = 4  # name, title, company, number: a signature is short


def signature_phones(text: str | None) -> list[str]:
    """The numbers standing alone on the lines just below the person's closing and name ("Met
    vriendelijke groet," / "Jeroen Bakker" / "06 - 87 65 43 21"): theirs, though no word names
    them. Only the first closing: a quoted reply below holds the dealer's signature."""
    lines = [line.strip() for line in (text or "").splitlines()]
    for index, line in enumerate(lines):
        if not line or _APP_SIGNATURE.match(line) or not is_closing(line):
            continue
        below = [b for b in lines[index + 1 : index + 1 + 2 * _SIGNATURE_LINES] if b]
        found = []
        for signed in below[:_SIGNATURE_LINES]:
            if signed.startswith(">") or _APP_SIGNATURE.match(signed):
                break
            if _BARE_PHONE_LINE.match(signed):
                found.append(signed)
        return found
    return []
