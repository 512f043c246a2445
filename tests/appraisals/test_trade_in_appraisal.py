"""A salesperson appraises a customer's trade-in on the phone, next to the car, and makes an
offer the customer receives as a printable page."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from appraisals import services
from appraisals.models import Appraisal, AppraisalPhoto, ChecklistItem
from leads.models import EventKind, LeadVehicle
from tests.factories import LeadFactory, salesperson
from tests.images import HEIC, JPEG, png_bytes, upload


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast people
    return tmp_path


@pytest.fixture
def dutch_seller(dealership):
    return salesperson(dealership, language="nl")


@pytest.fixture
def lead(dealership, dutch_seller):
    from leads.services import assign_lead

    services.install_default_checklist(dealership=dealership)
    trade_in = LeadVehicle.objects.create(
        condition="used",
        make="Ligier",
        model="JS50",
        year=2019,
        mileage_km=47000,
        registration="XX-123-Y",
    )
    return assign_lead(lead=LeadFactory(dealership=dealership, trade_in=trade_in), to=dutch_seller)


def _start(client, lead) -> Appraisal:
    response = client.post(reverse("appraisals:start", args=[lead.pk]))
    assert response.status_code == 302
    return Appraisal.objects.get(lead=lead)


def _answers_post(appraisal: Appraisal, **by_label) -> dict:
    data = {}
    for answer in appraisal.answers.all():
        given = by_label.get(answer.label)
        if given is None:
            continue
        field = {"check": "result", "number": "value", "text": "note"}[answer.kind]
        data[f"a{answer.pk}_{field}"] = given
    return data


@pytest.mark.django_db
def test_a_salesperson_appraises_and_makes_an_offer(client, lead, dutch_seller, media):
    client.force_login(dutch_seller)
    appraisal = _start(client, lead)
    assert appraisal.appraised_by == dutch_seller
    assert appraisal.currency == "EUR"
    assert appraisal.offer_valid_until == timezone.localdate() + timedelta(days=7)
    assert appraisal.answers.count() == 10

    page = client.get(reverse("appraisals:detail", args=[appraisal.pk])).content.decode()
    assert 'type="radio"' in page and 'capture="environment"' in page

    # The odometer says more than the lead did.
    response = client.post(
        reverse("appraisals:car", args=[appraisal.pk]),
        {
            "car-make": "Ligier",
            "car-model": "JS50",
            "car-year": "2019",
            "car-mileage_km": "48210",
            "car-registration": "XX-123-Y",
        },
    )
    assert response.status_code == 302
    lead.trade_in.refresh_from_db()
    assert lead.trade_in.mileage_km == 48210
    corrected = lead.events.get(kind=EventKind.MODIFIED, data__appraisal_id=appraisal.pk)
    assert corrected.data["changed"] == {"mileage_km": [47000, 48210]}

    # The checklist, in Dutch: "3,5" mm of tread.
    response = client.post(
        reverse("appraisals:answers", args=[appraisal.pk]),
        _answers_post(
            appraisal,
            **{
                "Carrosserie en lak": "pass",
                "Bandenprofiel voor": "3,5",
                "Remmen": "fail",
                "APK geldig": "na",
                "Schade en opmerkingen": "Kras achterbumper",
            },
        ),
    )
    assert response.status_code == 302
    answers = {a.label: a for a in appraisal.answers.all()}
    assert answers["Carrosserie en lak"].result == "pass"
    assert answers["Bandenprofiel voor"].value == Decimal("3.5")
    assert answers["Remmen"].result == "fail"
    assert answers["Schade en opmerkingen"].note == "Kras achterbumper"

    # Photos straight from the phone's camera: a PNG and a JPEG in one go.
    png = png_bytes()
    response = client.post(
        reverse("appraisals:add_photos", args=[appraisal.pk]),
        {
            "photo": [upload("IMG_0001.png", png, "image/png"), upload("IMG_0002.jpg", JPEG)],
            "caption": "Kras",
        },
    )
    assert response.status_code == 302
    photos = list(appraisal.photos.all())
    assert [p.content_type for p in photos] == ["image/png", "image/jpeg"]
    stored = media / photos[0].file.name
    assert stored.read_bytes() == png
    assert stored.parent == media / "appraisals" / str(appraisal.pk)
    served = client.get(reverse("appraisals:photo", args=[appraisal.pk, photos[0].pk]))
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == png

    # Valuation and offer typed the Dutch way.
    response = client.post(
        reverse("appraisals:save_offer", args=[appraisal.pk]),
        {
            "valuation": "14.000",
            "offer": "12.500,00",
            "offer_valid_until": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "remarks": "Inclusief winterbanden.",
        },
    )
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert (appraisal.valuation, appraisal.offer) == (Decimal("14000"), Decimal("12500"))

    client.post(reverse("appraisals:status", args=[appraisal.pk]), {"to": "offered"})
    appraisal.refresh_from_db()
    assert appraisal.status == "offered" and appraisal.offered_at
    event = lead.events.get(kind=EventKind.NOTE, data__appraisal_id=appraisal.pk)
    assert event.actor == dutch_seller
    assert event.data["offer"] == "12500.00" and event.data["appraisal_status"] == "offered"
    assert "12.500,00" in event.note  # written in the dealership's language (nl)

    sheet = client.get(reverse("appraisals:offer", args=[appraisal.pk])).content.decode()
    assert "€\xa012.500,00" in sheet
    assert "Ligier JS50" in sheet and "XX-123-Y" in sheet and "48.210 km" in sheet
    assert lead.customer.full_name in sheet
    assert "Inclusief winterbanden." in sheet
    assert "Kras achterbumper" in sheet
    assert "14.000" not in sheet  # the valuation is ours, never the customer's
    assert "@media print" in Path("static/css/appraisals.css").read_text()


@pytest.mark.django_db
def test_the_offer_page_speaks_the_readers_locale(client, lead, dealership):
    from leads.services import assign_lead

    appraisal = services.start_appraisal(lead=lead, by=None)
    services.set_offer(
        appraisal=appraisal,
        valuation=Decimal("13000"),
        offer=Decimal("12500.00"),
        valid_until=timezone.localdate() + timedelta(days=7),
    )
    for language, amount in (
        ("nl", "€\xa012.500,00"),
        ("en", "€12,500.00"),
        ("fr", "12\xa0500,00\xa0€"),
    ):
        reader = salesperson(dealership, language=language)
        assign_lead(lead=lead, to=reader)
        client.force_login(reader)
        sheet = client.get(reverse("appraisals:offer", args=[appraisal.pk])).content.decode()
        assert amount in sheet, language


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("car.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
        ("car.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "image/jpeg"),
        ("car.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "image/png"),
    ],
    ids=["html", "windows-exe", "elf"],
)
def test_a_fake_image_is_refused_and_nothing_is_stored(
    client, lead, dutch_seller, media, name, content, content_type
):
    client.force_login(dutch_seller)
    appraisal = _start(client, lead)
    response = client.post(
        reverse("appraisals:add_photos", args=[appraisal.pk]),
        # A real photo alongside does not smuggle the fake one in: all or nothing.
        {
            "photo": [
                upload("ok.png", png_bytes(), "image/png"),
                upload(name, content, content_type),
            ]
        },
    )
    assert response.status_code == 400
    assert f"{name} is geen foto: alleen JPEG-, PNG-, WebP- en HEIC" in response.content.decode()
    assert not AppraisalPhoto.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.django_db
def test_an_oversized_photo_is_refused(client, lead, dutch_seller, media, settings):
    settings.APPRAISAL_PHOTO_MAX_BYTES = 1024
    client.force_login(dutch_seller)
    appraisal = _start(client, lead)
    big = JPEG + b"\x00" * 2048
    response = client.post(
        reverse("appraisals:add_photos", args=[appraisal.pk]), {"photo": upload("big.jpg", big)}
    )
    assert response.status_code == 400
    assert (
        "big.jpg is 2,1\xa0KB; een foto mag hoogstens 1,0\xa0KB zijn" in response.content.decode()
    )
    assert not AppraisalPhoto.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))
    # Within the limit, an iPhone's HEIC is welcome.
    response = client.post(
        reverse("appraisals:add_photos", args=[appraisal.pk]), {"photo": upload("a.heic", HEIC)}
    )
    assert appraisal.photos.get().content_type == "image/heic"


@pytest.mark.django_db
def test_an_upload_without_a_file_says_so(client, lead, dutch_seller):
    client.force_login(dutch_seller)
    appraisal = _start(client, lead)
    response = client.post(reverse("appraisals:add_photos", args=[appraisal.pk]), {})
    assert response.status_code == 400
    assert not AppraisalPhoto.objects.exists()


@pytest.mark.django_db
def test_checklist_edits_later_do_not_change_stored_answers(lead, dealership, dutch_seller):
    appraisal = services.start_appraisal(lead=lead, by=dutch_seller)
    brakes = appraisal.answers.get(label="Remmen")
    services.record_answers(appraisal=appraisal, answers={brakes.pk: {"result": "fail"}})

    item = ChecklistItem.objects.get(dealership=dealership, label="Remmen")
    item.label = "Remmen en schijven"
    item.save()
    ChecklistItem.objects.filter(dealership=dealership, label="Interieur").update(enabled=False)
    ChecklistItem.objects.filter(dealership=dealership, label="APK geldig").delete()

    labels = list(appraisal.answers.values_list("label", flat=True))
    assert "Remmen" in labels and "Interieur" in labels and "APK geldig" in labels
    brakes.refresh_from_db()
    assert (brakes.label, brakes.result) == ("Remmen", "fail")

    # A new appraisal follows the checklist as it is now.
    other = LeadFactory(dealership=dealership, trade_in=LeadVehicle.objects.create(make="Aixam"))
    fresh = services.start_appraisal(lead=other, by=dutch_seller)
    fresh_labels = list(fresh.answers.values_list("label", flat=True))
    assert "Remmen en schijven" in fresh_labels
    assert "Interieur" not in fresh_labels and "APK geldig" not in fresh_labels


@pytest.mark.django_db
def test_a_lead_without_a_trade_in_gets_one_from_the_form(client, dealership, dutch_seller):
    from leads.services import assign_lead

    lead = assign_lead(lead=LeadFactory(dealership=dealership), to=dutch_seller)
    client.force_login(dutch_seller)
    page = client.get(reverse("appraisals:start", args=[lead.pk]))
    assert 'name="registration"' in page.content.decode()
    response = client.post(reverse("appraisals:start", args=[lead.pk]), {"year": "2015"})
    assert response.status_code == 200 and not Appraisal.objects.exists()
    assert "Geef ten minste het merk of het model." in response.content.decode()
    client.post(
        reverse("appraisals:start", args=[lead.pk]),
        {"make": "Aixam", "model": "City", "year": "2015", "mileage_km": "61000"},
    )
    lead.refresh_from_db()
    assert (lead.trade_in.make, lead.trade_in.mileage_km) == ("Aixam", 61000)
    assert lead.appraisal.status == "draft"
    assert lead.events.filter(kind=EventKind.MODIFIED, data__trade_in_id=lead.trade_in_id).exists()


@pytest.mark.django_db
def test_money_is_validated_and_an_offer_above_valuation_only_warns(client, lead, dutch_seller):
    client.force_login(dutch_seller)
    appraisal = _start(client, lead)
    url = reverse("appraisals:save_offer", args=[appraisal.pk])
    until = (timezone.localdate() + timedelta(days=7)).isoformat()

    response = client.post(url, {"valuation": "1000", "offer": "-5", "offer_valid_until": until})
    assert response.status_code == 400
    appraisal.refresh_from_db()
    assert appraisal.offer is None

    response = client.post(url, {"valuation": "10", "offer": "twelve", "offer_valid_until": until})
    assert response.status_code == 400

    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    client.post(url, {"valuation": "1000", "offer": "900", "offer_valid_until": yesterday})
    appraisal.refresh_from_db()
    assert appraisal.offer is None

    response = client.post(
        url, {"valuation": "10000", "offer": "10500", "offer_valid_until": until}, follow=True
    )
    appraisal.refresh_from_db()
    assert appraisal.offer == Decimal("10500")
    assert "Het bod ligt €\xa0500,00 boven de taxatiewaarde." in response.content.decode()


@pytest.mark.django_db
@translation.override("en")
def test_the_offer_moves_on_and_every_step_is_on_the_lead(lead, dutch_seller):
    appraisal = services.start_appraisal(lead=lead, by=dutch_seller)
    with pytest.raises(services.AppraisalError, match="Enter the offer"):
        services.change_status(appraisal=appraisal, to="offered", by=dutch_seller)
    services.set_offer(
        appraisal=appraisal,
        valuation=Decimal("9000"),
        offer=Decimal("8000"),
        valid_until=timezone.localdate() + timedelta(days=3),
    )
    services.change_status(appraisal=appraisal, to="offered", by=dutch_seller)
    appraisal.refresh_from_db()
    with pytest.raises(services.AppraisalError, match="reopen"):
        services.set_offer(
            appraisal=appraisal, valuation=None, offer=Decimal(1), valid_until=timezone.localdate()
        )
    services.change_status(appraisal=appraisal, to="declined", by=dutch_seller)
    services.change_status(appraisal=appraisal, to="draft", by=dutch_seller)
    services.change_status(appraisal=appraisal, to="offered", by=dutch_seller)
    services.change_status(appraisal=appraisal, to="accepted", by=dutch_seller)
    with pytest.raises(services.AppraisalError):
        services.change_status(appraisal=appraisal, to="draft", by=dutch_seller)
    steps = [
        e.data["appraisal_status"]
        for e in lead.events.filter(kind=EventKind.NOTE, data__appraisal_id=appraisal.pk)
    ]
    assert steps == ["offered", "declined", "draft", "offered", "accepted"]


@pytest.mark.django_db
def test_the_offer_is_emailed_with_a_link_that_works_without_login(client, lead, dutch_seller):
    lead.customer.language = "fr"
    lead.customer.save()
    appraisal = services.start_appraisal(lead=lead, by=dutch_seller)
    services.set_offer(
        appraisal=appraisal,
        valuation=Decimal("13000"),
        offer=Decimal("12500"),
        valid_until=timezone.localdate() + timedelta(days=7),
    )
    client.force_login(dutch_seller)
    send = reverse("appraisals:send", args=[appraisal.pk])
    client.post(send)
    assert not mail.outbox  # a draft is not sent
    services.change_status(appraisal=appraisal, to="offered", by=dutch_seller)
    client.post(send)
    (message,) = mail.outbox
    assert message.to == [lead.customer.email]
    assert message.subject == "Notre offre pour votre 2019 Ligier JS50"
    assert message.extra_headers["X-DealerLMS"] == "appraisal-offer"  # never read back as a lead
    html = message.alternatives[0][0]
    assert "12\xa0500,00\xa0€" in html  # the customer reads French
    link = next(w for w in message.body.split() if "/appraisals/offer/" in w)
    assert lead.events.filter(data__emailed_to=lead.customer.email).exists()

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "12\xa0500,00\xa0€" in page.content.decode()
    assert "<h1>Offre de reprise</h1>" in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"


@pytest.mark.django_db
def test_the_demo_dealerships_have_a_checklist_and_appraised_trade_ins():
    from demo.builder import build_demo

    build_demo(leads=90, seed=11)  # enough open leads with a trade-in at each dealership
    for slug, tyres in (("doesburg", "Bandenprofiel voor"), ("lyon", "Pneus avant – profondeur")):
        items = ChecklistItem.objects.filter(dealership__slug=slug)
        assert items.count() == 10 and items.filter(label=tyres, unit="mm").exists()
        appraisals = Appraisal.objects.filter(lead__dealership__slug=slug)
        assert sorted(appraisals.values_list("status", flat=True)) == ["accepted", "offered"]
        for appraisal in appraisals:
            assert appraisal.lead.trade_in.registration
            assert appraisal.offer < appraisal.valuation
            assert all(a.answered for a in appraisal.answers.all())
            assert appraisal.lead.events.filter(data__appraisal_id=appraisal.pk).count() >= 2
