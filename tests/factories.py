"""Factories for the domain. Build what a test needs, nothing more."""

from datetime import time

import factory
from django.utils import timezone

from accounts.models import Membership, Role, User
from dealers.models import DealerGroup, Dealership, OpeningHours, StockVehicle
from leads.models import Customer, CustomerPhone, InboundMessage, Lead, LeadVehicle, Source


class DealerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealerGroup
        django_get_or_create = ["name"]

    name = "Test Group"


class DealershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dealership
        skip_postgeneration_save = True

    group = factory.SubFactory(DealerGroupFactory)
    name = factory.Sequence(lambda n: f"Dealership {n}")
    slug = factory.Sequence(lambda n: f"dealership-{n}")
    country = "NL"
    time_zone = "Europe/Amsterdam"
    language = "nl"
    inbound_address = factory.Sequence(lambda n: f"dealer{n}@leads.test")

    @factory.post_generation
    def opening_hours(self, create, extracted, **kwargs):
        if create and extracted is not False:
            OpeningHours.objects.bulk_create(
                [
                    OpeningHours(dealership=self, weekday=d, opens=time(9), closes=time(18))
                    for d in range(6)
                ]
            )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@staff.test")
    password = factory.django.Password("secret-pass-123")


def person(role: str, dealership: Dealership, **kwargs) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, dealership=dealership, role=role)
    return user


def salesperson(dealership: Dealership, **kwargs) -> User:
    return person(Role.SALESPERSON, dealership, **kwargs)


def manager(dealership: Dealership, **kwargs) -> User:
    return person(Role.MANAGER, dealership, **kwargs)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    dealership = factory.SubFactory(DealershipFactory)
    name = factory.Sequence(lambda n: f"Portal {n}")
    kind = Source.Kind.PORTAL


class StockVehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockVehicle

    dealership = factory.SubFactory(DealershipFactory)
    stock_number = factory.Sequence(lambda n: f"STK-{n:04d}")
    condition = "used"
    make = "Ligier"
    model = "JS50"
    year = 2022


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    dealership = factory.SubFactory(DealershipFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    full_name = factory.LazyAttribute(lambda c: f"{c.first_name} {c.last_name}")
    email = factory.Sequence(lambda n: f"customer{n}@example.test")


class CustomerPhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerPhone

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"+316{10000000 + n}")
    kind = "mobile"


class LeadVehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadVehicle

    condition = "new"
    make = "Ligier"
    model = "Myli"
    year = 2026


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    dealership = factory.SubFactory(DealershipFactory)
    customer = factory.SubFactory(CustomerFactory, dealership=factory.SelfAttribute("..dealership"))
    source = factory.SubFactory(SourceFactory, dealership=factory.SelfAttribute("..dealership"))
    vehicle = factory.SubFactory(LeadVehicleFactory)
    received_at = factory.LazyFunction(timezone.now)


class InboundMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboundMessage

    raw = b"From: portal@example.test\r\nSubject: Lead\r\n\r\nNaam: Test"
    sender = "portal@example.test"
    subject = "Lead"
