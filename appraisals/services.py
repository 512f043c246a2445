"""Every write of a trade-in appraisal. Offers made, accepted and declined land on the lead's
timeline as NOTE events carrying the appraisal id and the amount, through leads.services."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from appraisals.defaults import DEFAULT_CHECKLISTS
from appraisals.formatting import money
from appraisals.models import (
    Appraisal,
    AppraisalPhoto,
    ChecklistAnswer,
    ChecklistItem,
    ItemKind,
    Result,
)
from appraisals.uploads import check_photo
from dealers.models import Dealership
from leads.models import EventKind, Lead, LeadVehicle
from leads.services import record_event

Status = Appraisal.Status


class AppraisalError(Exception):
    """A request the appraisal's state does not allow; the message says why."""


# --- The checklist a dealership configures ---


def add_checklist_item(
    *, dealership: Dealership, label: str, kind: str = ItemKind.CHECK, unit: str = ""
) -> ChecklistItem:
    last = dealership.checklist_items.aggregate(m=Max("position"))["m"]
    return ChecklistItem.objects.create(
        dealership=dealership,
        label=label.strip(),
        kind=kind,
        unit=unit.strip() if kind == ItemKind.NUMBER else "",
        position=0 if last is None else last + 1,
    )


def install_default_checklist(*, dealership: Dealership) -> list[ChecklistItem]:
    """The standard inspection, in the dealership's language, for a dealership that has none."""
    if dealership.checklist_items.exists():
        return []
    spec = DEFAULT_CHECKLISTS.get(dealership.language, DEFAULT_CHECKLISTS["en"])
    return [
        add_checklist_item(dealership=dealership, label=label, kind=kind, unit=unit)
        for label, kind, unit in spec
    ]


@transaction.atomic
def move_checklist_item(*, item: ChecklistItem, up: bool) -> None:
    """Swap the item with its neighbour; positions are renumbered 0..n on the way."""
    items = list(ChecklistItem.objects.select_for_update().filter(dealership_id=item.dealership_id))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])


# --- An appraisal ---


@transaction.atomic
def start_appraisal(
    *, lead: Lead, by: User | None, vehicle: Mapping[str, Any] | None = None
) -> Appraisal:
    """The lead's appraisal, created with the dealership's enabled checklist. A lead without a
    trade-in gets one from `vehicle` (make, model, year, mileage_km, registration)."""
    lead = Lead.all_objects.select_for_update().get(pk=lead.pk)
    existing = Appraisal.objects.filter(lead=lead).first()
    if existing:
        return existing
    if lead.trade_in_id is None:
        if not vehicle or not (vehicle.get("make") or vehicle.get("model")):
            raise AppraisalError(_("Describe the trade-in: at least its make or model."))
        lead.trade_in = LeadVehicle.objects.create(condition="used", **vehicle)
        lead.save(update_fields=["trade_in", "updated_at"])
        record_event(
            lead=lead,
            kind=EventKind.MODIFIED,
            actor=by,
            note=_("Trade-in added: %(car)s") % {"car": lead.trade_in},
            data={"trade_in_id": lead.trade_in_id},
        )
    dealership = lead.dealership
    appraisal = Appraisal.objects.create(
        lead=lead,
        appraised_by=by,
        currency=dealership.currency,
        # A week from the dealership's today, wherever the server is.
        offer_valid_until=timezone.localdate(timezone=dealership.tz) + timedelta(days=7),
    )
    items = dealership.checklist_items.filter(enabled=True).order_by("position", "id")
    ChecklistAnswer.objects.bulk_create(
        ChecklistAnswer(
            appraisal=appraisal,
            item=item,
            position=position,
            label=item.label,
            kind=item.kind,
            unit=item.unit,
        )
        for position, item in enumerate(items)
    )
    return appraisal


def _locked_editable(appraisal: Appraisal) -> Appraisal:
    """The appraisal as it is now, locked: the caller's copy may be stale (two people, two tabs)."""
    appraisal = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("lead__dealership")
        .get(pk=appraisal.pk)
    )
    if not appraisal.is_editable:
        raise AppraisalError(
            _("This appraisal was %(status)s; reopen it to change it.")
            % {"status": appraisal.get_status_display().lower()}
        )
    return appraisal


TRADE_IN_FIELDS = ("make", "model", "year", "mileage_km", "registration")


