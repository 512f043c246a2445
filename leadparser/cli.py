"""Command-line window on the parser: ``python -m leadparser`` and ``manage.py parse_lead``."""

from __future__ import annotations

import json
from pathlib import Path

from leadparser import parse_message
from leadparser.errors import ParseError

EXIT_OK, EXIT_PARSE_ERROR, EXIT_NO_FILE = 0, 1, 2


def main_parse_file(path: str, region: str) -> tuple[int, str, str]:
    """(exit code, stdout text, stderr line) for parsing the file at ``path``.

    Never raises for bad input: people read the one stderr line, so no traceback reaches them.
    """
    name = Path(path).name
    try:
        raw = Path(path).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return EXIT_NO_FILE, "", f"parse_lead: {path}: no such file"
    except OSError as exc:
        return EXIT_NO_FILE, "", f"parse_lead: {path}: cannot read ({exc.strerror or exc})"
    try:
        lead = parse_message(raw, region=region)
    except ParseError as exc:
        message = " ".join(str(exc).split())
        return EXIT_PARSE_ERROR, "", f"parse_lead: {name}: {message}"
    return EXIT_OK, json.dumps(lead, ensure_ascii=False, indent=2) + "\n", ""
