"""A demo dealer group that looks real: two dealerships, their people, sources, stock, and a few
hundred leads over the last 60 days in every status, with timelines written through the same
services the app uses. Deterministic for a given seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Membership, Role, Team, User
from appraisals import services as appraisals
from automation import demo as automation_demo
from calls import demo_data as calls_demo
from conversations import demo as conversations_demo
from dashboards.models import Target
from dealers.models import DealerGroup, Dealership, OpeningHours, StockVehicle
from distribution import demo as distribution_demo
from distribution import routing as distribution_routing
from followup import demo as followup_demo
from integrations import demo as integrations_demo
from leads import services
from leads.lifecycle import OPEN_STATUSES, LostReason, Status
from leads.models import (
    ContactChannel,
    ContactOutcome,
    Lead,
    LeadType,
    LeadVehicle,
    Source,
)
from leads.signals import announcements_paused

ALL_DAY = time(23, 59, 59, 999999)
DEMO_PASSWORD = "dealerlms"  # printed by the run command; demo only


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: str
    dealerships: tuple[str, ...]
    language: str


PEOPLE = (
    DemoPerson("admin", "Anna", "Admin", Role.ADMIN, ("doesburg", "lyon"), "en"),
    DemoPerson("manager", "Marco", "Visser", Role.MANAGER, ("doesburg", "lyon"), "nl"),
    DemoPerson("bdc", "Bo", "de Groot", Role.BDC_AGENT, ("doesburg", "lyon"), "nl"),
    DemoPerson("sanne", "Sanne", "Bakker", Role.SALESPERSON, ("doesburg",), "nl"),
    DemoPerson("daan", "Daan", "Smit", Role.SALESPERSON, ("doesburg",), "nl"),
    DemoPerson("lotte", "Lotte", "Mulder", Role.SALESPERSON, ("doesburg",), "en"),
    DemoPerson("camille", "Camille", "Moreau", Role.SALESPERSON, ("lyon",), "fr"),
    DemoPerson("hugo", "Hugo", "Lambert", Role.SALESPERSON, ("lyon",), "fr"),
)

SOURCES = {
    "doesburg": [
        ("AutoScout24", Source.Kind.PORTAL, "autoscout24.nl\nautoscout24.com", False),
        ("Marktplaats", Source.Kind.PORTAL, "marktplaats.nl\nportal.example", False),
        ("Website", Source.Kind.WEBSITE, "ligierstore-doesburg.example", False),
        ("Importeur", Source.Kind.IMPORTER, "ligier.nl", False),
        ("Telefoon", Source.Kind.PHONE, "", False),
        ("Reactivatielijst", Source.Kind.LIST, "", True),
    ],
    "lyon": [
        ("La Centrale", Source.Kind.PORTAL, "lacentrale.fr\nportail-vo.example", False),
        ("leboncoin", Source.Kind.PORTAL, "leboncoin.fr", False),
        ("AutoScout24", Source.Kind.PORTAL, "autoscout24.fr", False),
        ("Site web", Source.Kind.WEBSITE, "garage-dupont.example", False),
        ("Importateur", Source.Kind.IMPORTER, "ligier.fr", False),
        ("Téléphone", Source.Kind.PHONE, "", False),
    ],
}

MODELS = [
    ("Ligier", "JS50", "Elegance", Decimal("16499")),
    ("Ligier", "Myli", "G.4", Decimal("17990")),
    ("Ligier", "JS60", "Sport Ultimate", Decimal("19499")),
    ("Aixam", "City", "Pack", Decimal("13990")),
    ("Microcar", "M.Go", "Highland X", Decimal("14990")),
    ("Peugeot", "308", "1.2 PureTech 130 Allure", Decimal("18990")),
    ("Renault", "Clio", "TCe 90 Evolution", Decimal("15950")),
    ("Hyundai", "Kona Electric", "Fashion 64 kWh", Decimal("24950")),
    ("Volkswagen", "Polo", "1.0 TSI Life", Decimal("17450")),
    ("Citroën", "Ami", "Pop", Decimal("8490")),
]

FIRST_NAMES = {
    "NL": [
        "Jan",
        "Eva",
        "Lucas",
        "Emma",
        "Noah",
        "Julia",
        "Sem",
        "Tess",
        "Finn",
        "Mila",
        "Bram",
        "Fatima",
        "Joop",
        "Anouk",
    ],
    "FR": [
        "Hélène",
        "Louis",
        "Chloé",
        "Gabriel",
        "Léa",
        "Arthur",
        "Manon",
        "Jules",
        "Inès",
        "Hugo",
        "Camille",
        "Yasmine",
    ],
}
LAST_NAMES = {
    "NL": [
        "de Jong",
        "Jansen",
        "de Vries",
        "van den Berg",
        "Bakker",
        "Visser",
        "Meijer",
        "el Amrani",
        "Hendriks",
        "Peters",
    ],
    "FR": [
        "Martin",
        "Bernard",
        "Dubois",
        "Thomas",
        "Robert",
        "Petit",
        "Lefèvre",
        "Moreau",
        "Garcia",
        "Roux",
    ],
}
COMMENTS = {
    "nl": [
        "Is deze auto nog beschikbaar?",
        "Graag een proefrit op zaterdag.",
        "Wat is de inruilwaarde van mijn auto?",
        "Kunt u mij terugbellen?",
        "",
    ],
    "fr": [
        "Le véhicule est-il toujours disponible ?",
        "Je souhaite faire un essai.",
        "Quelle reprise pour ma voiture ?",
        "Pouvez-vous me rappeler ?",
        "",
    ],
}


def _phone(rng: random.Random, country: str) -> str:
    if country == "FR":
        return "+336" + "".join(str(rng.randint(0, 9)) for _ in range(8))
    return "+316" + "".join(str(rng.randint(0, 9)) for _ in range(8))


def _dealerships() -> dict[str, Dealership]:
    group, _ = DealerGroup.objects.get_or_create(name="Ligier Store Groep")
    specs = {
        "doesburg": dict(
            name="Ligier Store Doesburg",
            country="NL",
            time_zone="Europe/Amsterdam",
            language="nl",
            inbound_address="doesburg@leads.dealerlms.example",
            phone="+31313472200",
            # Doesburg answers on WhatsApp too (Settings → Automations → WhatsApp).
            whatsapp_number="+3197010520000",
        ),
        "lyon": dict(
            name="Garage Dupont Lyon",
            country="FR",
            time_zone="Europe/Paris",
            language="fr",
            inbound_address="garage-dupont@leads.dealerlms.example",
            phone="+33478000000",
        ),
    }
    result = {}
    for slug, spec in specs.items():
        dealership, created = Dealership.objects.get_or_create(
            slug=slug, defaults={"group": group, **spec}
        )
        if created:
            # The demo is open around the clock, every day: a visitor at 06:00 on a Sunday sees a
            # lead routed at once, as on a weekday morning (issue 15). A real dealership sets
            # its own hours under Settings.
            OpeningHours.objects.bulk_create(
                [
                    OpeningHours(dealership=dealership, weekday=d, opens=time(0), closes=ALL_DAY)
                    for d in range(7)
                ]
            )
        result[slug] = dealership
    return result


def _people(dealerships: dict[str, Dealership]) -> dict[str, User]:
    users = {}
    for person in PEOPLE:
        user, created = User.objects.get_or_create(
            username=person.username,
            defaults=dict(
                first_name=person.first_name,
                last_name=person.last_name,
                email=f"{person.username}@dealerlms.example",
                language=person.language,
                is_staff=person.role == Role.ADMIN,
                is_superuser=person.role == Role.ADMIN,
            ),
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        for slug in person.dealerships:
            Membership.objects.get_or_create(
                user=user, dealership=dealerships[slug], defaults={"role": person.role}
            )
        users[person.username] = user
    return users


def build_demo(
    *, leads: int = 300, days: int = 60, seed: int = 2026, now: datetime | None = None
) -> dict[str, int]:
    """Create the demo group. Safe to run twice: it adds nothing when the demo group exists."""
    rng = random.Random(seed)
    now = now or timezone.now()
    with transaction.atomic(), announcements_paused():
        if (
            DealerGroup.objects.filter(name="Ligier Store Groep").exists()
            and Source.objects.exists()
        ):
            return {"leads": 0}
        dealerships = _dealerships()
        users = _people(dealerships)
        sellers = {
            slug: [
                u
                for p in PEOPLE
                if p.role == Role.SALESPERSON and slug in p.dealerships
                for u in [users[p.username]]
            ]
            for slug in dealerships
        }
        sources = {
            slug: [
                Source.objects.create(
                    dealership=dealerships[slug],
                    name=name,
                    kind=kind,
                    sender_patterns=patterns,
                    is_passive=passive,
                )
                for name, kind, patterns, passive in SOURCES[slug]
            ]
            for slug in dealerships
        }
        # Teams, for the dashboards' team filter: Doesburg splits new and used cars.
        for slug, name, members in DEMO_TEAMS:
            team = Team.objects.create(dealership=dealerships[slug], name=name)
            team.members.add(*(users[m] for m in members))
        # Doesburg's manager expects more from the own website than the default 15%.
        Target.objects.create(
            dealership=dealerships["doesburg"], channel="website", metric="sold", value=18
        )
        stock = {}
        for slug, dealership in dealerships.items():
            stock[slug] = [
                StockVehicle.objects.create(
                    dealership=dealership,
                    stock_number=f"STK-{slug[:2].upper()}{i:04d}",
                    vin=f"VF{slug[:2].upper()}{rng.randint(10**11, 10**12 - 1)}"[:17],
                    condition="new" if i % 3 else "used",
                    make=make,
                    model=model,
                    trim=trim,
                    year=2026 if i % 3 else rng.randint(2016, 2023),
                    mileage_km=None if i % 3 else rng.randint(8000, 90000),
                    price=price - (0 if i % 3 else Decimal(rng.randint(2000, 5000))),
                    owner=rng.choice(sellers[slug]),
                )
                for i, (make, model, trim, price) in enumerate(MODELS * 2)
            ]
        # The rules first: the demo's history is routed by them, as the fairness page shows.
        distribution_demo.rules(dealerships=dealerships, users=users)
        for n in range(leads):
            slug = "doesburg" if n % 3 else "lyon"
            _demo_lead(
                rng,
                now - timedelta(minutes=rng.randint(5, days * 24 * 60)),
                dealerships[slug],
                sources[slug],
                stock[slug],
                sellers[slug],
                users,
                now,
            )
        _demo_inbox(dealerships["doesburg"])
        _demo_appraisals(rng, dealerships)
        distribution_demo.build(dealerships=dealerships, users=users, now=now)
        # The history is past: deadlines of leads that came in more than an hour ago were dealt
        # with back then, not escalated lead after lead by the first beat of a fresh demo.
        Lead.objects.filter(received_at__lt=now - timedelta(hours=1)).update(
            contact_deadline_at=None
        )
        automation_demo.build(dealerships=dealerships, now=now)
        integrations_demo.build(dealerships=dealerships, now=now)
        followup_demo.build(dealerships=dealerships, now=now)
        calls_demo.build(dealerships=dealerships, now=now, seed=seed)
        conversations_demo.build(dealerships=dealerships, now=now)
    return {"leads": leads, "users": len(users), "dealerships": len(dealerships)}


DEMO_TEAMS = [
    ("doesburg", "Nieuwe auto's", ("sanne", "daan")),
    ("doesburg", "Occasions", ("lotte",)),
    ("lyon", "Équipe Lyon", ("camille", "hugo")),
]

DEMO_INBOX = [
    # (recipient, sender, subject, body): what the quarantine page shows a manager.
    (
        "doesburg@leads.dealerlms.example",
        "Occasions Portal <leads@portal.example>",
        "Aanvraag via occasions-portal",
        "Kontaktpersoon gegevens:\nWie: Piet Pieterse\nBereikbaar: piet.pieterse@example.nl\n"
        "Auto: Ligier JS50\n\n(add the labels Wie and Bereikbaar to Marktplaats, then re-parse)",
    ),
    (
        "doesburg@leads.dealerlms.example",
        "Newsletter <news@autonieuws.example>",
        "Het autonieuws van deze week",
        "Lees het laatste nieuws over elektrische auto's.",
    ),
    (
        "verkoop@leads.dealerlms.example",
        "AutoScout24 <leads@autoscout24.nl>",
        "Nieuwe aanvraag",
        "Naam: Eva Jansen\nTelefoon: 06 1122 3344\nAuto: Ligier Myli",
    ),
]


def _demo_inbox(dealership: Dealership) -> None:
    """A few messages that did not become a lead, so the quarantine page is not empty."""
    from inbound import ingest

    for n, (to, sender, subject, body) in enumerate(DEMO_INBOX):
        raw = (
            f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <demo-inbox-{n}@dealerlms.example>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body.replace("\n", "\r\n")
        ).encode()
        routed = dealership if to == dealership.inbound_address else None
        message = ingest.store_message(
            channel="email",
            provider="demo",
            raw=raw,
            dealership=routed,
            recipient=to,
            sender=sender.split("<")[1].rstrip(">"),
            subject=subject,
            text=body,
            message_id=f"<demo-inbox-{n}@dealerlms.example>",
            enqueue=False,
        )
        if routed is not None:
            ingest.process_message(message=message)


DAMAGE = {"nl": "Steenslag op de motorkap, kras achterbumper.", "fr": "Impacts sur le capot."}
REMARKS = {
    "nl": "Bod onder voorbehoud van inlevering met alle sleutels en onderhoudsboekje.",
    "fr": "Offre sous réserve de remise des clés et du carnet d'entretien.",
}


def _registration(rng: random.Random, country: str) -> str:
    letters = "BDFGHJKLNPRSTVXZ"
    pick = "".join(rng.choice(letters) for _ in range(5))
    if country == "FR":
        return f"{pick[:2]}-{rng.randint(100, 999)}-{pick[2:4]}"
    return f"{rng.randint(1, 99)}-{pick[:3]}-{rng.randint(1, 9)}"


def _demo_appraisals(rng: random.Random, dealerships: dict[str, Dealership]) -> None:
    """Each dealership starts from the standard inspection checklist; two open leads with a
    trade-in were appraised: one offer is out, one was accepted."""
    for dealership in dealerships.values():
        appraisals.install_default_checklist(dealership=dealership)
        leads = Lead.objects.filter(
            dealership=dealership,
            trade_in__isnull=False,
            assigned_to__isnull=False,
            status__in=OPEN_STATUSES,
        ).select_related("trade_in", "assigned_to", "dealership")
        for n, lead in enumerate(leads.order_by("-received_at")[:2]):
            seller = lead.assigned_to
            appraisal = appraisals.start_appraisal(lead=lead, by=seller)
            appraisals.update_trade_in(
                appraisal=appraisal,
                by=seller,
                registration=_registration(rng, dealership.country),
            )
            answers = {}
            for answer in appraisal.answers.all():
                if answer.kind == "check":
                    answers[answer.pk] = {
                        "result": rng.choices(["pass", "fail", "na"], weights=[8, 2, 1])[0]
                    }
                elif answer.kind == "number":
                    value = Decimal(rng.randint(25, 70)) / 10 if answer.unit else Decimal(2)
                    answers[answer.pk] = {"value": value}
                else:
                    answers[answer.pk] = {"note": DAMAGE[dealership.language]}
            appraisals.record_answers(appraisal=appraisal, answers=answers)
            valuation = Decimal(rng.randint(30, 110) * 100)
            appraisals.set_offer(
                appraisal=appraisal,
                valuation=valuation,
                offer=valuation - Decimal(rng.randint(5, 15) * 100),
                valid_until=timezone.localdate() + timedelta(days=7),
                remarks=REMARKS[dealership.language],
            )
            appraisals.change_status(appraisal=appraisal, to="offered", by=seller)
            if n == 1:
                appraisals.change_status(appraisal=appraisal, to="accepted", by=seller)


def _demo_lead(rng, received, dealership, sources, stock, sellers, users, now) -> None:
    country = dealership.country
    lang = dealership.language
    first, last = rng.choice(FIRST_NAMES[country]), rng.choice(LAST_NAMES[country])
    customer = services.find_or_create_customer(
        dealership=dealership,
        first_name=first,
        last_name=last,
        email=f"{first}.{last}{rng.randint(1, 999)}@example.{'fr' if country == 'FR' else 'nl'}".lower().replace(
            " ", ""
        ),
        phones=[(_phone(rng, country), "mobile")],
        postal_code=f"{rng.randint(1000, 9999)}"
        if country == "NL"
        else f"69{rng.randint(1, 9):03d}",
        language=lang,
    )
    source = rng.choices(sources, weights=[30, 25, 20, 8, 12, 5][: len(sources)])[0]
    on_stock = rng.random() < 0.6
    car = rng.choice(stock) if on_stock else None
    make, model, trim, price = (
        (car.make, car.model, car.trim, car.price) if car else rng.choice(MODELS)
    )
    vehicle = LeadVehicle(
        condition=car.condition if car else "new",
        make=make,
        model=model,
        trim=trim,
        year=car.year if car else 2026,
        price=price,
        currency="EUR",
        stock_number=car.stock_number if car else "",
        vin=car.vin if car else "",
    )
    trade_in = None
    if rng.random() < 0.25:
        t_make, t_model, _trim, _price = rng.choice(MODELS)
        trade_in = LeadVehicle(
            condition="used",
            make=t_make,
            model=t_model,
            year=rng.randint(2008, 2020),
            mileage_km=rng.randint(20000, 180000),
        )
    lead_type = rng.choices(
        [
            LeadType.INFO_REQUEST,
            LeadType.TEST_DRIVE,
            LeadType.QUOTE,
            LeadType.TRADE_IN,
            LeadType.FINANCE,
            LeadType.CALL,
        ],
        weights=[40, 20, 15, 8, 7, 10],
    )[0]
    if source.kind == Source.Kind.PHONE:
        lead_type = LeadType.CALL
    lead = services.create_lead(
        dealership=dealership,
        customer=customer,
        source=source,
        lead_type=lead_type,
        vehicle=vehicle,
        trade_in=trade_in,
        comments=rng.choice(COMMENTS[lang]),
        received_at=received,
        external_id=f"{source.name[:3].upper()}-{rng.randint(10**6, 10**7)}"
        if source.kind == "portal"
        else "",
    )
    age = now - received
    if lead.is_passive:
        if rng.random() < 0.5:
            with translation.override(dealership.language):  # the timeline's language
                reason = gettext("BDC queue")
            services.assign_lead(
                lead=lead, to=users["bdc"], at=received + timedelta(minutes=2), reason=reason
            )
        return
    if age < timedelta(minutes=30) and rng.random() < 0.5:
        return  # fresh: routed with the other waiting leads once the demo's people are set
    t = received + timedelta(seconds=rng.randint(1, 40))
    distribution_routing.route_lead(lead_id=lead.pk, at=t)
    lead.refresh_from_db()
    if lead.assigned_to_id is None:  # a rule for the manager's queue: the manager hands it out
        t += timedelta(minutes=rng.randint(5, 90))
        if t > now:
            return
        lead = services.assign_lead(lead=lead, to=rng.choice(sellers), by=users["manager"], at=t)
    seller = lead.assigned_to
    # The journey: how far this lead gets, weighted like a real showroom's funnel.
    stage = rng.choices(
        [
            "assigned",
            "attempts",
            "contacted",
            "appointment",
            "showed",
            "proposal",
            "sold",
            "lost",
            "unreachable",
        ],
        weights=[6, 8, 18, 14, 10, 8, 14, 16, 6],
    )[0]
    if stage == "assigned" or age < timedelta(hours=1):
        return
    # Every step happens after the one before it and before now: a journey that would run into
    # the future stops where it is (a recent lead is still being worked on).
    attempts = rng.choices([0, 1, 2, 3], weights=[50, 30, 15, 5])[0]
    t += timedelta(minutes=rng.choice([2, 4, 8, 15, 35, 70, 180, 600]))
    for _ in range(attempts):
        if t > now:
            return
        services.log_contact_attempt(
            lead=lead,
            channel=ContactChannel.PHONE,
            outcome=rng.choice([ContactOutcome.NO_ANSWER, ContactOutcome.VOICEMAIL]),
            by=seller,
            at=t,
        )
        t += timedelta(hours=rng.randint(1, 20))
    if stage == "attempts" or t > now:
        return
    if stage == "unreachable":
        services.change_status(lead=lead, to=Status.UNREACHABLE, by=seller, at=t)
        return
    services.log_contact_attempt(
        lead=lead,
        channel=rng.choice([ContactChannel.PHONE, ContactChannel.EMAIL]),
        outcome=ContactOutcome.REACHED,
        by=seller,
        at=t,
        note="",
    )
    if stage == "contacted":
        return
    if stage == "lost":
        lost_at = t + timedelta(days=rng.randint(1, 10))
        if lost_at <= now:
            services.change_status(
                lead=lead,
                to=Status.LOST,
                by=seller,
                at=lost_at,
                lost_reason=rng.choice(LostReason.values[:5]),
            )
        return
    # The appointment is agreed on the call that reached the customer, for a few days later.
    agreed = t + timedelta(minutes=3)
    if agreed > now:
        return
    appointment_at = t + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 6))
    appointment_at = appointment_at.replace(
        hour=rng.randint(9, 16), minute=0, second=0, microsecond=0
    )
    lead = services.set_appointment(lead=lead, at=appointment_at, by=seller, occurred_at=agreed)
    if stage == "appointment" or appointment_at + timedelta(hours=1) > now:
        return
    services.change_status(
        lead=lead, to=Status.SHOWED, by=seller, at=appointment_at + timedelta(minutes=5)
    )
    if stage == "showed":
        return
    services.change_status(
        lead=lead, to=Status.PROPOSAL, by=seller, at=appointment_at + timedelta(hours=1)
    )
    if stage == "proposal":
        return
    closed = appointment_at + timedelta(days=rng.randint(0, 7), hours=2)
    if closed > now:
        return
    if rng.random() < 0.8:
        services.change_status(lead=lead, to=Status.SOLD, by=seller, at=closed)
    else:
        services.change_status(
            lead=lead, to=Status.LOST, by=seller, at=closed, lost_reason=LostReason.PRICE
        )
