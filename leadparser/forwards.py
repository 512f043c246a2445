"""Forwards and replies: find the original message inside a forwarded or quoted one.

Mail clients write the original below a marker ("---------- Forwarded message ---------",
"-----Original Message-----", "Begin forwarded message:", an Outlook "From:/Sent:/To:/Subject:"
block, "On … wrote:") in the text part, and the same in the HTML part. Both parts are cut into
lines (the HTML at its line-breaking tags, keeping each line's offset in the source) and read by
the same rules, so that the HTML given to the readers is the original's own HTML.
"""

from __future__ import annotations

import email.utils
import html as html_lib
import re
from dataclasses import dataclass, field

from leadparser.normalize import fold

MAX_SCAN_CHARS = 1_000_000  # as the label reader: a forward's headers sit near the top
MAX_LINES = 5_000  # a thread of forwards with disclaimers is a few hundred lines; more is noise

# Separator lines: the phrase between dashes, or a heading line ending in a colon.
_DASHED = re.compile(r"^\s*[-–—_=]{2,}\s*([^-–—_=].*?)\s*[-–—_=]{2,}\s*$")
_FORWARD_PHRASES = {
    "forwarded message", "doorgestuurd bericht", "doorgestuurde e-mail", "weitergeleitete nachricht",
    "message transfere", "mensaje reenviado", "messaggio inoltrato", "mensagem encaminhada",
    "wiadomosc przekazana", "forwarded message follows",
}  # fmt: skip
_ORIGINAL_PHRASES = {
    "original message", "oorspronkelijk bericht", "ursprungliche nachricht", "originalnachricht",
    "message d'origine", "message d origine", "mensaje original", "messaggio originale",
    "mensagem original", "oryginalna wiadomosc",
}  # fmt: skip
_FORWARD_HEADINGS = re.compile(
    r"^\s*(?:begin forwarded message|begin doorgestuurd bericht|anfang der weitergeleiteten "
    r"nachricht|debut du message reexpedie|inicio del mensaje reenviado|inizio messaggio "
    r"inoltrato)\s*:\s*$"
)
_UNDERSCORES = re.compile(r"^\s*_{8,}\s*$")

# Header labels of a quoted message, by meaning (folded: lower case, accents removed).
_LABELS = {
    "from": {"from", "van", "von", "de", "da", "expediteur", "absender", "remitente", "od"},
    "date": {"date", "sent", "datum", "verzonden", "verstuurd", "gesendet", "envoye", "enviado",
             "enviado el", "enviada", "fecha", "inviato", "data", "wyslano", "envoye le"},
    "to": {"to", "aan", "an", "a", "para", "destinataire", "pour", "do", "empfanger"},
    "cc": {"cc", "kopie", "copie", "cc/bcc"},
    "subject": {"subject", "onderwerp", "betreff", "betreft", "objet", "asunto", "oggetto",
                "assunto", "temat", "sujet"},
    "reply_to": {"reply-to", "reply to", "antwoord aan", "antwort an", "repondre a",
                 "responder a", "rispondi a"},
}  # fmt: skip
_LABEL_OF = {label: key for key, labels in _LABELS.items() for label in labels}
_HEADER_LINE = re.compile(r"^\s*\*?\s*([^\W\d][\w /-]{0,20}?)\s*\*?\s*:\s*\*?\s*(.*?)\s*$")

# "On Mon, 12 Oct 2026 at 10:15, Jan <jan@example.com> wrote:" in the languages we serve.
_ATTRIBUTION = re.compile(
    r"^\s*(?:on|op|am|le|el|il|em|w dniu)\b.{4,300}?(?:\b(?:wrote|a ecrit|escribio|ha scritto|"
    r"escreveu|napisal\(a\)|napisal)\s*|\b(?:schreef|schrieb)\s+.{1,200}?):\s*$"
)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|fw|wg|tr|rv|i|doorst|enc|rif|pd|vs)\s*:", re.I)
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|antw|sv|r|res|odp|ref)\s*:", re.I)
_SUBJECT_PREFIXES = re.compile(
    r"^(?:\s*(?:fwd?|fw|wg|tr|rv|doorst|enc|re|aw|antw|sv|res)\s*(?:\[\d+\])?\s*:\s*)+", re.I
)


