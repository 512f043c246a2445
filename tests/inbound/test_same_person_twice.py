"""The same person asking twice at the same moment (two messages, two parse jobs side by side on
PostgreSQL) is one customer and one lead, whatever the timing."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection, connections

from inbound import ingest
from inbound.tasks import parse_received_messages
from leads import customers
from leads.models import Customer, InboundMessage, Lead
from tests.factories import DealershipFactory

TO = "twice@leads.dealerlms.example"


def request(n: int) -> bytes:
    return (
        f"From: Website <form@garage.example>\r\nTo: {TO}\r\nSubject: Proefrit\r\n"
        f"Message-ID: <twice-{n}@garage.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Naam: Iris van Leeuwen\r\nE-mail: iris@example.nl\r\nTelefoon: 0687654321\r\n"
    ).encode()


@pytest.mark.django_db(transaction=True)
def test_two_jobs_writing_the_same_new_person_make_one_customer(monkeypatch, settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    settings.DEALERLMS_PARSE_BATCH_MESSAGES = 1  # each job takes one message
    dealership = DealershipFactory(inbound_address=TO, opening_hours=False)
    for n in (1, 2):
        ingest.store_message(
            channel="email",
            raw=request(n),
            dealership=dealership,
            message_id=f"<twice-{n}@garage.example>",
            enqueue=False,
        )

    # Both jobs read the customers before either writes: the moment the race needs. With the
    # lock, the second job waits at the lock instead, and the first goes on after a second.
    both_read = threading.Barrier(2)
    read = customers.CustomerBook._read

    def read_then_wait(self, *args):
        read(self, *args)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=1.5)

    monkeypatch.setattr(customers.CustomerBook, "_read", read_then_wait)
    errors = []

    def job() -> None:
        try:
            parse_received_messages()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert Customer.objects.count() == 1
    assert Lead.objects.count() == 1
    assert sorted(InboundMessage.objects.values_list("status", flat=True)) == ["merged", "parsed"]
