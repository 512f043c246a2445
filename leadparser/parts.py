"""An e-mail's parts found in its bytes, without the stdlib parsing them: each leaf part's
headers and where its body lies. A 41 MB message (a 30 MB brochure in base64) costs the stdlib
half a million line objects and three copies of the brochure before a reader sees the text part;
found here with byte searches, the brochure is never copied or decoded (leadparser.mime reads
the message without it, the quarantine lists it with the size its encoding implies).

The reading is the stdlib's (email.feedparser) in the cases real mail has: headers up to the
first empty line, a multipart's parts between its boundary lines (the line break before a
boundary line belongs to the boundary), an attached message/rfc822 read as a message. Where it
would have to guess (a multipart without its boundary, nesting or part counts beyond reason,
headers beyond reason), locate_parts() answers None and the caller lets the stdlib decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message as Message_
from email.parser import BytesHeaderParser
from email.policy import compat32

MAX_DEPTH = 30
MAX_ENTITIES = 1000
MAX_HEAD = 1_000_000  # one part's header block

# Types that never hold a lead: media, documents, archives, signatures. (An ADF or JSON lead
# comes as text/*, */xml, */json or application/octet-stream under any name, and is read.)
_BINARY_TYPES = {
    "application/pdf", "application/zip", "application/x-zip-compressed", "application/gzip",
    "application/x-gzip", "application/x-tar", "application/x-7z-compressed",
    "application/x-rar-compressed", "application/vnd.rar", "application/msword",
    "application/rtf", "application/postscript", "application/pkcs7-signature",
    "application/x-pkcs7-signature", "application/pgp-signature", "application/pgp-encrypted",
    "application/ms-tnef", "application/vnd.ms-tnef", "application/x-msdownload",
}  # fmt: skip
_BINARY_MAINTYPES = ("image/", "audio/", "video/", "font/", "model/")
_BINARY_NAMES = re.compile(
    r"\.(pdf|zip|7z|rar|gz|tgz|tar|jpe?g|png|gif|heic|heif|webp|bmp|tiff?|svg|ico|mp[34]|m4a|"
    r"mov|avi|wav|docx?|xlsx?|pptx?|od[tsp]|rtf|pages|numbers|key|exe|dll|p7[ms]|dat\.gz)$",
    re.IGNORECASE,
)


def may_hold_lead(content_type: str, filename: str | None) -> bool:
    """Whether a reader could find a lead in a part of this type and name: text, XML, JSON, an
    attached message, an octet stream of no known binary kind. Images, PDFs, office documents
    and archives are never read, so never decoded."""
    if content_type.startswith(_BINARY_MAINTYPES) or content_type in _BINARY_TYPES:
        return False
    if content_type.startswith("application/vnd.") and not content_type.endswith(("xml", "json")):
        return False
    return not (filename and _BINARY_NAMES.search(filename.strip().strip('"')))


def decoded_size(data: bytes | str, encoding: str, start: int = 0, end: int | None = None) -> int:
    """The size of data[start:end] once decoded, reckoned from its encoded form (no decoding, no
    copy): base64 exactly for well-formed data, quoted-printable closely, anything else as is."""
    end = len(data) if end is None else end
    size = end - start
    if size <= 0:
        return 0

    def count(text: str) -> int:
        return data.count(text if isinstance(data, str) else text.encode(), start, end)

    if encoding == "base64":
        tail = data[max(start, end - 8) : end]
        tail = (tail if isinstance(tail, str) else tail.decode("ascii", "replace")).rstrip()
        padding = len(tail) - len(tail.rstrip("="))
        return max(0, (size - sum(count(c) for c in "\r\n \t")) * 3 // 4 - padding)
    if encoding == "quoted-printable":  # =XX is one byte, a soft line break none
        return max(0, size - 2 * count("=") - count("=\r\n"))
    return size


@dataclass
class Part:
    """A leaf part: its headers (a header-only compat32 message) and where it lies in the raw
    bytes; `index` is its place in the walk of every part, containers included (as
    leadparser.mime counts them)."""

    headers: Message_
    index: int
    start: int  # its first header line
    body_start: int
    body_end: int

    @property
    def content_type(self) -> str:
        return self.headers.get_content_type()

    @property
    def filename(self) -> str | None:
        try:
            return self.headers.get_filename()
        except (ValueError, TypeError, LookupError):
            return None

    @property
    def disposition(self) -> str | None:
        try:
            return self.headers.get_content_disposition()
        except (ValueError, TypeError, LookupError):
            return None

    @property
    def encoding(self) -> str:
        return str(self.headers.get("Content-Transfer-Encoding", "")).strip().lower()

    @property
    def is_body_text(self) -> bool:
        """A text or HTML body (not an attachment): always read, whatever its size."""
        return (
            self.content_type in ("text/plain", "text/html")
            and self.disposition != "attachment"
            and not self.filename
        )

    def size(self, raw: bytes) -> int:
        return decoded_size(raw, self.encoding, self.body_start, self.body_end)

    def message(self, raw: bytes) -> Message_:
        """The part alone as a compat32 message (for decoding a small one)."""
        from email import message_from_bytes

        return message_from_bytes(raw[self.start : self.body_end], policy=compat32)


class _Unsure(Exception):
    """The structure is beyond this reading: the stdlib decides."""


def locate_parts(raw: bytes) -> list[Part] | None:
    """Every leaf part of the e-mail in walk order, or None when it cannot be read this way."""
    found: list[Part] = []
    try:
        _entity(raw, 0, len(raw), 0, found, [0])
    except _Unsure:
        return None
    return found


_HEADERS = BytesHeaderParser(policy=compat32)


def _head_end(raw: bytes, start: int, end: int) -> tuple[int, int]:
    """(end of the header block, start of the body)."""
    if raw.startswith(b"\r\n", start) or raw.startswith(b"\n", start):
        return start, start + (2 if raw[start] == 13 else 1)  # no headers at all
    ends = [
        (i, i + len(blank))
        for blank in (b"\n\r\n", b"\n\n")
        if (i := raw.find(blank, start, end)) >= 0
    ]
    if not ends:
        return end, end
    head, body = min(ends)
    return head + 1, body


def _entity(
    raw: bytes,
    start: int,
    end: int,
    depth: int,
    found: list[Part],
    counter: list[int],
    default_type: str = "text/plain",
) -> None:
    if depth > MAX_DEPTH or counter[0] >= MAX_ENTITIES:
        raise _Unsure
    index = counter[0]
    counter[0] += 1
    head_end, body_start = _head_end(raw, start, end)
    if head_end - start > MAX_HEAD:
        raise _Unsure
    headers = _HEADERS.parsebytes(raw[start:head_end])
    if headers.defects:
        raise _Unsure  # a line that is no header: the stdlib starts the body elsewhere
    headers.set_default_type(default_type)
    content_type = headers.get_content_type()
    if headers.get_content_maintype() == "multipart":
        _multipart(raw, headers, body_start, end, depth, found, counter)
    elif content_type == "message/rfc822" or (
        content_type.startswith("message/") and content_type != "message/delivery-status"
    ):
        _entity(raw, body_start, end, depth + 1, found, counter)
    else:
        found.append(Part(headers, index, start, body_start, end))


def _multipart(raw, headers, body_start, end, depth, found, counter) -> None:
    boundary = headers.get_boundary()
    if not boundary:
        raise _Unsure
    # The parts of a digest are messages unless they say otherwise (as in the stdlib).
    default = "message/rfc822" if headers.get_content_subtype() == "digest" else "text/plain"
    separator = ("--" + boundary).encode("ascii", "surrogateescape")
    line = re.compile(re.escape(separator) + rb"(--)?[ \t]*(?:\r\n|\r|\n|$)")
    delimiters: list[tuple[int, int, bool]] = []  # (line start, next line start, closing)
    at = body_start
    while (at := raw.find(separator, at, end)) >= 0:
        match = line.match(raw, at, end)
        if match and (at == body_start or raw[at - 1] in (10, 13)):
            delimiters.append((at, match.end(), bool(match.group(1))))
            if match.group(1):
                break
        at += len(separator)
    if not delimiters or delimiters[0][2]:
        raise _Unsure
    for (_at, part_start, closing), following in zip(
        delimiters, [*delimiters[1:], None], strict=True
    ):
        if closing:
            break
        part_end = end if following is None else _before_line_break(raw, following[0], part_start)
        _entity(raw, part_start, part_end, depth + 1, found, counter, default)


def _before_line_break(raw: bytes, at: int, floor: int) -> int:
    """The end of a part: the line break before its boundary line belongs to the boundary."""
    if at - 2 >= floor and raw[at - 2 : at] == b"\r\n":
        return at - 2
    if at - 1 >= floor and raw[at - 1] in (10, 13):
        return at - 1
    return at
