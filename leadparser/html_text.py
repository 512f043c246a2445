"""HTML to text and label/value table rows, with the stdlib parser only.

Nothing is rendered or executed: script, style and similar elements are dropped with their
content, tags are stripped and entities unescaped (``convert_charrefs``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import unquote

_SKIP = frozenset({"script", "style", "title", "noscript", "template", "svg", "iframe", "object"})
_BLOCK = frozenset({
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "dt", "dd", "dl", "section", "article", "header", "footer", "blockquote", "pre", "hr",
    "td", "th", "center", "address", "form", "fieldset", "legend", "caption", "tbody",
})  # fmt: skip
_CELL = frozenset({"td", "th", "dt", "dd"})
_FIELD_LINE = re.compile(r"[^:\t\n]{1,40}:(?:\s|$)")
_BREAKING_TAG = re.compile(r"<(?:br|p|div|td|tr|li|dd|h[1-6])\b", re.IGNORECASE)
_FIELD_IN_CELL = re.compile(r"[^:\t\n]{1,40}:\s+\S")
_MAX_ROWS = 5000  # a lead form has dozens; more is noise or an attack on our time
MAX_HTML_CHARS = 2_000_000  # lead e-mails are a few kB of HTML; past this we read the start only


@dataclass
class HtmlContent:
    text: str
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class _Row:
    """An open <tr>: its cells, the cell being read, and where its text began in the output."""

    start: int
    cells: list[str] = field(default_factory=list)
    cell: list[str] | None = None
    nested: bool = False  # a table inside one of its cells: not one line of its own


class _Extractor(HTMLParser):
    def __init__(self, *, markup_breaks: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        # Where the markup breaks its lines (<br>, <p>, cells), a newline in the source is only
        # spacing; an "HTML" part without such tags is plain text and keeps its lines.
        self.markup_breaks = markup_breaks
        self._pre = 0
        self.chunks: list[str] = []
        self.rows: list[list[str]] = []
        self._skip_depth = 0
        self._row_stack: list[_Row] = []  # open <tr>s (tables nest in layout e-mails)
        self._cell: list[str] | None = None  # a <dt>/<dd> outside a table
        self._dl_row: list[str] | None = None
        self._tel: tuple[str, int] | None = None  # an open <a href="tel:…">, where its text began

    def _open_cell(self) -> list[str] | None:
        return self._row_stack[-1].cell if self._row_stack else self._cell

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
            return
        if tag in _BLOCK:
            self.chunks.append("\n")
        if tag in ("pre", "textarea"):
            self._pre += 1
        if tag == "tr":
            if self._row_stack:  # its ancestors were marked when it opened
                self._row_stack[-1].nested = True
            self._row_stack.append(_Row(start=len(self.chunks)))
        elif tag in _CELL:
            self._close_cell()
            if self._row_stack:
                self._row_stack[-1].cell = []
            else:
                self._cell = []
        elif tag == "br":
            cell = self._open_cell()
            if cell is not None:
                cell.append("\n")
        elif tag == "a":
            href = next((v for k, v in attrs if k == "href" and v), "")
            number = unquote(href[4:].split("?")[0]).strip() if href[:4].lower() == "tel:" else ""
            self._tel = (number, len(self.chunks)) if number else None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in _BLOCK:
            self.chunks.append("\n")
            cell = self._open_cell()
            if cell is not None:
                cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag in _BLOCK:
            self.chunks.append("\n")
        if tag in ("pre", "textarea"):
            self._pre = max(0, self._pre - 1)
        if tag in _CELL:
            self._close_cell()
        elif tag == "tr":
            self._close_cell()
            if self._row_stack:
                self._close_row(self._row_stack.pop())
        elif tag == "dl":
            self._flush_dl()
        elif tag == "a" and self._tel:
            # "<a href="tel:+316…">Bel klant</a>": the number is in the link only; keep it.
            number, start = self._tel
            self._tel = None
            if not re.search(r"\d", "".join(self.chunks[start:])):
                self.handle_data(f" {number}")

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        data = data.replace("\t", " ")  # a tab in the markup is spacing; ours separate cells
        if self.markup_breaks and not self._pre:
            data = data.replace("\r", " ").replace("\n", " ")
        self.chunks.append(data)
        cell = self._open_cell()
        if cell is not None:
            cell.append(data)

    def _close_row(self, row: _Row) -> None:
        # "Voornaam* | : | Ruud": a cell holding only the colon separates label and value.
        row.cells = [c for c in row.cells if c not in (":", "：")]
        cells = [c for c in row.cells if c]
        if cells and len(self.rows) < _MAX_ROWS:
            self.rows.append(row.cells)
        # A row of one-line cells reads as one tab-separated line ("Naam<TAB>Jan"), so the text
        # keeps which value sits beside which label, in document order with headings around it.
        if row.nested or len(cells) < 2 or "\n" in cells[0]:
            return
        # A value over several lines (a message, an address) stays one value, unless its lines
        # are themselves fields: then the cell is a layout column holding the whole lead.
        if any(_FIELD_LINE.match(line) for c in cells[1:] for line in c.split("\n")[1:]):
            return
        if any(_FIELD_IN_CELL.match(c) for c in cells):  # "Naam: Jan" | "E-mail: …" side by side
            return
        del self.chunks[row.start :]
        self.chunks.append("\n" + "\t".join(" ".join(c.split()) for c in cells) + "\n")

    def _close_cell(self) -> None:
        cell = self._open_cell()
        if cell is None:
            return
        lines = ("".join(cell)).split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines).strip()
        if self._row_stack:
            self._row_stack[-1].cell = None
            self._row_stack[-1].cells.append(text)
        else:  # <dt>/<dd> outside a table: pair them up as a row
            self._cell = None
            self._dl_row = (self._dl_row or []) + [text]
            if len(self._dl_row) == 2:
                self._flush_dl()

    def _flush_dl(self) -> None:
        if self._dl_row and len(self.rows) < _MAX_ROWS:
            self.rows.append(self._dl_row)
        self._dl_row = None

    def result(self) -> HtmlContent:
        self._close_cell()
        while self._row_stack:
            self._close_row(self._row_stack.pop())
        self._flush_dl()
        lines = [
            "\t".join(" ".join(cell.split()) for cell in line.split("\t"))
            for line in "".join(self.chunks).split("\n")
        ]
        text, blank = [], False
        for line in lines:  # keep paragraph breaks, drop runs of empty lines
            if line or not blank:
                text.append(line)
            blank = not line
        return HtmlContent("\n".join(text).strip(), self.rows)


def _defuse(html: str) -> str:
    """Remove what makes html.parser quadratic, in one linear pass.

    The stdlib parser rescans the rest of the input for every unterminated ``<!--``, ``<![`` or
    ``<tag`` (CPython issues fixed only in later releases), so 400 kB of ``<!--`` took minutes.
    Comments and marked sections carry nothing for us: drop them, with an unterminated one
    swallowing the rest as browsers do; a ``<`` after the last ``>`` can start no tag, so escape it.
    """
    out: list[str] = []
    at = 0
    while True:
        start = html.find("<!", at)
        if start < 0:
            out.append(html[at:])
            break
        opener, closer = ("<!--", "-->") if html.startswith("<!--", start) else ("<![", "]]>")
        if not html.startswith(opener, start):
            out.append(html[at : start + 2])
            at = start + 2
            continue
        out.append(html[at:start])
        end = html.find(closer, start + len(opener))
        if end < 0:
            break
        at = end + len(closer)
    text = "".join(out)
    last_gt = text.rfind(">")
    return text[: last_gt + 1] + text[last_gt + 1 :].replace("<", "&lt;")


@lru_cache(maxsize=4)  # the ADF and label parsers both read the same HTML part
def html_content(html: str) -> HtmlContent:
    parser = _Extractor(markup_breaks=bool(_BREAKING_TAG.search(html, 0, 200_000)))
    try:
        parser.feed(_defuse(html[:MAX_HTML_CHARS]))
        parser.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup
        pass
    return parser.result()


def html_to_text(html: str) -> str:
    return html_content(html).text
