"""Errors raised by the lead parsers.

Every failure leaving :func:`leadparser.parse_message` is a :class:`ParseError`, so callers
(the webhook pipeline, ``manage.py parse_lead``) need one ``except`` and can show ``str(e)`` as a
single human-readable line.
"""

from __future__ import annotations


class ParseError(Exception):
    """Base class: the message could not be turned into a lead."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(message)

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.message} (line {self.line})"
        return self.message


class NoLeadFound(ParseError):
    """The input was readable but holds no customer contact (no name, e-mail or phone)."""


class NotALead(ParseError):
    """The message is readable and by its nature holds no lead: an auto-reply, a delivery report,
    a newsletter, mail from the dealership's own addresses or from DealerLMS itself. It is kept
    and shown with this reason, never routed and never retried."""


class MalformedInput(ParseError):
    """The input claims a format (XML, JSON, MIME) but breaks its rules."""


class InputTooLarge(MalformedInput):
    """The input is larger than the caller's ``max_bytes``."""


class HostileInput(ParseError):
    """The input tries something dangerous: entity expansion, external entities, a DTD."""