@dataclass(slots=True)
class Line:
    text: str  # what a reader sees: tags stripped, entities read, "> " quoting kept
    start: int  # offset of the line in its source (text or HTML)
    end: int  # offset just past the line in its source


@dataclass
class Original:
    """The headers of a quoted original, as the forwarding client wrote them."""

    kind: str  # "forward" (says so), "neutral" (Outlook: forward or reply), "reply"
    start: int  # where the marker starts in the source
    body: int  # where the original's body starts in the source
    headers: dict[str, str] = field(default_factory=dict)
    quoted: bool = False  # the original's lines are quoted with "> "


def is_forward_subject(subject: str | None) -> bool:
    return bool(subject and _FORWARD_SUBJECT.match(subject))


def is_reply_subject(subject: str | None) -> bool:
    return bool(subject and _REPLY_SUBJECT.match(subject))


def bare_subject(subject: str | None) -> str | None:
    """The subject without its Fwd:/Re:/WG:/TR: prefixes."""
    if subject is None:
        return None
    return _SUBJECT_PREFIXES.sub("", subject).strip() or subject


# --- lines --------------------------------------------------------------------------------------


def text_lines(text: str) -> list[Line]:
    lines, offset = [], 0
    for raw in text[:MAX_SCAN_CHARS].splitlines(keepends=True)[:MAX_LINES]:
        lines.append(Line(raw.rstrip("\r\n"), offset, offset + len(raw)))
        offset += len(raw)
    return lines


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:]*)\b[^<>]{0,2000}>")
_SKIP = ("style", "script", "head", "title")
_BREAKS = {"br", "p", "div", "tr", "li", "table", "blockquote", "hr", "h1", "h2", "h3", "h4",
           "h5", "h6", "pre", "dt", "dd", "tbody", "ul", "ol", "body", "html"}  # fmt: skip


def html_lines(html: str) -> list[Line]:
    """The HTML cut at its line-breaking tags; each line's text and where it sits in the source.
    One pass, no backtracking: an unclosed comment or style ends the scan (hostile input)."""
    html = html[:MAX_SCAN_CHARS]
    lower = html.lower()
    lines: list[Line] = []
    pieces: list[str] = []
    start = position = 0

    def close(at: int) -> None:
        text = " ".join(html_lib.unescape("".join(pieces)).replace("\xa0", " ").split())
        if text:
            lines.append(Line(text, start, at))
        pieces.clear()

    while len(lines) < MAX_LINES:
        found = html.find("<", position)
        if found < 0:
            break
        pieces.append(html[position:found])
        if html.startswith("<!--", found):
            end = html.find("-->", found + 4)
            position = len(html) if end < 0 else end + 3
            continue
        match = _TAG.match(html, found)
        if match is None:
            pieces.append("<")
            position = found + 1
            continue
        closing, tag = match.group(1), match.group(2).lower()
        position = match.end()
        if tag in _SKIP and not closing:
            end = lower.find(f"</{tag}", position)
            end = lower.find(">", end) if end >= 0 else -1
            close(found)
            position = start = len(html) if end < 0 else end + 1
        elif tag in _BREAKS:
            close(found)
            start = position
        elif tag in ("td", "th") and not closing:
            pieces.append(" ")
    if len(lines) < MAX_LINES:
        pieces.append(html[position:])
        close(len(html))
    return lines


