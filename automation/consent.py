"""May the customer get a message on this channel: their address, consent, erasure and
opt-outs (recorded from STOP, the unsubscribe link, a bounce; withdrawn by START)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from automation.models import Channel, OptOut
from leads.models import Customer, CustomerPhone, Lead


def normalize_address(channel: str, address: str) -> str:
    return address.strip().lower() if channel == Channel.EMAIL else address.strip()


def record_opt_out(*, channel: str, address: str, origin: str) -> OptOut:
    address = normalize_address(channel, address)
    customer = _customer_for(channel, address)
    opt_out, _created = OptOut.objects.get_or_create(
        channel=channel, address=address, defaults={"origin": origin, "customer": customer}
    )
    return opt_out


def withdraw_opt_out(*, channel: str, address: str) -> int:
    return OptOut.objects.filter(
        channel=channel, address=normalize_address(channel, address)
    ).delete()[0]


def _customer_for(channel: str, address: str) -> Customer | None:
    if channel == Channel.EMAIL:
        return Customer.objects.filter(email__iexact=address).order_by("-created_at").first()
    phone = CustomerPhone.objects.filter(number=address).select_related("customer").last()
    return phone.customer if phone else None


def opted_out(channel: str, address: str) -> bool:
    return OptOut.objects.filter(
        channel=channel, address=normalize_address(channel, address)
    ).exists()


def customer_channels(lead: Lead) -> list[tuple[str, str]]:
    """The channels this lead's dealership can reach a customer by: WhatsApp only once the
    dealership has a WhatsApp sender."""
    return [
        (value, label)
        for value, label in Channel.choices
        if value != Channel.WHATSAPP or lead.dealership.whatsapp_number
    ]


def customer_address(lead: Lead, channel: str) -> str:
    if channel == Channel.EMAIL:
        return lead.customer.email
    phones = list(lead.customer.phones.all())
    mobile = next((p for p in phones if p.kind == CustomerPhone.Kind.MOBILE), None)
    return (mobile or next(iter(phones), None) or CustomerPhone(number="")).number


def why_not_to_customer(
    lead: Lead, channel: str, address: str | None = None, *, check_opt_out: bool = True
) -> str:
    """'' when the customer may get a message on this channel, else why not. (The dispatcher
    reads the opt-outs of a whole batch in one query, and passes check_opt_out=False.)"""
    address = customer_address(lead, channel) if address is None else address
    customer = lead.customer
    if customer.erased_at is not None:
        return _("the customer's personal data was erased")
    if not address:
        return _("no e-mail address") if channel == Channel.EMAIL else _("no phone number")
    if channel == Channel.EMAIL and not customer.consent_email:
        return _("no consent for e-mail")
    if channel == Channel.SMS and not customer.consent_sms:
        return _("no consent for SMS")
    if channel == Channel.WHATSAPP:
        # WhatsApp goes to the same mobile number as an SMS, and follows the SMS consent.
        if not lead.dealership.whatsapp_number:
            return _("WhatsApp is not set up for this dealership")
        if not customer.consent_sms:
            return _("no consent for SMS or WhatsApp")
    if check_opt_out and opted_out(channel, address):
        return _("the customer opted out of this channel")
    return ""
