"""Label/value e-mails: "Naam: …" lines, <tr><td>Naam</td><td>…</td></tr> tables, in five languages."""

from __future__ import annotations

import re

from leadparser.builder import LeadBuilder
from leadparser.html_text import html_content
from leadparser.label_dictionary import is_closing, lookup
from leadparser.message import Message
from leadparser.normalize import fold

MAX_SCAN_CHARS = 1_000_000  # lead forms are a few kB; past this we read the start only
MAX_LINE_CHARS = 5_000
_COLON_LINE = re.compile(
    r"^\s*(?:[-•*·]\s*)?(?:\*\*|__)?(?P<label>[^:：\t\n]{1,60}?)(?:\*\*|__)?\s*[:：]\s*"
    r"(?:\*\*|__)?(?P<value>.*?)(?:\*\*|__)?\s*$"
)
_TAB_LINE = re.compile(r"^\s*(?P<label>[^\t\n]{1,60}?)(?:\t+|\s{3,})(?P<value>\S.*?)\s*$")
# Forwarded-mail header lines and greetings are not lead fields worth keeping in `extra`.
_NOT_EXTRA = {
    "from", "to", "cc", "bcc", "sent", "date", "van", "aan", "verzonden", "datum", "de", "a",
    "envoye", "von", "an", "gesendet", "para", "enviado", "fecha", "http", "https", "mailto",
    "reply to", "return path", "message id", "content type", "mime version",
}  # fmt: skip

Pair = tuple[str, str | None, str]  # label as written, canonical key or None, value


def _plausible_label(label: str) -> bool:
    """An unknown label is kept in extra only if it looks like a form field name."""
    words = label.split()
    return (
        0 < len(words) <= 4
        and len(label) <= 40
        and label[0].isalpha()
        and fold(label) not in _NOT_EXTRA
        and not re.search(r"https?|www\.|@", label)
    )


def _label_line(line: str, extra_labels: dict[str, str]) -> tuple[str, str | None, str] | None:
    match = _COLON_LINE.match(line)
    if match:
        label = match.group("label").strip()
        return label, lookup(label, extra_labels), match.group("value")
    match = _TAB_LINE.match(line)
    if match and lookup(match.group("label"), extra_labels):
        label = match.group("label").strip()
        return label, lookup(label, extra_labels), match.group("value")
    return None


def pairs_from_text(text: str, extra_labels: dict[str, str]) -> list[Pair]:
    lines = [
        re.sub(r"^(?:\s*>)+\s?", "", line[:MAX_LINE_CHARS])
        for line in text[:MAX_SCAN_CHARS].splitlines()
    ]
    pairs: list[Pair] = []
    index = 0
    while index < len(lines):
        found = _label_line(lines[index], extra_labels)
        index += 1
        if found is None:
            continue
        label, canonical, value = found
        if canonical is None:
            if value and _plausible_label(label):
                pairs.append((label, None, value))
            continue
        if value and canonical != "comments":
            pairs.append((label, canonical, value))
            continue
        # "Message :" with the text on the lines below, up to a blank line, label or closing.
        collected = [value] if value else []
        while index < len(lines):
            line = lines[index].strip()
            if not line:
                if collected:
                    break
                index += 1
                continue
            following = _label_line(line, extra_labels)
            if (following and following[1]) or is_closing(line):
                break
            collected.append(line)
            index += 1
            if canonical != "comments":
                break  # only a comment runs over several lines
        if collected:
            pairs.append((label, canonical, " ".join(collected)))
    return pairs


def pairs_from_html(html: str, extra_labels: dict[str, str]) -> list[Pair]:
    content = html_content(html)
    pairs: list[Pair] = []
    for row in content.rows:
        cells = [c for c in row if c]
        if len(cells) < 2:
            continue
        # Four-cell rows are often two label/value pairs side by side.
        chunks = [cells[i : i + 2] for i in range(0, len(cells), 2)]
        if not all(len(c) == 2 and lookup(c[0], extra_labels) for c in chunks):
            chunks = [[cells[0], "\n".join(cells[1:])]]
        for label_cell, value in chunks:
            label = label_cell.strip().rstrip(":：").strip()
            canonical = lookup(label, extra_labels)
            if canonical:
                pairs.append((label, canonical, value))
            elif _plausible_label(label):
                pairs.append((label, None, value))
    # Lines like "<p><b>Naam:</b> Eva</p>" add fields; a field the table gave is not read twice.
    seen = {canonical or label for label, canonical, _ in pairs}
    text_pairs = pairs_from_text(content.text, extra_labels)
    return pairs + [p for p in text_pairs if (p[1] or p[0]) not in seen]


def _score(pairs: list[Pair]) -> int:
    return len({canonical for _, canonical, _ in pairs if canonical})


def parse(message: Message) -> LeadBuilder | None:
    if message.bare_kind in ("xml", "json"):
        return None
    labels = message.extra_labels
    html_pairs = [p for html in message.htmls for p in pairs_from_html(html, labels)]
    text_pairs = [p for text in message.texts for p in pairs_from_text(text, labels)]
    if not html_pairs and not text_pairs:
        return None
    # The HTML part is what the sender designed; the text part is often a lossy rendering of it.
    if _score(html_pairs) >= _score(text_pairs) and _score(html_pairs):
        fmt, pairs = "html", html_pairs
    else:
        fmt, pairs = "text", text_pairs
    builder = LeadBuilder(fmt, region=message.region)
    builder.set_email_date(message.date)
    if message.subject:
        builder.values["email_subject"] = message.subject
    for label, canonical, value in pairs:
        if canonical:
            builder.set(canonical, value, label=label)
        else:
            builder.add_extra(label, value)
    return builder
