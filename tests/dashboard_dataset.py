"""A hand-built dealership for the dashboard tests: 10 leads received in March 2026, built through
leads.services at fixed times, plus three that must never be counted. The expected figures are
worked out by hand in the tests that use it.

 #  source   seller  vehicle  journey                                          1st attempt after
 1  Portal   A       new      reached → appointment (set_appointment) → showed → proposal → sold   3 min
 2  Portal   A       used     no answer, reached 2 h later → lost                                  10 min
 3  Portal   B       new      reached → appointment (status change) → lost                         30 min
 4  Portal   —       new      nothing (waiting)                                                    —
 5  Website  A       new      voicemail, reached a day later → appointment → showed → lost         2 min
 6  Website  B       used     reached → appointment → sold straight away (counts as showed)        90 min
 7  Website  B       new      assigned, nobody tried (waiting)                                     —
 8  Phone    A       none     call type: reached → proposal → sold                                 1 min
 9  Phone    B       none     call type: no answer → unreachable                                  4 min
10  Portal   A       used     passive, received a week later (10 March), untouched (waiting)       —
Not counted: 11 received 20 February (previous period, sold), 12 deleted, 13 another dealership.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from accounts.models import User
from dealers.models import Dealership
from leads import services
from leads.lifecycle import LostReason, Status
from leads.models import ContactChannel, ContactOutcome, Lead, LeadType, LeadVehicle, Source
from tests.factories import CustomerFactory, DealershipFactory, SourceFactory, manager, salesperson

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=AMS)
MARCH = {"start": date(2026, 3, 1).isoformat(), "end": date(2026, 3, 31).isoformat()}
REACHED, NO_ANSWER, VOICEMAIL = (
    ContactOutcome.REACHED,
    ContactOutcome.NO_ANSWER,
    ContactOutcome.VOICEMAIL,
)


@dataclass
class Dataset:
    dealership: Dealership
    boss: User
    a: User
    b: User
    portal: Source
    website: Source
    phone: Source
    leads: dict[int, Lead]

    def numbers(self, leads) -> set[int]:
        by_pk = {lead.pk: n for n, lead in self.leads.items()}
        return {by_pk[lead.pk] for lead in leads}


def _lead(dealership, source, received, *, condition="new", seller=None, **kwargs) -> Lead:
    lead = services.create_lead(
        dealership=dealership,
        customer=CustomerFactory(dealership=dealership),
        source=source,
        vehicle=LeadVehicle(condition=condition, make="Ligier", model="JS50")
        if condition
        else None,
        received_at=received,
        **kwargs,
    )
    if seller is not None:
        lead = services.assign_lead(lead=lead, to=seller, at=received + timedelta(seconds=20))
    return lead


def _try(lead, outcome, after, by) -> Lead:
    return services.log_contact_attempt(
        lead=lead,
        channel=ContactChannel.PHONE,
        outcome=outcome,
        by=by,
        at=lead.received_at + after,
    )


def build(settings) -> Dataset:
    # Hashing the staff's passwords properly would be most of this set's cost; tests log in with
    # force_login.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    d = DealershipFactory(name="Doesburg", time_zone="Europe/Amsterdam")
    boss, a, b = manager(d), salesperson(d, first_name="Anna"), salesperson(d, first_name="Bram")
    portal = SourceFactory(dealership=d, name="Portal", kind=Source.Kind.PORTAL)
    website = SourceFactory(dealership=d, name="Website", kind=Source.Kind.WEBSITE)
    phone = SourceFactory(dealership=d, name="Phone", kind=Source.Kind.PHONE)
    minute, hour = timedelta(minutes=1), timedelta(hours=1)
    at = [MONDAY + i * hour for i in range(10)]
    later = datetime(2026, 3, 20, 12, tzinfo=AMS)
    leads: dict[int, Lead] = {}

    lead = _try(_lead(d, portal, at[1], seller=a), REACHED, 3 * minute, a)
    lead = services.set_appointment(lead=lead, at=later, by=a)
    for status in (Status.SHOWED, Status.PROPOSAL, Status.SOLD):
        lead = services.change_status(lead=lead, to=status, by=a)
    leads[1] = lead

    lead = _lead(d, portal, at[2], condition="used", seller=a)
    lead = _try(lead, NO_ANSWER, 10 * minute, a)
    lead = _try(lead, REACHED, 2 * hour, a)
    leads[2] = services.change_status(lead=lead, to=Status.LOST, by=a, lost_reason=LostReason.PRICE)

    lead = _try(_lead(d, portal, at[3], seller=b), REACHED, 30 * minute, b)
    lead = services.change_status(lead=lead, to=Status.APPOINTMENT, by=b)
    leads[3] = services.change_status(
        lead=lead, to=Status.LOST, by=b, lost_reason=LostReason.BOUGHT_ELSEWHERE
    )

    leads[4] = _lead(d, portal, at[4])

    lead = _try(_lead(d, website, at[5], seller=a), VOICEMAIL, 2 * minute, a)
    lead = _try(lead, REACHED, 24 * hour, a)
    lead = services.set_appointment(lead=lead, at=later, by=a)
    lead = services.change_status(lead=lead, to=Status.SHOWED, by=a)
    leads[5] = services.change_status(lead=lead, to=Status.LOST, by=a, lost_reason=LostReason.PRICE)

    lead = _lead(d, website, at[6], condition="used", seller=b)
    lead = _try(lead, REACHED, 90 * minute, b)
    lead = services.set_appointment(lead=lead, at=later, by=b)
    leads[6] = services.change_status(lead=lead, to=Status.SOLD, by=b)

    leads[7] = _lead(d, website, at[7], seller=b)

    lead = _lead(d, phone, at[8], condition="", seller=a, lead_type=LeadType.CALL)
    lead = _try(lead, REACHED, 1 * minute, a)
    lead = services.change_status(lead=lead, to=Status.PROPOSAL, by=a)
    leads[8] = services.change_status(lead=lead, to=Status.SOLD, by=a)

    lead = _lead(d, phone, at[9], condition="", seller=b, lead_type=LeadType.CALL)
    lead = _try(lead, NO_ANSWER, 4 * minute, b)
    leads[9] = services.change_status(lead=lead, to=Status.UNREACHABLE, by=b)

    leads[10] = _lead(
        d,
        portal,
        datetime(2026, 3, 10, 11, tzinfo=AMS),
        condition="used",
        seller=a,
        is_passive=True,
    )

    # Never counted in March: received in February, deleted, or at another dealership.
    lead = _try(_lead(d, portal, datetime(2026, 2, 20, 10, tzinfo=AMS), seller=a), REACHED, hour, a)
    leads[11] = services.change_status(lead=lead, to=Status.SOLD, by=a)
    lead = _try(_lead(d, portal, at[0], seller=a), REACHED, minute, a)
    leads[12] = services.soft_delete(lead=lead, by=a, reason="test lead")
    other = DealershipFactory()
    other_source = SourceFactory(dealership=other, kind=Source.Kind.PORTAL)
    leads[13] = _lead(other, other_source, at[0], seller=salesperson(other))
    for n, lead in leads.items():
        leads[n] = Lead.all_objects.get(pk=lead.pk)
    return Dataset(d, boss, a, b, portal, website, phone, leads)
