"""Appointments as iCalendar (RFC 5545) invites: a download on the calendar page, and an e-mail
to the customer and the salesperson when an appointment is set."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from icalendar import Calendar, Event, vCalAddress, vText

from core.outgoing_mail import loop_headers
from leads.models import Lead

DURATION = timedelta(hours=1)


def appointment_ics(lead: Lead) -> bytes:
    """One event for the lead's appointment; the same UID each time, so a moved appointment
    replaces the old one in the customer's calendar."""
    calendar = Calendar()
    calendar.add("prodid", "-//DealerLMS//appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"lead-{lead.pk}-appointment@dealerlms")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", lead.appointment_at)
    event.add("dtend", lead.appointment_at + DURATION)
    with override(lead.dealership.language):
        summary = _("Appointment at %(dealership)s") % {"dealership": lead.dealership.name}
    if lead.vehicle_id:
        summary += f" — {lead.vehicle}"
    event.add("summary", summary)
    event.add("location", vText(lead.dealership.name))
    if lead.assigned_to_id and lead.assigned_to.email:
        organizer = vCalAddress(f"mailto:{lead.assigned_to.email}")
        organizer.params["cn"] = vText(
            lead.assigned_to.get_full_name() or lead.assigned_to.username
        )
        event["organizer"] = organizer
    if lead.customer.email:
        attendee = vCalAddress(f"mailto:{lead.customer.email}")
        attendee.params["cn"] = vText(str(lead.customer))
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def send_invites(*, lead_id: int) -> list[str]:
    """E-mail the invite to the salesperson and, with their consent, the customer; returns the
    addresses it went to."""
    lead = (
        Lead.objects.select_related("dealership", "customer", "assigned_to", "vehicle")
        .filter(pk=lead_id, appointment_at__isnull=False)
        .first()
    )
    if lead is None:
        return []
    customer = lead.customer
    to = []
    if customer.email and customer.consent_email and customer.erased_at is None:
        to.append(customer.email)
    if lead.assigned_to_id and lead.assigned_to.email:
        to.append(lead.assigned_to.email)
    if not to:
        return []
    body = appointment_ics(lead)
    with override(customer.language or lead.dealership.language):
        when = lead.appointment_at.astimezone(ZoneInfo(lead.dealership.time_zone))
        subject = _("Your appointment at %(dealership)s") % {"dealership": lead.dealership.name}
        text = _("Your appointment: %(when)s. The invitation for your calendar is attached.") % {
            "when": formats.date_format(when, "DATETIME_FORMAT")
        }
    for address in to:
        message = EmailMessage(
            subject=subject,
            body=text,
            to=[address],
            from_email=settings.DEFAULT_FROM_EMAIL,
            headers=loop_headers("appointment"),
        )
        message.attach("appointment.ics", body, "text/calendar; method=REQUEST")
        message.send()
    return to
