"""Raw input to a :class:`Message`: an RFC 822 e-mail read with the stdlib, or a bare document."""

from __future__ import annotations

import codecs
import email
import email.utils
import re
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message as Message_
from email.policy import compat32

from leadparser.dates import parse_email_date
from leadparser.errors import InputTooLarge, MalformedInput
from leadparser.message import Attachment, Message
from leadparser.parts import Part, decoded_size, locate_parts, may_hold_lead

ATTACHMENT_LIMIT = 2_000_000  # an ADF or JSON lead is a few kB; bigger attachments are media
MAX_PARTS = 200
MAX_HEADER_CHARS = 8192  # real Subject/From/Content-Type headers are far shorter


# The e-mail is read with compat32: its headers stay strings until asked for, and the few this
# module reads (Subject, From, Date, each part's Content-Type and -Disposition) are decoded here.
# policy.default builds a structured header object on every access, three quarters of the
# parser's time on an ordinary lead e-mail, and its parser is quadratic on long headers (a
# Subject of 300,000 encoded words ate all memory): values are cut to MAX_HEADER_CHARS first.
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def _decoded(value: str) -> str:
    """A raw header value as text: unfolded, raw 8-bit bytes read as UTF-8 (as policy.default
    does), RFC 2047 encoded words decoded; kept as it is where an encoded word is broken."""
    value = _FOLD.sub("", value[:MAX_HEADER_CHARS])
    if any("\udc80" <= ch <= "\udcff" for ch in value):  # bytes the ASCII reading escaped
        value = _utf8_else_cp1252(value.encode("ascii", "surrogateescape"))
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (LookupError, UnicodeError, ValueError, HeaderParseError):
        return value


decoded = _decoded  # for the envelope step, which reads a few more headers


# Browsers read these as windows-1252, and so do we: senders that declare ISO-8859-1 mean it
# (the euro sign at 0x80 is the common case).
_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "iso_8859-1", "us-ascii",
              "ascii", "cp819", "ibm819", "iso-ir-100", "windows-1252", "cp1252"}  # fmt: skip
_KNOWN_HEADERS = {"from", "received", "return-path", "mime-version", "content-type",
                  "message-id", "delivered-to", "x-mailer", "dkim-signature"}  # fmt: skip
_HEADER_LINE = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9_-]*:")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)  # fmt: skip


def _charset(name: str | None) -> str:
    name = (name or "").strip().strip("\"'").lower()
    if name in _AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(name).name if name else "utf-8"
    except LookupError:
        return ""


