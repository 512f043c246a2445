"""End to end with a real Celery worker on the real Redis broker: webhook → stored → parsed."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client

from leads.models import InboundMessage, Lead
from tests import inbound_payloads as wire
from tests.conftest import wait_for
from tests.factories import DealershipFactory, SourceFactory

TO = "doesburg@leads.dealerlms.example"


@pytest.fixture
def doesburg(transactional_db, settings):
    settings.ANYMAIL = dict(wire.ANYMAIL_SETTINGS)
    dealership = DealershipFactory(inbound_address=TO)
    SourceFactory(dealership=dealership, name="Marktplaats", sender_patterns="portal.example")
    return dealership


def test_a_mailgun_webhook_is_parsed_by_the_worker(live_worker, doesburg):
    raw = wire.email_to(wire.sample("adf-tradein.eml"), TO)

    response = wire.mailgun(Client(), raw, TO)

    assert response.status_code == 200
    lead = wait_for(lambda: Lead.objects.filter(dealership=doesburg).first(), timeout=15)
    assert lead.customer.full_name == "Joop Jansen" and lead.source.name == "Marktplaats"
    assert lead.inbound_message.status == InboundMessage.Status.PARSED


def test_the_webhook_answers_before_parsing(doesburg, settings):
    """With no worker running, the webhook still answers 2xx with the message stored; the
    worker that starts later parses it."""
    from dealerlms.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = wire.mailgun(Client(), wire.email_to(wire.sample("adf-tradein.eml"), TO), TO)

        assert response.status_code == 200
        message = InboundMessage.objects.get()
        assert message.status == InboundMessage.Status.RECEIVED and not Lead.objects.exists()
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False):
            wait_for(lambda: Lead.objects.exists(), timeout=15)
        message.refresh_from_db()
        assert message.status == InboundMessage.Status.PARSED
    finally:
        app.conf.task_always_eager = True