@transaction.atomic
def update_trade_in(*, appraisal: Appraisal, by: User | None, **fields: Any) -> LeadVehicle:
    """Correct the car as found on the spot (mileage, registration…); the lead's timeline
    records what changed."""
    appraisal = _locked_editable(appraisal)
    vehicle = appraisal.lead.trade_in
    changed = {}
    for name in TRADE_IN_FIELDS:
        if name in fields and getattr(vehicle, name) != fields[name]:
            changed[name] = [getattr(vehicle, name), fields[name]]
            setattr(vehicle, name, fields[name])
    if not changed:
        return vehicle
    if not (vehicle.make or vehicle.model):
        raise AppraisalError(_("Describe the trade-in: at least its make or model."))
    vehicle.save(update_fields=list(changed))
    with translation.override(appraisal.lead.dealership.language):
        note = _("Trade-in corrected during the appraisal: %(car)s") % {"car": vehicle}
    record_event(
        lead=appraisal.lead,
        kind=EventKind.MODIFIED,
        actor=by,
        note=note,
        data={"trade_in_id": vehicle.pk, "appraisal_id": appraisal.pk, "changed": changed},
    )
    return vehicle


@transaction.atomic
def record_answers(*, appraisal: Appraisal, answers: Mapping[int, Mapping[str, Any]]) -> int:
    """Store answers by ChecklistAnswer id: {"result", "value", "note"}. Returns how many changed."""
    appraisal = _locked_editable(appraisal)
    changed = 0
    for answer in appraisal.answers.filter(pk__in=list(answers)):
        given = answers[answer.pk]
        result = given.get("result") or ""
        value = given.get("value")
        if answer.kind != ItemKind.CHECK:
            result = ""
        if result and result not in Result.values:
            raise AppraisalError(_("Unknown result: %(result)s") % {"result": result})
        if answer.kind != ItemKind.NUMBER:
            value = None
        elif value is not None and Decimal(value) < 0:
            raise AppraisalError(_("%(label)s cannot be negative.") % {"label": answer.label})
        note = (given.get("note") or "").strip()
        if (answer.result, answer.value, answer.note) != (result, value, note):
            answer.result, answer.value, answer.note = result, value, note
            answer.save(update_fields=["result", "value", "note"])
            changed += 1
    if changed:
        appraisal.save(update_fields=["updated_at"])
    return changed


@transaction.atomic
def add_photos(
    *, appraisal: Appraisal, uploads: Iterable[UploadedFile], by: User | None, caption: str = ""
) -> list[AppraisalPhoto]:
    """Store the photos, all or none: one file that is not a real image refuses the lot."""
    uploads = list(uploads)
    if not uploads:
        raise ValidationError(_("Choose a photo to upload."), code="required")
    kinds = [check_photo(upload) for upload in uploads]  # raises before anything is written
    photos: list[AppraisalPhoto] = []
    try:
        for upload, kind in zip(uploads, kinds, strict=True):
            photo = AppraisalPhoto(
                appraisal=appraisal,
                content_type=kind.content_type,
                size=upload.size,
                caption=caption.strip(),
                uploaded_by=by,
            )
            photo.file.save(f"photo{kind.extension}", upload, save=False)
            photos.append(photo)
            photo.save()
        appraisal.save(update_fields=["updated_at"])
    except BaseException:
        # The rows roll back with the transaction; the files written so far must go with them.
        for photo in photos:
            photo.file.storage.delete(photo.file.name)
        raise
    return photos


def delete_photo(*, photo: AppraisalPhoto) -> None:
    storage, name = photo.file.storage, photo.file.name
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def set_offer(
    *,
    appraisal: Appraisal,
    valuation: Decimal | None,
    offer: Decimal | None,
    valid_until: date,
    remarks: str = "",
) -> Appraisal:
    """Record the valuation and offer. An offer above the valuation is allowed (a salesperson
    may buy the deal) but said out loud: see offer_warnings."""
    appraisal = _locked_editable(appraisal)
    if valuation is not None and valuation < 0:
        raise AppraisalError(_("The valuation cannot be negative."))
    if offer is not None and offer < 0:
        raise AppraisalError(_("The offer cannot be negative."))
    if valid_until < timezone.localdate(timezone=appraisal.lead.dealership.tz):
        raise AppraisalError(_("The offer cannot be valid until a day in the past."))
    appraisal.valuation = valuation
    appraisal.offer = offer
    appraisal.offer_valid_until = valid_until
    appraisal.remarks = remarks.strip()
    appraisal.save(
        update_fields=["valuation", "offer", "offer_valid_until", "remarks", "updated_at"]
    )
    return appraisal


