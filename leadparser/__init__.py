"""Inbound lead parsing: raw message in, normalized lead dict (contracts/lead.schema.json) out.

Pure Python: no Django, no database, no network, no file access beyond what the caller passes.
"""

from __future__ import annotations

from collections.abc import Iterable

from leadparser import envelope
from leadparser.errors import (
    HostileInput,
    InputTooLarge,
    MalformedInput,
    NoLeadFound,
    NotALead,
    ParseError,
)
from leadparser.label_dictionary import CANONICAL_FIELDS
from leadparser.message import Message
from leadparser.mime import bare_kind, read_bare, read_email, to_read
from leadparser.registry import run

__all__ = [
    "CANONICAL_FIELDS",
    "HostileInput",
    "InputTooLarge",
    "MalformedInput",
    "NoLeadFound",
    "NotALead",
    "ParseError",
    "parse_message",
]


def _guarded(work, *args):
    """Run ``work``; anything but a ParseError becomes one, keeping the original as __cause__."""
    try:
        return work(*args)
    except ParseError:
        raise
    except RecursionError as exc:
        raise MalformedInput("input nested too deeply") from exc
    except MemoryError as exc:
        raise InputTooLarge("input too large to parse") from exc
    except Exception as exc:
        raise ParseError(f"unexpected parser failure ({type(exc).__name__}: {exc})") from exc


def parse_message(
    raw: bytes,
    *,
    region: str = "NL",
    extra_labels: dict[str, str] | None = None,
    max_bytes: int = 10_000_000,
    own_addresses: Iterable[str] = (),
    skip_not_a_lead: bool = False,
) -> dict:
    """A whole RFC 822 message (.eml) or a bare ADF XML / JSON / text document -> normalized lead.

    ``region`` (ISO country) reads national phone numbers; ``extra_labels`` maps a dealership's
    own label texts to :data:`CANONICAL_FIELDS`. ``own_addresses`` (addresses, or '@domain')
    are the dealership's own: their mail is no lead unless it forwards one. ``skip_not_a_lead``:
    a person said it is a lead, so the not-a-lead filter (leadparser.envelope) is not applied.
    Raises only :class:`ParseError` subclasses (:class:`NotALead` for what is no lead by nature).
    """
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    # A lead in the text part with a brochure or photos attached: read without them, never
    # decoding them; max_bytes limits what is read (leadparser.mime.to_read).
    raw, notes = _guarded(to_read, raw, max_bytes)

    def work() -> dict:
        message = Message(region=(region or "NL").upper(), extra_labels=dict(extra_labels or {}))
        message.notes.extend(notes)
        kind = bare_kind(raw)
        if kind is None:
            read_email(raw, message)
            envelope.open_envelope(message, own_addresses=own_addresses, check=not skip_not_a_lead)
        else:
            read_bare(raw, kind, message)
        return envelope.read(message, run)

    return _guarded(work)
