"""HTML to text and label/value table rows, with the stdlib parser only.

Nothing is rendered or executed: script, style and similar elements are dropped with their
content, tags are stripped and entities unescaped (``convert_charrefs``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

_SKIP = frozenset({"script", "style", "title", "noscript", "template", "svg", "iframe", "object"})
_BLOCK = frozenset({
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "dt", "dd", "dl", "section", "article", "header", "footer", "blockquote", "pre", "hr",
    "td", "th", "center", "address", "form", "fieldset", "legend", "caption", "tbody",
})  # fmt: skip
_CELL = frozenset({"td", "th", "dt", "dd"})
_MAX_ROWS = 5000  # a lead form has dozens; more is noise or an attack on our time
MAX_HTML_CHARS = 2_000_000  # lead e-mails are a few kB of HTML; past this we read the start only


@dataclass
class HtmlContent:
    text: str
    rows: list[list[str]] = field(default_factory=list)


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.rows: list[list[str]] = []
        self._skip_depth = 0
        self._row_stack: list[list[str]] = []  # open <tr>s (tables nest in layout e-mails)
        self._cell: list[str] | None = None
        self._dl_row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
            return
        if tag in _BLOCK:
            self.chunks.append("\n")
        if tag == "tr":
            self._close_cell()  # a table nested in a cell: the outer cell's text stays outside
            self._row_stack.append([])
        elif tag in _CELL:
            self._close_cell()
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in _BLOCK:
            self.chunks.append("\n")
            if self._cell is not None:
                self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag in _BLOCK:
            self.chunks.append("\n")
        if tag in _CELL:
            self._close_cell()
        elif tag == "tr":
            self._close_cell()
            if self._row_stack:
                row = self._row_stack.pop()
                if row and len(self.rows) < _MAX_ROWS:
                    self.rows.append(row)
        elif tag == "dl":
            self._flush_dl()

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        self.chunks.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def _close_cell(self) -> None:
        if self._cell is None:
            return
        lines = ("".join(self._cell)).split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines).strip()
        self._cell = None
        if self._row_stack:
            self._row_stack[-1].append(text)
        else:  # <dt>/<dd> outside a table: pair them up as a row
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
            row = self._row_stack.pop()
            if row:
                self.rows.append(row)
        self._flush_dl()
        lines = [" ".join(line.split()) for line in "".join(self.chunks).split("\n")]
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
    parser = _Extractor()
    try:
        parser.feed(_defuse(html[:MAX_HTML_CHARS]))
        parser.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup
        pass
    return parser.result()


def html_to_text(html: str) -> str:
    return html_content(html).text
