"""The decoded input every parser reads: the parts of one e-mail, or one bare document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Attachment:
    filename: str | None
    content_type: str
    content: bytes


@dataclass
class Message:
    """What the parsers see.

    A bare document (an ``.xml``/``.json``/``.txt`` file, a webhook body) is a message without
    headers whose only part is ``texts[0]`` (or ``htmls[0]``); ``bare`` keeps its raw bytes so the
    XML parser can honour the document's own encoding declaration.
    """

    subject: str | None = None
    sender_name: str | None = None
    sender_addr: str | None = None
    date: datetime | None = None
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    bare: bytes | None = None
    bare_kind: str | None = None  # "xml", "json", "html", "text" for a bare document
    region: str = "NL"
    extra_labels: dict[str, str] = field(default_factory=dict)
    # Read by the envelope step (leadparser.envelope): the top-level headers as (lower-case
    # name, raw value), every part's content type in walk order, and each attached message
    # (message/rfc822, a forward as .eml) as a Message of its own.
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    embedded: list[Message] = field(default_factory=list)
    reply_to: str | None = None
    # Envelope clues the readers use when the content lacks them (canonical key -> value).
    clues: dict[str, str] = field(default_factory=dict)
    forwarded_by: str | None = None
    # "forwarded" or "direct" when the sender is the person who asks (leadparser.envelope)
    sender_is_customer: str | None = None
    contact_from_sender: bool = False  # the lead's only contact is the direct sender's
    bulk_reason: str | None = None  # a newsletter-like message: not a lead unless a contact is read
    signup: bool = False  # a website's newsletter sign-up: not a lead unless it asks for more

    @property
    def is_email(self) -> bool:
        return self.bare_kind is None
