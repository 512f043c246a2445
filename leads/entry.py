"""Leads entered by hand: a walk-in, a phone-up, a showroom visit or a name from a passive list,
typed in by a salesperson, a BDC agent or a manager. The customer is found (by e-mail or phone)
or created, the vehicle may come from stock, and the lead is either kept by the person who
entered it or routed by the dealership's rules like any other lead."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from dealers.models import Dealership, StockVehicle
from leads import services
from leads.models import Customer, Lead, LeadType, LeadVehicle, Source


class EntryKind:
    WALK_IN = "walk_in"
    PHONE_UP = "phone_up"
    SHOWROOM = "showroom"
    LIST = "list"
    choices = [
        (WALK_IN, _("Walk-in")),
        (PHONE_UP, _("Phone-up")),
        (SHOWROOM, _("Showroom visit")),
        (LIST, _("Passive list entry")),
    ]
    # Which source kind a lead entered this way comes from, when the person does not choose one.
    source_kind = {
        WALK_IN: Source.Kind.WALK_IN,
        SHOWROOM: Source.Kind.WALK_IN,
        PHONE_UP: Source.Kind.PHONE,
        LIST: Source.Kind.LIST,
    }
    # Customers in the showroom: the manager's traffic log counts these.
    in_person = (WALK_IN, SHOWROOM)


@dataclass
class ManualLead:
    dealership: Dealership
    entered_as: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phones: list[str] = field(default_factory=list)
    source: Source | None = None
    lead_type: str = LeadType.INFO_REQUEST
    stock_vehicle: StockVehicle | None = None
    vehicle_text: str = ""
    comments: str = ""
    keep: bool = False


def default_source(*, dealership: Dealership, entered_as: str) -> Source:
    """The dealership's source for leads entered this way ("Walk-in", "Phone", "Lists"), made the
    first time it is needed so that the dashboards count these leads on their own channel."""
    kind = EntryKind.source_kind[entered_as]
    existing = Source.objects.filter(dealership=dealership, kind=kind, is_enabled=True).first()
    if existing is not None:
        return existing
    names = {Source.Kind.WALK_IN: "Walk-in", Source.Kind.PHONE: "Phone", Source.Kind.LIST: "Lists"}
    source, _created = Source.objects.get_or_create(
        dealership=dealership,
        name=names[kind],
        defaults={"kind": kind, "is_passive": kind == Source.Kind.LIST},
    )
    return source


def _vehicle(entry: ManualLead) -> LeadVehicle | None:
    stock = entry.stock_vehicle
    if stock is not None:
        return LeadVehicle(
            condition=stock.condition,
            year=stock.year,
            make=stock.make,
            model=stock.model,
            trim=stock.trim,
            vin=stock.vin,
            stock_number=stock.stock_number,
            registration=stock.registration,
            mileage_km=stock.mileage_km,
            price=stock.price,
            currency=entry.dealership.currency,
            stock_vehicle=stock,
        )
    if entry.vehicle_text.strip():
        make, _sep, model = entry.vehicle_text.strip().partition(" ")
        return LeadVehicle(make=make[:60], model=model[:80])
    return None


@transaction.atomic
def enter_lead(*, entry: ManualLead, by: User) -> Lead:
    """Write the lead with a 'created' event by `by`. Kept: assigned to `by` in the same
    transaction, so routing finds it taken; otherwise routed by the rules after the commit (a
    passive list entry goes to the BDC queue)."""
    source = entry.source or default_source(
        dealership=entry.dealership, entered_as=entry.entered_as
    )
    customer = services.find_or_create_customer(
        dealership=entry.dealership,
        first_name=entry.first_name,
        last_name=entry.last_name,
        full_name=" ".join(p for p in (entry.first_name, entry.last_name) if p),
        email=entry.email,
        phones=[(number, "unknown") for number in entry.phones],
    )
    lead = services.new_lead(
        dealership=entry.dealership,
        customer=customer,
        source=source,
        lead_type=entry.lead_type,
        vehicle=_vehicle(entry),
        comments=entry.comments,
        is_passive=True if entry.entered_as == EntryKind.LIST else None,
        extra={"entered_as": entry.entered_as},
    )
    (lead,) = services.create_leads(leads=[lead], by=by)
    if entry.keep and entry.entered_as != EntryKind.LIST:
        lead = services.assign_lead(lead=lead, to=by, by=by, reason="entered by hand")
    return lead


def matching_customers(
    *, dealership: Dealership, email: str = "", phone: str = ""
) -> QuerySet[Customer]:
    """Customers of the dealership with this e-mail or phone: the duplicate warning while typing."""
    who = Q()
    if email.strip():
        who |= Q(email__iexact=email.strip())
    if phone:
        who |= Q(phones__number=phone)
    if not who:
        return Customer.objects.none()
    return (
        Customer.objects.filter(who, dealership=dealership, erased_at__isnull=True)
        .distinct()
        .prefetch_related("leads__assigned_to")[:5]
    )


def search_stock(*, dealership: Dealership, text: str) -> QuerySet[StockVehicle]:
    """Stock vehicles for sale whose make, model, stock number, VIN or plate holds every word."""
    vehicles = StockVehicle.objects.filter(
        dealership=dealership, status=StockVehicle.Status.AVAILABLE
    )
    words = text.split()[:5]
    if not words:
        return vehicles.none()
    for word in words:
        plate = word.replace("-", "").upper()
        vehicles = vehicles.filter(
            Q(make__icontains=word)
            | Q(model__icontains=word)
            | Q(trim__icontains=word)
            | Q(stock_number__iexact=word)
            | Q(vin__iexact=word)
            | Q(registration__iexact=plate)
        )
    return vehicles.order_by("make", "model")[:10]
