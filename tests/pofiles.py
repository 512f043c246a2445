"""A small reader of gettext .po files (the fields the translation test needs): entries with
their context, id, plural id, translations and flags."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return (
            "fuzzy" not in self.flags
            and bool(self.msgstr)
            and all(text.strip() for text in self.msgstr.values())
        )


def read(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal current, target
        if current.msgid or current.msgstr:
            entries.append(current)
        current, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            if current.msgid or current.msgstr:
                finish()
            current.flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = "", line
        text = ast.literal_eval(rest) if rest else ""
        if keyword == "msgctxt":
            if current.msgid or current.msgstr:
                finish()
            current.msgctxt, target = text, ("msgctxt", None)
        elif keyword == "msgid":
            if current.msgid or current.msgstr:
                finish()
            current.msgid, target = text, ("msgid", None)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = text, ("msgid_plural", None)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            current.msgstr[index] = text
            target = ("msgstr", index)
        elif keyword == "" and target is not None:
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, name, (getattr(current, name) or "") + text)
    finish()
    return [e for e in entries if e.msgid and not e.obsolete]
