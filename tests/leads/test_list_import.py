"""A passive list from a dealer system's CSV export: columns guessed and mapped, each row's fate
shown before anything is written, new rows to the BDC queue, duplicates and errors skipped with
their reason, consent as the file says (and none where it does not)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from leads import list_import
from leads.models import Customer, Lead, Source
from tests.factories import (
    CustomerFactory,
    DealershipFactory,
    LeadFactory,
    manager,
    person,
    salesperson,
)

pytestmark = pytest.mark.django_db

# As a DMS exports it on a Dutch Windows PC: semicolons, cp1252, a BOM-less header in Dutch.
DMS_EXPORT = (
    "Voornaam;Achternaam;E-mail;Mobiel;Kenteken;Auto;Toestemming e-mail;Opmerkingen\r\n"
    "Jeroen;Smit;jeroen.smit@example.nl;06-11122233;12-ABC-3;Volkswagen Golf;ja;APK verlopen\r\n"
    "Inge;van Dijk;inge@example.nl;;;Opel Corsa;nee;\r\n"
    "Ren\xe9;Boer;;0612;;;ja;\r\n"
    "Bas;Jong;bas@example.nl;;;;misschien;\r\n"
    "Jeroen;Smit;JEROEN.SMIT@example.nl;;;;ja;tweede keer\r\n"
    "Petra;Kok;petra@example.nl;;;;;\r\n"
    "Frank;Vos;frank@example.nl;;;;ja;\r\n"
).encode("cp1252")


@pytest.fixture
def shop():
    return DealershipFactory(opening_hours=False)


def test_columns_are_guessed_from_dutch_headers():
    header, rows = list_import.read_csv(DMS_EXPORT)
    mapping = list_import.guess_mapping(header)
    assert [mapping.get(i) for i in range(len(header))] == [
        "first_name",
        "last_name",
        "email",
        "phone",
        "registration",
        "vehicle",
        "consent_email",
        "comments",
    ]
    assert rows[2][0] == "René"  # cp1252 read as such


def test_each_rows_fate_is_shown_before_anything_is_written(client, shop):
    known = CustomerFactory(dealership=shop, email="frank@example.nl")
    LeadFactory(dealership=shop, customer=known)
    client.force_login(person(Role.BDC_AGENT, shop))
    page = client.post(
        reverse("leads:import_list"),
        {
            "dealership": shop.pk,
            "stage": "upload",
            "file": SimpleUploadedFile("klanten.csv", DMS_EXPORT, content_type="text/csv"),
        },
    )
    text = page.content.decode()
    assert page.context["counts"] == {"new": 3, "duplicate": 2, "error": 2}
    assert "not a phone number: 0612" in text
    assert "E-mail consent is not yes or no: misschien" in text
    assert "same person as line 2" in text and "already has an open lead" in text
    assert Lead.objects.count() == 1  # only the known customer's lead: nothing written yet


def test_the_import_writes_the_new_rows_to_the_bdc_queue_once(
    client, shop, django_capture_on_commit_callbacks
):
    salesperson(shop)
    client.force_login(manager(shop))
    content = __import__("base64").b64encode(DMS_EXPORT).decode()
    form = {"dealership": shop.pk, "content": content, "filename": "klanten.csv", "stage": "import"}
    form.update(
        {
            f"column_{i}": name
            for i, name in enumerate(
                [
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "registration",
                    "vehicle",
                    "consent_email",
                    "comments",
                ]
            )
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("leads:import_list"), form)
    status = done.content.decode().split('role="status"')[1][:200]
    assert "4 leads are in the BDC queue." in status, status
    leads = Lead.objects.select_related("customer", "trade_in", "source").order_by("pk")
    assert [lead.customer.full_name for lead in leads] == [
        "Jeroen Smit",
        "Inge van Dijk",
        "Petra Kok",
        "Frank Vos",
    ]
    assert all(lead.is_passive and lead.assigned_to is None for lead in leads)
    assert {lead.source.kind for lead in leads} == {Source.Kind.LIST}
    jeroen, inge, petra, _frank = (lead.customer for lead in leads)
    # Petra's cell is empty: the file does not say, and a new customer gets no consent.
    assert (jeroen.consent_email, inge.consent_email, petra.consent_email) == (True, False, False)
    assert jeroen.primary_phone == "+31611122233"
    assert leads[0].trade_in.registration == "12ABC3" and leads[0].trade_in.make == "Volkswagen"
    # The same file again: everyone now has an open lead.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("leads:import_list"), form)
    assert "0 leads are in the BDC queue." in again.content.decode()
    assert Lead.objects.count() == 4 and Customer.objects.count() == 4


def test_an_existing_customer_keeps_their_consent_when_the_file_says_nothing(
    shop, django_capture_on_commit_callbacks
):
    known = CustomerFactory(dealership=shop, email="petra@example.nl", consent_email=True)
    LeadFactory(dealership=shop, customer=known, status="lost", lost_reason="price")
    header, rows = list_import.read_csv(DMS_EXPORT)
    list_import.import_rows(
        dealership=shop,
        source=Source.objects.create(dealership=shop, name="Lijst", kind="list"),
        rows=rows,
        mapping=list_import.guess_mapping(header),
        by=manager(shop),
    )
    known.refresh_from_db()
    assert known.consent_email is True
    assert Lead.objects.filter(customer=known).count() == 2


def test_a_file_that_is_not_a_list_is_refused_with_a_reason(client, shop):
    client.force_login(manager(shop))
    page = client.post(
        reverse("leads:import_list"),
        {
            "dealership": shop.pk,
            "stage": "upload",
            "file": SimpleUploadedFile("leeg.csv", b"naam\n", content_type="text/csv"),
        },
    )
    assert "header row and at least one row" in page.content.decode()


def test_salespeople_do_not_import_lists(client, shop):
    client.force_login(salesperson(shop))
    assert client.get(reverse("leads:import_list")).status_code == 403
