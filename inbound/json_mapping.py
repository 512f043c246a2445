"""Mapping the keys of a quarantined JSON message in one step: the keys no dictionary knows,
and a source label (SourceLabel, the parser's extra_labels) that says what one means, after which
the message is parsed again. Who may: the managers and admins of the message's dealership
(inbound.views checks it, as for the source labels page)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from inbound import ingest, quarantine
from leadparser import CANONICAL_FIELDS
from leadparser.json_lead import unknown_fields
from leads.models import InboundMessage, Source, SourceLabel


def unknown_keys(message: InboundMessage) -> list[dict[str, str]]:
    """The JSON keys of a waiting message that its source's labels and the dictionary do not
    know, each with its value in this message (empty for a message that holds no JSON)."""
    if message.status not in quarantine.WAITING or message.dealership_id is None:
        return []
    return unknown_fields(message.raw_bytes(), extra_labels=ingest.extra_labels_for(message.source))


@transaction.atomic
def map_key(
    *, message: InboundMessage, source: Source, key: str, field: str, by: User
) -> SourceLabel:
    """``key`` in ``source``'s messages means ``field`` from now on; this message (given that
    source when it had none) is parsed again with it."""
    if field not in CANONICAL_FIELDS:
        raise quarantine.QuarantineError(_("Choose one of the parser's fields."))
    if source.dealership_id != message.dealership_id:
        raise quarantine.QuarantineError(_("This source belongs to another dealership."))
    label = " ".join(key.split())[:120]
    if not label:
        raise quarantine.QuarantineError(_("Say which key to map."))
    locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if locked.status not in quarantine.WAITING:
        raise quarantine.QuarantineError(_("This message is no longer waiting for a person."))
    mapping = source.labels.filter(label__iexact=label).first()
    if mapping is None:
        mapping = SourceLabel.objects.create(source=source, label=label, field=field, created_by=by)
    elif mapping.field != field:
        mapping.field = field
        mapping.save(update_fields=["field"])
    if locked.source_id is None:
        locked.source = source
        locked.save(update_fields=["source"])
    quarantine.reparse(message=locked, by=by)
    return mapping
