"""Two records of one thing made one: two customer records of the same person, or two leads of
the same request. Nothing is lost: the merged lead is kept (soft-deleted) and its timeline shows
on the lead it was merged into; every move is on the timeline."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from leads.models import Customer, CustomerPhone, EventKind, Lead
from leads.services import LeadError, record_event

_CUSTOMER_FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "email",
    "street",
    "postal_code",
    "city",
    "country",
    "language",
    "preferred_contact",
)


@transaction.atomic
def merge_customers(*, keep: Customer, merge: Customer, by: User) -> Customer:
    """`merge`'s leads and phone numbers move to `keep`, which takes the details it lacks; an
    opt-out on either record holds for the merged one. `merge` is then deleted."""
    if keep.pk == merge.pk:
        raise LeadError("A customer cannot be merged with itself.")
    if keep.dealership_id != merge.dealership_id:
        raise LeadError("Customers of two dealerships cannot be merged.")
    keep, merge = (Customer.objects.select_for_update().get(pk=c.pk) for c in (keep, merge))
    for name in _CUSTOMER_FIELDS:
        if not getattr(keep, name) and getattr(merge, name):
            setattr(keep, name, getattr(merge, name))
    keep.consent_email = keep.consent_email and merge.consent_email
    keep.consent_sms = keep.consent_sms and merge.consent_sms
    keep.save()
    known = set(keep.phones.values_list("number", flat=True))
    CustomerPhone.objects.filter(customer=merge).exclude(number__in=known).update(customer=keep)
    moved = list(Lead.all_objects.filter(customer=merge))
    Lead.all_objects.filter(customer=merge).update(customer=keep, updated_at=timezone.now())
    for lead in moved:
        record_event(
            lead=lead,
            kind=EventKind.MODIFIED,
            actor=by,
            note=f"Customer #{merge.pk} ({merge}) merged into #{keep.pk} ({keep})",
            data={"merged_customer": merge.pk, "into_customer": keep.pk},
        )
    merge.delete()
    return keep


@transaction.atomic
def merge_leads(*, keep: Lead, merge: Lead, by: User) -> Lead:
    """`merge` is a duplicate of `keep`: `keep` takes the vehicle, trade-in and message it lacks,
    and the customer's record when they differ; `merge` is soft-deleted with a pointer to `keep`
    and stops counting in the figures; both timelines show on `keep`."""
    if keep.pk == merge.pk:
        raise LeadError("A lead cannot be merged with itself.")
    if keep.dealership_id != merge.dealership_id:
        raise LeadError("Leads of two dealerships cannot be merged.")
    keep, merge = (Lead.all_objects.select_for_update().get(pk=lead.pk) for lead in (keep, merge))
    if merge.deleted_at is not None:
        raise LeadError("That lead was already merged or deleted.")
    if keep.customer_id != merge.customer_id:
        keep.customer = merge_customers(keep=keep.customer, merge=merge.customer, by=by)
        merge.refresh_from_db()
    changed = []
    for name in ("vehicle", "trade_in"):
        if getattr(keep, f"{name}_id") is None and getattr(merge, f"{name}_id") is not None:
            vehicle = getattr(merge, name)
            setattr(merge, name, None)
            merge.save(update_fields=[name])
            setattr(keep, name, vehicle)
            changed.append(name)
    if merge.comments and merge.comments not in keep.comments:
        keep.comments = "\n\n".join(p for p in (keep.comments, merge.comments) if p)
        changed.append("comments")
    keep.extra = {**keep.extra, "merged_leads": [*keep.extra.get("merged_leads", []), merge.pk]}
    keep.save(update_fields=[*changed, "extra", "updated_at"])
    merge.deleted_at, merge.deleted_by = timezone.now(), by
    merge.extra = {**merge.extra, "merged_into": keep.pk}
    merge.save(update_fields=["deleted_at", "deleted_by", "extra", "updated_at"])
    record_event(
        lead=merge,
        kind=EventKind.DELETED,
        actor=by,
        note=f"Merged into lead #{keep.pk}",
        data={"merged_into": keep.pk},
    )
    record_event(
        lead=keep,
        kind=EventKind.DUPLICATE_MERGED,
        actor=by,
        note=f"Lead #{merge.pk} merged into this one",
        data={"merged_lead": merge.pk},
    )
    return keep
