"""Twilio as it drives a call: signed webhook requests to the URLs we gave it, each answer's
TwiML checked before the next step."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from defusedxml import ElementTree

from leads import services as lead_services
from leads.models import LeadVehicle, Source
from tests.calls.twiml_check import check_twiml
from tests.factories import CustomerFactory, CustomerPhoneFactory, SourceFactory
from tests.twilio_edge import signed_post

CUSTOMER_NUMBER = "+31612345678"


@pytest.fixture
def phone(client, twilio, settings):
    settings.DEALERLMS_PUBLIC_URL = "http://testserver"
    return Phone(client, twilio)


class Phone:
    def __init__(self, client, fake) -> None:
        self.client = client
        self.fake = fake

    def post(self, url: str, **data: str):
        """What Twilio does with a URL we gave it: POST, signed. Returns the response; TwiML
        answers are checked against the TwiML grammar."""
        response = signed_post(self.client, urlsplit(url).path, data)
        assert response.status_code in (200, 204), (response.status_code, response.content)
        if response.status_code == 200:
            response.root = check_twiml(response.content)
        return response

    def dialed(self) -> dict:
        return self.fake.dialed[-1]


def find(root, path: str):
    return root.find(path)


def bridge_lead(dealership, *, source_name="Marktplaats", first_name="Jan", number=CUSTOMER_NUMBER):
    """An active lead with a phone number, as ingestion makes it (its routing runs on commit)."""
    source = Source.objects.filter(dealership=dealership, name=source_name).first()
    source = source or SourceFactory(dealership=dealership, name=source_name, kind="portal")
    customer = CustomerFactory(dealership=dealership, first_name=first_name)
    CustomerPhoneFactory(customer=customer, number=number)
    return lead_services.create_lead(
        dealership=dealership,
        customer=customer,
        source=source,
        vehicle=LeadVehicle(condition="used", make="Peugeot", model="208"),
    )


def xml(response) -> str:
    return ElementTree.tostring(response.root, encoding="unicode")