# Every HTML forward or quote carries one of these (a marker phrase, an attribution verb, a mail
# client's quote element, an address in angle brackets); an HTML lead without any is not cut
# into lines at all: most leads are not forwards, and this test costs microseconds.
_HTML_HINTS = (
    "forward", "doorgestuurd", "weitergeleitet", "transf", "reenviado", "inoltrato", "encaminhad",
    "przekazan", "original", "oorspronkelijk", "ursprüngliche", "ursprungliche", "d'origine",
    "d&#39;origine", "d&#x27;origine", "begin ", "anfang der", "début du", "d&eacute;but",
    "wrote", "schreef", "schrieb", "crit", "escribi", "ha scritto", "escreveu", "napisa",
    "blockquote", "divrplyfwdmsg", "border-top:solid", "gmail_quote", "moz-", "_____", "&gt;",
    "&#62;",
)  # fmt: skip


def html_may_quote(html: str) -> bool:
    low = html[:MAX_SCAN_CHARS].lower()
    return any(hint in low for hint in _HTML_HINTS)


# --- finding the original -----------------------------------------------------------------------


def _header(line: str) -> tuple[str, str] | None:
    """('from', 'Jan <jan@example.com>') for a quoted header line, None for anything else."""
    match = _HEADER_LINE.match(line)
    if not match:
        return None
    key = _LABEL_OF.get(fold(match.group(1)).strip())
    return (key, match.group(2)) if key else None


def _header_block(lines: list[Line], index: int) -> tuple[dict[str, str], int]:
    """The quoted headers starting at ``lines[index]`` and the index after them ({} if none).
    A value may continue on the next line (a long To: list, Thunderbird's table cells)."""
    headers: dict[str, str] = {}
    last_key = None
    blanks = 0
    position = index
    while position < len(lines) and position - index < 16:
        text = _unquote(lines[position].text)
        if not text.strip():
            blanks += 1
            if blanks > 1 or not headers:
                break
            position += 1
            continue
        found = _header(text)
        if found is None:
            if last_key in ("to", "cc") and blanks == 0 and "@" in text:
                position += 1  # a To: list wrapped onto the next line
                continue
            break
        key, value = found
        if key in headers:
            break
        headers[key] = value
        last_key, blanks = key, 0
        position += 1
    # End right after the last header line (a blank line in the block belongs to the body).
    while position > index and not _unquote(lines[position - 1].text).strip():
        position -= 1
    return headers, position


def _is_header_block(headers: dict[str, str], after_marker: bool) -> bool:
    if "from" not in headers:
        return False
    others = {"date", "subject", "to"} & headers.keys()
    if after_marker:
        return bool(others)
    # Without a marker line, only a block that looks like a mail client's: an address in From,
    # and a date or sent line with a To or Subject line.
    has_address = bool(_ADDRESS.search(headers["from"])) or "mailto:" in headers["from"].lower()
    if not has_address:  # Exchange shows a colleague by name only: then all four lines
        return {"date", "subject", "to"} <= headers.keys()
    return "date" in headers and bool({"subject", "to"} & headers.keys())


_QUOTE_PREFIX = re.compile(r"^(?:\s*>)+\s?")
_QUOTES = re.compile(r"^(?:\s*>)+")


def _unquote(text: str) -> str:
    if not text.lstrip().startswith(">"):
        return text  # the common case, without a regex
    return _QUOTE_PREFIX.sub("", text)


def _quote_depth(text: str) -> int:
    if not text.lstrip().startswith(">"):
        return 0
    return _QUOTES.match(text).group(0).count(">")


_MARKER_START = frozenset("-–—_=")


