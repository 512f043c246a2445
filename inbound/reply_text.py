"""What a customer wrote in an e-mail reply: the text part (else the HTML part turned into plain
text, never kept as HTML), without the quoted history below it."""

from __future__ import annotations

import html as html_module
import re

from django.utils.html import strip_tags

# A line that starts the quoted history, in the languages our customers write (and their mail
# programs'): "On … wrote:", "Op … schreef …:", "Le … a écrit :", Outlook's header block.
_HISTORY_STARTS = [
    re.compile(r"^\s*on\b.{0,200}\bwrote:\s*$", re.I),
    re.compile(r"^\s*op\b.{0,200}\bschreef\b.{0,80}:\s*$", re.I),
    re.compile(r"^\s*le\b.{0,200}\ba\s+écrit\s*:\s*$", re.I),
    re.compile(r"^\s*-{2,}\s*(original message|oorspronkelijk bericht|message d'origine)", re.I),
    re.compile(r"^\s*_{5,}\s*$"),
    re.compile(r"^\s*(from|van|de)\s*:\s.+@", re.I),
]
# "On Mon, 1 Dec 2026 at 10:00, Anna <a@b.example>" often breaks before "wrote:".
_SPLIT_WROTE = re.compile(r"^\s*(wrote|schreef|a écrit)\s*:?\s*$", re.I)
MAX_CHARS = 10_000


def html_to_text(html: str) -> str:
    """Readable text of an HTML part: line breaks where blocks end, tags and scripts gone."""
    html = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", html)
    html = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-6]|blockquote)\s*>", "\n", html)
    text = html_module.unescape(strip_tags(html))
    return "\n".join(line.strip() for line in text.splitlines())


def reply_text(text: str, html: str = "") -> str:
    """The new part of a reply: the lines before the quoted history, stripped."""
    body = text if text.strip() else html_to_text(html)
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for number, line in enumerate(lines):
        if any(p.search(line) for p in _HISTORY_STARTS):
            break
        nxt = lines[number + 1] if number + 1 < len(lines) else ""
        if line.strip().lower().startswith(("on ", "op ", "le ")) and _SPLIT_WROTE.match(nxt):
            break
        if line.lstrip().startswith(">"):
            break
        kept.append(line.rstrip())
    reply = "\n".join(kept).strip()
    # Two blank lines at most in a row: a reply is read in a narrow thread.
    reply = re.sub(r"\n{3,}", "\n\n", reply)
    return reply[:MAX_CHARS]
