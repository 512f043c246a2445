"""The per-lead reply address: a signed reference to the lead, on every e-mail to a customer."""

import pytest
from django.core import mail

from automation import dispatcher
from leads.reply_address import lead_id_in, lead_id_of, reply_address, token_for
from tests.automation_helpers import rule
from tests.conversation_world import held_lead


def test_a_token_names_its_lead_and_nothing_else():
    token = token_for(4242)
    assert lead_id_of(token) == 4242
    assert lead_id_of(token.upper()) == 4242  # mail servers may change the case
    assert lead_id_of(token_for(4243)) == 4243 != lead_id_of(token)
    head, mac = token.split("-")
    assert lead_id_of(f"{head}-{'0' * len(mac)}") is None  # forged
    assert lead_id_of(f"r{'1' * 3}-{mac}") is None  # another lead, this lead's signature
    assert lead_id_of(token[:-1]) is None and lead_id_of("") is None and lead_id_of("r-") is None


@pytest.mark.django_db
def test_the_reply_address_is_the_dealerships_inbound_address_with_the_token(dealership):
    _seller, lead = held_lead(dealership)
    local, domain = dealership.inbound_address.split("@")
    address = reply_address(lead)
    assert address == f"{local}+{token_for(lead.pk)}@{domain}"
    assert len(address.split("@")[0]) <= 64  # an address's local part
    assert lead_id_in(address) == lead.pk
    lead.dealership.inbound_address = ""
    assert reply_address(lead) == ""


@pytest.mark.django_db
def test_an_automated_email_to_the_customer_carries_the_leads_reply_address(dealership):
    rule(dealership, trigger="assigned")
    seller, lead = held_lead(dealership)
    dispatcher.dispatch_due()
    customer_mail = [m for m in mail.outbox if m.to == [lead.customer.email]]
    assert [m.reply_to for m in customer_mail] == [[reply_address(lead)]]
    # A notification to the salesperson is not a conversation with the customer.
    assert all(m.reply_to != [reply_address(lead)] for m in mail.outbox if m.to == [seller.email])
