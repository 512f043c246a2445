"""{{ message.failure_reason|reason }}: why a message is in the quarantine, in the reader's
language. The pipeline stores the reason in English (the parser is plain Python and the log is
for the record); the known beginnings are translated here, the technical rest kept as it is."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# English beginning of a stored reason → what a manager reads.
KNOWN = [
    (
        "no lead found: no ADF, JSON or labelled name/e-mail/phone",
        _("No lead found: no ADF, JSON or labelled name, e-mail or phone"),
    ),
    ("no lead found:", _("No lead found:")),
    ("no dealership for this address", _("No dealership receives at this address")),
    ("no dealership receives at", _("No dealership receives at")),
    ("message too large to parse:", _("Message too large to read:")),
    ("malformed XML:", _("Malformed XML:")),
    ("malformed JSON:", _("Malformed JSON:")),
    ("not an ADF document", _("Not an ADF document")),
    ("XML external references are not allowed", _("XML with external references is not allowed")),
    ("internal error:", _("Internal error:")),
    ("refused by the API:", _("Refused by the API:")),
    (
        "test lead: kept, not made into a lead, not routed",
        _("Test lead: kept, not made into a lead, not routed"),
    ),
    ("too many MIME", _("Too many MIME parts or boundaries")),
    # Not a lead (leadparser.envelope): the beginning is translated, the header or subject kept.
    ("auto-reply", _("Auto-reply")),
    ("automatic message", _("Automatic message")),
    ("delivery report", _("Delivery report")),
    ("read receipt", _("Read receipt")),
    ("newsletter", _("Newsletter")),
    ("portal statistics or marketing mailing", _("Portal statistics or marketing mailing")),
    ("from the dealership's own address", _("From the dealership's own address")),
    ("sent by DealerLMS (mail loop", _("Sent by DealerLMS (mail loop")),
]


@register.filter
def reason(text: str) -> str:
    if not text:
        return ""
    for english, translated in KNOWN:
        if text.startswith(english):
            return f"{translated}{text[len(english) :]}"
    return text