def offer_warnings(appraisal: Appraisal) -> list[str]:
    warnings = []
    if (
        appraisal.offer is not None
        and appraisal.valuation is not None
        and appraisal.offer > appraisal.valuation
    ):
        warnings.append(
            _("The offer is %(diff)s above the valuation.")
            % {"diff": money(appraisal.offer - appraisal.valuation, appraisal.currency)}
        )
    unanswered = [a.label for a in appraisal.answers.all() if not a.answered]
    if unanswered:
        warnings.append(_("Not yet inspected: %(items)s.") % {"items": ", ".join(unanswered)})
    return warnings


ALLOWED = {
    Status.DRAFT: {Status.OFFERED},
    Status.OFFERED: {Status.ACCEPTED, Status.DECLINED, Status.DRAFT},
    Status.DECLINED: {Status.DRAFT},
    Status.ACCEPTED: set(),
}

# Marked here, translated when written (in the dealership's language).
EVENT_NOTES = {
    Status.OFFERED: gettext_noop(
        "Trade-in offer made: %(amount)s for %(car)s, valid until %(until)s."
    ),
    Status.ACCEPTED: gettext_noop("Trade-in offer accepted: %(amount)s for %(car)s."),
    Status.DECLINED: gettext_noop("Trade-in offer declined: %(amount)s for %(car)s."),
    Status.DRAFT: gettext_noop("Trade-in offer of %(amount)s withdrawn to be revised."),
}


@transaction.atomic
def change_status(*, appraisal: Appraisal, to: str, by: User | None) -> Appraisal:
    """Move the offer on (offered, accepted, declined, back to draft) and put it on the lead's
    timeline as a note carrying the appraisal id and the amount."""
    appraisal = (
        Appraisal.objects.select_for_update()
        .select_related("lead__dealership")
        .get(pk=appraisal.pk)
    )
    if to not in Status.values:
        raise AppraisalError(_("Unknown offer status: %(to)s") % {"to": to})
    if to not in ALLOWED[appraisal.status]:
        raise AppraisalError(
            _("An offer that is %(now)s cannot become %(to)s.")
            % {
                "now": appraisal.get_status_display().lower(),
                "to": Status(to).label.lower(),
            }
        )
    dealership = appraisal.lead.dealership
    if to == Status.OFFERED:
        if appraisal.offer is None:
            raise AppraisalError(_("Enter the offer before making it."))
        if appraisal.offer_valid_until < timezone.localdate(timezone=dealership.tz):
            raise AppraisalError(_("The offer's validity has passed; give it a new date."))
    now = timezone.now()
    previous = appraisal.status
    appraisal.status = to
    if to == Status.OFFERED:
        appraisal.offered_at = now
    appraisal.decided_at = now if to in (Status.ACCEPTED, Status.DECLINED) else None
    appraisal.save(update_fields=["status", "offered_at", "decided_at", "updated_at"])
    # The timeline is read by the dealership's people: write the note in their language.
    with translation.override(dealership.language):
        note = _(EVENT_NOTES[to]) % {
            "amount": money(appraisal.offer, appraisal.currency),
            "car": appraisal.lead.trade_in or "—",
            "until": _format_date(appraisal.offer_valid_until),
        }
    record_event(
        lead=appraisal.lead,
        kind=EventKind.NOTE,
        actor=by,
        note=note,
        data={
            "appraisal_id": appraisal.pk,
            "appraisal_status": to,
            "appraisal_status_from": previous,
            "offer": str(appraisal.offer),
            "currency": appraisal.currency,
            "valid_until": appraisal.offer_valid_until.isoformat(),
        },
    )
    return appraisal


def _format_date(value: date) -> str:
    from django.utils.formats import date_format

    return date_format(value, "SHORT_DATE_FORMAT")


def record_offer_sent(*, appraisal: Appraisal, by: User | None, to: str) -> None:
    with translation.override(appraisal.lead.dealership.language):
        note = _("Trade-in offer e-mailed to %(address)s.") % {"address": to}
    record_event(
        lead=appraisal.lead,
        kind=EventKind.NOTE,
        actor=by,
        note=note,
        data={"appraisal_id": appraisal.pk, "offer": str(appraisal.offer), "emailed_to": to},
    )