def decode_bytes(data: bytes, charset: str | None, notes: list[str], where: str) -> str:
    """Text of ``data`` in its declared charset; never fails, notes what it had to repair."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    codec = _charset(charset)
    if not charset:
        return _utf8_else_cp1252(data)
    if not codec:
        notes.append(f"{where}: unknown charset {charset!r}, read as UTF-8")
        codec = "utf-8"
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        if codec == "utf-8":
            notes.append(f"{where}: bytes invalid in {charset}, replaced by their windows-1252")
            return _utf8_else_cp1252(data)
        notes.append(f"{where}: bytes invalid in {charset}, replaced")
        return data.decode(codec, errors="replace")


def _as_cp1252(error: UnicodeDecodeError) -> tuple[str, int]:
    return error.object[error.start : error.end].decode("cp1252", errors="replace"), error.end


codecs.register_error("dealerlms-cp1252", _as_cp1252)


def _utf8_else_cp1252(data: bytes) -> str:
    """Text said (or taken) to be UTF-8, each byte that is not read as windows-1252: what a
    Western mailer wrote (a Latin-1 "José" in a body declared UTF-8, a form mailer's UTF-8
    template around a visitor's Latin-1 input), not replacement characters."""
    return data.decode("utf-8", errors="dealerlms-cp1252")


def bare_kind(raw: bytes) -> str | None:
    """'xml'/'json'/'html'/'text' for a document without e-mail headers, None for an e-mail."""
    head = decode_bytes(raw[:4096], None, [], "head").lstrip()
    lower = head[:200].lower()
    if lower.startswith(("<?xml", "<adf", "<!doctype adf", "<!doctype")) and "<html" not in lower:
        return "xml"
    if head.startswith(("{", "[")):
        return "json"
    if _looks_like_email(raw):
        return None
    if re.match(r"<(?:!doctype html|html|body|table|div|p|h\d)\b", lower):
        return "html"
    return "text"


def _looks_like_email(raw: bytes) -> bool:
    """A header block (every line a header or a folded continuation) naming a mail header."""
    names: set[str] = set()
    lines = raw[:65536].lstrip(b"\r\n").splitlines()
    if lines and lines[0].startswith(b"From "):  # mbox separator line
        lines = lines[1:]
    for line in lines[:400]:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t") and names:
            continue
        if not _HEADER_LINE.match(line):
            return False
        names.add(line.split(b":", 1)[0].decode("ascii", "replace").lower())
    return bool(names & _KNOWN_HEADERS)


def read_bare(raw: bytes, kind: str, message: Message) -> Message:
    message.bare, message.bare_kind = raw, kind
    text = decode_bytes(raw, None, message.notes, "document")
    (message.htmls if kind == "html" else message.texts).append(text)
    return message


def _header(msg: Message_, name: str) -> str | None:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return _decoded(str(value)).strip()
    return None


def _sender(msg: Message_) -> tuple[str | None, str | None]:
    raw = _header(msg, "From")
    if not raw:
        return None, None
    name, addr = email.utils.parseaddr(raw)
    return (name.strip() or None), (addr.strip() or None)


_BOUNDARY = re.compile(rb"""boundary\s*=\s*"?([^";\r\n]{1,200})""", re.IGNORECASE)


def _check_part_count(raw: bytes) -> None:
    """Refuse part bombs up front: the stdlib parses every part's headers, and a message of
    thousands of parts would hold a worker for seconds (docs/benchmarks.md)."""
    boundaries = set(_BOUNDARY.findall(raw, 0, 10_000_000))
    if len(boundaries) > MAX_PARTS:
        raise MalformedInput(f"too many MIME boundaries ({len(boundaries)})")
    parts = sum(raw.count(b"\n--" + b.strip()) for b in boundaries)
    if parts > MAX_PARTS * 5:
        raise MalformedInput(f"too many MIME parts ({parts})")


def _read_headers(msg: Message_, message: Message) -> None:
    message.subject = _header(msg, "Subject")
    message.sender_name, message.sender_addr = _sender(msg)
    message.date = parse_email_date(_header(msg, "Date"))
    message.headers = [(str(k).lower(), str(v)[:MAX_HEADER_CHARS]) for k, v in msg.raw_items()]
    reply_to = _header(msg, "Reply-To")
    message.reply_to = (email.utils.parseaddr(reply_to)[1].strip() or None) if reply_to else None


def read_email(raw: bytes, message: Message) -> Message:
    _check_part_count(raw)
    msg = email.message_from_bytes(raw, policy=compat32)
    _read_headers(msg, message)
    _walk(msg, [message], [0])
    return message


def _walk(part: Message_, targets: list[Message], counter: list[int]) -> None:
    """msg.walk() in the same order, but an attached message (message/rfc822) also becomes a
    Message of its own, its parts read once and added to it and to every message around it."""
    index = counter[0]
    counter[0] += 1
    if index == MAX_PARTS:
        targets[0].notes.append(f"more than {MAX_PARTS} MIME parts; the rest was skipped")
    if index >= MAX_PARTS:
        return
    content_type = part.get_content_type()
    for target in targets:
        target.content_types.append(content_type)
    if not part.is_multipart():
        _add_part(part, targets, index)
        return
    if content_type == "message/delivery-status":
        return  # status blocks, not content; the envelope step only needs to know it is there
    children = part.get_payload()
    if content_type == "message/rfc822" and children and isinstance(children[0], Message_):
        inner = Message(region=targets[0].region, extra_labels=targets[0].extra_labels)
        _read_headers(children[0], inner)
        targets[-1].embedded.append(inner)
        targets = [*targets, inner]
    for child in children if isinstance(children, list) else ():
        if isinstance(child, Message_):
            _walk(child, targets, counter)


def _add_part(part: Message_, targets: list[Message], index: int) -> None:
    """Decode one leaf part once and give it to the message and every attached one around it.
    A part no reader needs (an image, a PDF, an archive) or an attachment over ATTACHMENT_LIMIT
    (reckoned from its encoded length) is never decoded."""
    content_type = part.get_content_type()
    try:
        filename = part.get_filename()
        disposition = part.get_content_disposition()
    except (ValueError, TypeError, LookupError):
        filename, disposition = None, None
    where = filename or f"part {index} ({content_type})"
    is_body = disposition != "attachment" and not filename
    is_text = is_body and content_type in ("text/plain", "text/html")
    if not is_text:
        if not may_hold_lead(content_type, filename):
            return
        encoded = part.get_payload()
        encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        if isinstance(encoded, str) and decoded_size(encoded, encoding) > ATTACHMENT_LIMIT:
            for message in targets:
                message.notes.append(_too_large(where))
            return
    try:
        payload = part.get_payload(decode=True) or b""
    except (ValueError, TypeError, LookupError, AssertionError):
        for message in targets:
            message.notes.append(f"part {index}: undecodable content skipped")
        return
    if is_text:
        notes: list[str] = []
        text = decode_bytes(payload, part.get_content_charset(), notes, where)
        for message in targets:
            message.notes.extend(notes)
            (message.texts if content_type == "text/plain" else message.htmls).append(text)
        return
    attachment = Attachment(filename, content_type, payload)
    for message in targets:
        message.attachments.append(attachment)


def _too_large(where: str) -> str:
    return f"{where}: attachment over {ATTACHMENT_LIMIT} bytes skipped"


def without_unread_parts(raw: bytes) -> tuple[bytes, list[str]]:
    """The e-mail as the parser reads it: the bodies of the parts no reader needs (images, PDFs,
    archives: leadparser.parts.may_hold_lead) and of attachments over ATTACHMENT_LIMIT emptied,
    their headers kept, with a note for each attachment left unread that a reader could have
    read. The parts are found with byte searches (leadparser.parts): a 30 MB brochure is neither
    parsed line by line, nor copied, nor decoded. What that reading cannot place is returned
    as it was (the stdlib then reads it whole)."""
    parts = locate_parts(raw)
    if parts is None:
        return raw, []
    notes, dropped = [], []
    for part in parts:
        if part.is_body_text or part.body_start == part.body_end:
            continue
        if not may_hold_lead(part.content_type, part.filename):
            dropped.append(part)
        elif part.size(raw) > ATTACHMENT_LIMIT:
            dropped.append(part)
            notes.append(_too_large(part.filename or f"part {part.index} ({part.content_type})"))
    if not dropped:
        return raw, notes
    kept, at = [], 0
    for part in dropped:
        kept.append(raw[at : part.body_start])
        at = part.body_end
    kept.append(raw[at:])
    return b"".join(kept), notes


def to_read(raw: bytes, max_bytes: int) -> tuple[bytes, list[str]]:
    """What the parser reads of ``raw``, and notes on what it leaves out. A bare document is
    read whole; an e-mail larger than ATTACHMENT_LIMIT (or max_bytes) without its unread parts
    (without_unread_parts). ``max_bytes`` applies to what is read: a lead in the text part next
    to a 30 MB brochure is read, a 30 MB text part is refused (InputTooLarge)."""
    notes: list[str] = []
    if len(raw) > min(ATTACHMENT_LIMIT, max_bytes) and bare_kind(raw) is None:
        _check_part_count(raw)
        read, notes = without_unread_parts(raw)
        if len(read) > max_bytes:
            raise InputTooLarge(
                f"input too large: {len(read)} bytes without its attachments (limit {max_bytes})"
            )
        return read, notes
    if len(raw) > max_bytes:
        raise InputTooLarge(f"input too large: {len(raw)} bytes (limit {max_bytes})")
    return raw, notes


def outline(raw: bytes) -> tuple[str, str, list[dict]]:
    """The first text and HTML body of an e-mail and its attachments (file name, type, size),
    for people to read; no attachment is decoded: its size is reckoned from its encoded
    length. Bodies are decoded as the parser decodes them (decode_bytes)."""
    text, html, attachments = "", "", []
    parts = locate_parts(raw)
    if parts is None:  # beyond the byte reading: the stdlib's walk, attachments undecoded
        parsed = email.message_from_bytes(raw, policy=compat32)
        leaves = [p for p in parsed.walk() if not p.is_multipart()]
    else:
        leaves = parts
    for leaf in leaves:
        headers = leaf.headers if isinstance(leaf, Part) else leaf
        kind = headers.get_content_type()
        filename = headers.get_filename()
        if filename or "attachment" in str(headers.get("Content-Disposition", "")).lower():
            encoding = str(headers.get("Content-Transfer-Encoding", "")).strip().lower()
            size = leaf.size(raw) if isinstance(leaf, Part) else _payload_size(leaf, encoding)
            attachments.append(
                {"filename": str(filename or ""), "content_type": kind, "size": size}
            )
        elif kind in ("text/plain", "text/html") and not (text if kind == "text/plain" else html):
            part = leaf.message(raw) if isinstance(leaf, Part) else leaf
            payload = part.get_payload(decode=True) or b""
            where = "text part" if kind == "text/plain" else "HTML part"
            decoded = decode_bytes(payload, part.get_content_charset(), [], where)
            text, html = (decoded, html) if kind == "text/plain" else (text, decoded)
    return text, html, attachments


def _payload_size(part: Message_, encoding: str) -> int:
    payload = part.get_payload()
    return decoded_size(payload, encoding) if isinstance(payload, str) else 0