def find_original(lines: list[Line]) -> Original | None:
    """The first quoted original in ``lines`` (the outermost; call again on what follows it for
    the next one in). Most lines of a lead are ruled out by their first and last character
    before anything is folded: this runs on every e-mail."""
    index = 0
    while index < len(lines):
        text = _unquote(lines[index].text).strip()
        if not text:
            index += 1
            continue
        kind = None
        if text[0] in _MARKER_START or text[-1] == ":":
            folded = fold(text)
            dashed = _DASHED.match(folded)
            phrase = dashed.group(1).strip(" :") if dashed else None
            if phrase in _FORWARD_PHRASES or _FORWARD_HEADINGS.match(folded):
                kind = "forward"
            elif phrase in _ORIGINAL_PHRASES or _UNDERSCORES.match(folded):
                kind = "neutral"
        if kind is not None:
            following = index + 1
            while following < len(lines) and not lines[following].text.strip():
                following += 1
            headers, after = _header_block(lines, following)
            if _is_header_block(headers, after_marker=True):
                quoted = bool(_quote_depth(lines[following].text))  # Apple Mail on iOS
                return Original(kind, lines[index].start, _end(lines, after), headers, quoted)
            if kind == "forward":  # Gmail without headers (rare): the body follows the marker
                return Original(kind, lines[index].start, lines[index].end, {})
        elif ":" in text and (_header(text) or ("",))[0] == "from":
            headers, after = _header_block(lines, index)
            if _is_header_block(headers, after_marker=False):
                return Original("neutral", lines[index].start, _end(lines, after), headers)
        else:
            attribution = _attribution(lines, index)
            if attribution is not None:
                return attribution
            # A quote without an attribution line: two or more quoted lines in a row.
            next_quoted = index + 1 < len(lines) and _quote_depth(lines[index + 1].text)
            if next_quoted and _quote_depth(lines[index].text):
                return Original("reply", lines[index].start, lines[index].start, {}, True)
        index += 1
    return None


def _attribution(lines: list[Line], index: int) -> Original | None:
    """'On … wrote:' on one line, or wrapped over two (Gmail wraps its plain text at 78)."""
    for span in (1, 2, 3):
        if index + span > len(lines):
            break
        if not lines[index + span - 1].text.rstrip().endswith(":"):
            continue  # an attribution ends with its colon
        joined = " ".join(_unquote(line.text).strip() for line in lines[index : index + span])
        if _ATTRIBUTION.match(fold(joined)):
            name, address = _name_and_address(joined)
            headers = {"from": f"{name} <{address}>" if address else name or "", "date": joined}
            quoted = index + span < len(lines) and bool(_quote_depth(lines[index + span].text))
            end = lines[index + span - 1].end
            return Original("reply", lines[index].start, end, headers, quoted)
    return None


def _end(lines: list[Line], after: int) -> int:
    return lines[after - 1].end if after > 0 else 0


def _name_and_address(attribution: str) -> tuple[str | None, str | None]:
    address = _ADDRESS.search(attribution)
    if not address:
        return None, None
    before = attribution[: address.start()].rstrip(" <(\"'[")
    verb = re.search(r"\b(?:schreef|schrieb)\s+", before, re.I)
    if verb:  # "Op … schreef Naam <adres>:"
        name = before[verb.end() :]
    else:  # "On …, Name <address> wrote:": after the date's last comma or time
        name = re.split(r",\s*|\d{1,2}[:.h]\d{2}(?:\s*(?:uur|uhr|am|pm))?\s*", before)[-1]
    return (name.strip(" \"'") or None), address.group(0)


def parse_from(value: str | None) -> tuple[str | None, str | None]:
    """'Jan Jansen [mailto:jan@example.com]', 'Jan <jan@x>', 'jan@x' -> (name, address)."""
    if not value:
        return None, None
    value = value.replace("[mailto:", "<").replace("]", ">")
    address = _ADDRESS.search(value)
    if not address:
        return (value.strip(" \"'") or None), None
    name, parsed = email.utils.parseaddr(value)
    if parsed and "@" in parsed and not name:
        name = value[: address.start()].strip(" <>\"'")
    name = (name or "").strip(" \"'")
    if fold(name) == fold(address.group(0)):
        name = ""
    return (name or None), address.group(0)
