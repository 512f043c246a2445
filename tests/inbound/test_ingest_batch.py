"""Waiting messages are parsed a batch at a time: one job for many messages, the leads of a batch
written together — with the same answers as one message at a time."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from inbound import ingest
from inbound.tasks import parse_received_messages
from leads.models import Customer, InboundMessage, Lead
from tests.factories import CustomerFactory, CustomerPhoneFactory, DealershipFactory, LeadFactory

Status = InboundMessage.Status


def lead_json(name: str, *, email: str = "", phone: str = "", model: str = "JS50") -> bytes:
    return json.dumps(
        {
            "customer": {
                "full_name": name,
                "email": email,
                "phones": [{"number": phone}] if phone else [],
            },
            "vehicle": {"make": "Ligier", "model": model},
        }
    ).encode()


def store(dealership, raw: bytes, n: int) -> InboundMessage:
    return ingest.store_message(
        channel="api",
        raw=raw,
        dealership=dealership,
        message_id=f"<batch-{dealership.pk}-{n}@test>",
        enqueue=False,
    )


# Each case a returning customer, a repeat, a correction or a bad message: what batching must
# not change.
SCENARIO = [
    lead_json("Ann Smit", email="ann@example.nl", phone="0612345678"),
    lead_json("Bob de Wit", email="bob@example.nl"),
    lead_json("", email="ANN@Example.NL"),  # Ann again, same vehicle: merged into her lead
    lead_json("Ann Smit", phone="06 12 34 56 78", model="JS60"),  # by phone, another vehicle
    b'{"customer": ',  # not JSON: quarantined, the batch goes on
    lead_json("Carla Vos", email="carla@example.nl", phone="0698765432"),  # known, blanks filled
    lead_json("Bob de Wit", email="bob@example.nl", phone="0611112222"),  # repeat, new phone
    lead_json("Dirk Jansen", email="dirk@example.nl"),  # known, his open lead is another car
]


def snapshot(dealership) -> dict:
    """What the scenario produced, with database ids replaced by order of appearance."""
    leads = {pk: n for n, pk in enumerate(Lead.objects.filter(dealership=dealership)
                                          .order_by("pk").values_list("pk", flat=True))}  # fmt: skip
    customers = Customer.objects.filter(dealership=dealership).order_by("pk")
    people = {c.pk: n for n, c in enumerate(customers)}
    return {
        "messages": [
            (m.status, leads.get(getattr(m, "lead", None) and m.lead.pk), leads.get(m.merged_into_id))
            for m in InboundMessage.objects.filter(dealership=dealership).order_by("pk")
        ],
        "customers": [
            (c.full_name, c.email, sorted(c.phones.values_list("number", flat=True)))
            for c in customers
        ],
        "leads": [
            (people[lead.customer_id], lead.vehicle.model if lead.vehicle else None,
             sorted(lead.events.values_list("kind", flat=True)))
            for lead in Lead.objects.filter(dealership=dealership).order_by("pk")
        ],
    }  # fmt: skip


def known_customers(dealership) -> None:
    carla = CustomerFactory(dealership=dealership, full_name="", email="carla@example.nl")
    CustomerPhoneFactory(customer=carla, number="+31698765432")
    dirk = CustomerFactory(dealership=dealership, full_name="Dirk Jansen", email="dirk@example.nl")
    LeadFactory(dealership=dealership, customer=dirk)  # an open lead about another vehicle


@pytest.mark.django_db
def test_a_batch_gives_the_answers_of_one_message_at_a_time(settings):
    one_by_one, batched = DealershipFactory(), DealershipFactory()
    settings.DEALERLMS_PARSE_BATCH_MESSAGES = 1
    known_customers(one_by_one)
    for n, raw in enumerate(SCENARIO):
        store(one_by_one, raw, n)
    assert parse_received_messages() == len(SCENARIO)

    settings.DEALERLMS_PARSE_BATCH_MESSAGES = 50
    known_customers(batched)
    for n, raw in enumerate(SCENARIO):
        store(batched, raw, n)
    assert parse_received_messages() == len(SCENARIO)

    expected = snapshot(one_by_one)
    assert snapshot(batched) == expected
    # …and the answers are the right ones, not merely the same wrong ones.
    statuses = [status for status, _lead, _merged in expected["messages"]]
    assert statuses == [
        Status.PARSED, Status.PARSED, Status.MERGED, Status.PARSED,
        Status.QUARANTINED, Status.PARSED, Status.MERGED, Status.PARSED,
    ]  # fmt: skip
    assert expected["messages"][2][2] == expected["messages"][0][1]  # Ann's repeat → her lead
    assert expected["customers"] == [
        ("Carla Vos", "carla@example.nl", ["+31698765432"]),  # her name filled in, kept once
        ("Dirk Jansen", "dirk@example.nl", []),
        ("Ann Smit", "ann@example.nl", ["+31612345678"]),
        ("Bob de Wit", "bob@example.nl", ["+31611112222"]),
    ]


@pytest.mark.django_db
def test_a_message_the_database_refuses_quarantines_only_itself():
    dealership = DealershipFactory()
    first = store(dealership, lead_json("Eva", email="eva@example.nl"), 1)
    refused = store(dealership, lead_json("Frank", email="frank@example.nl"), 2)
    last = store(dealership, lead_json("Gina", email="gina@example.nl"), 3)
    # A lead already claims the message: a second lead from it breaks a unique constraint.
    LeadFactory(dealership=dealership, inbound_message=refused)

    assert parse_received_messages() == 3

    for message in (first, refused, last):
        message.refresh_from_db()
    assert first.status == last.status == Status.PARSED
    assert refused.status == Status.QUARANTINED
    assert refused.failure_reason == "internal error: IntegrityError"
    assert list(refused.log.values_list("action", flat=True)) == ["quarantined"]
    assert first.lead.customer.full_name == "Eva" and last.lead.customer.full_name == "Gina"


@pytest.mark.django_db
def test_a_batch_costs_the_same_queries_whatever_its_size(settings):
    """The point of batching: a batch of 25 messages takes no more statements than one of 5."""
    settings.DEALERLMS_PARSE_BATCH_MESSAGES = 100
    dealership = DealershipFactory()

    def queries_for(count: int, offset: int) -> int:
        for n in range(count):
            store(
                dealership,
                lead_json(f"P{offset + n}", email=f"p{offset + n}@example.nl"),
                offset + n,
            )
        with CaptureQueriesContext(connection) as queries:
            assert ingest.parse_next_batch() == count
        return len(queries)

    assert queries_for(5, 0) == queries_for(25, 100)
    assert Lead.objects.filter(dealership=dealership).count() == 30


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parse_jobs_side_by_side_take_different_messages(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")
    settings.DEALERLMS_PARSE_BATCH_MESSAGES = 7
    dealership = DealershipFactory()
    for n in range(60):
        store(dealership, lead_json(f"Q{n}", email=f"q{n}@example.nl"), n)
    start, done, errors = threading.Barrier(2), [], []

    def job() -> None:
        try:
            start.wait()
            done.append(parse_received_messages())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors and sum(done) == 60, (errors, done)
    assert Lead.objects.filter(dealership=dealership).count() == 60
    parsed = InboundMessage.objects.filter(dealership=dealership, status=Status.PARSED)
    assert parsed.count() == 60
    assert all(m.log.filter(action="parsed").count() == 1 for m in parsed)


@pytest.mark.django_db
def test_processed_messages_keep_every_field_written(dealership):
    """The batch writes its messages with core.db.update_rows: text, JSON, foreign keys,
    dates and blanks come back as they were set."""
    from django.utils import timezone

    from core.db import update_rows
    from tests.factories import SourceFactory

    source = SourceFactory(dealership=dealership)
    message = store(dealership, b"{}", 1)
    lead = LeadFactory(dealership=dealership)
    message.text, message.html = "Naam: Jérôme €", "<p>&lt;b&gt;</p>"
    message.attachments = [{"filename": "x.pdf", "content_type": "application/pdf", "size": 8}]
    message.parsed = {"customer": {"full_name": "Jérôme"}, "phones": [], "n": 1.5, "ok": None}
    message.status, message.failure_reason, message.source = Status.MERGED, "", source
    message.parse_attempts, message.processed_at, message.merged_into = 3, timezone.now(), lead

    update_rows([message], ingest.PROCESSED_FIELDS)

    again = InboundMessage.objects.get(pk=message.pk)
    for name in ingest.PROCESSED_FIELDS:
        assert getattr(again, name) == getattr(message, name), name
    assert bytes(again.raw) == b"{}"
