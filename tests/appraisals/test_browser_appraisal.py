"""A salesperson appraises a trade-in on a phone next to the car, in a real browser, in Dutch."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from appraisals import services
from appraisals.models import Appraisal
from leads.models import EventKind, LeadVehicle
from leads.services import assign_lead
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import DealershipFactory, LeadFactory, salesperson
from tests.images import png_bytes


@pytest.fixture
def shop(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dealership = DealershipFactory(name="Ligier Store Doesburg", phone="+31313472200")
    services.install_default_checklist(dealership=dealership)
    seller = salesperson(dealership, username="sanne", first_name="Sanne", language="nl")
    trade_in = LeadVehicle.objects.create(make="Ligier", model="JS50", year=2019, mileage_km=48210)
    lead = LeadFactory(dealership=dealership, customer__full_name="Joop Jansen", trade_in=trade_in)
    return {"lead": assign_lead(lead=lead, to=seller), "seller": seller}


def test_a_salesperson_appraises_next_to_the_car(browser_page, shop):  # noqa: F811
    page, lead = browser_page, shop["lead"]
    login(page, "sanne")
    page.wait_for_url("**/leads/**")
    page.goto(f"{page.base_url}/appraisals/lead/{lead.pk}/")
    page.get_by_role("button", name="Inspectie starten").click()
    page.wait_for_selector("#checklist")
    appraisal = Appraisal.objects.get(lead=lead)
    answers = {a.label: a for a in appraisal.answers.all()}

    # Big labels, not tiny radio dots: tap the word.
    page.click(f"label.choice-pass:has(input[name='a{answers['Carrosserie en lak'].pk}_result'])")
    page.click(f"label.choice-fail:has(input[name='a{answers['Remmen'].pk}_result'])")
    page.fill(f"[name='a{answers['Bandenprofiel voor'].pk}_value']", "3,5")
    page.get_by_role("button", name="Inspectie opslaan").click()
    page.wait_for_selector("text=Inspectie opgeslagen.")

    page.set_input_files(
        "#id_photo",
        files=[{"name": "IMG_0001.png", "mimeType": "image/png", "buffer": png_bytes()}],
    )
    page.get_by_role("button", name="Uploaden").click()
    page.wait_for_selector("text=1 foto toegevoegd.")
    # Served to us and decoded: the browser decodes after the page shows, so wait for it (a
    # fixed check right away failed when decoding was slower than the assertion).
    photo = page.locator(".photos img").first.element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo)
    assert photo.evaluate("img => img.naturalWidth") == 2

    until = (timezone.localdate() + timedelta(days=7)).isoformat()
    page.fill("#id_valuation", "14000")
    page.fill("#id_offer", "12.500")
    page.fill("#id_offer_valid_until", until)
    page.fill("#id_remarks", "Inclusief winterbanden.")
    page.get_by_role("button", name="Taxatie en bod opslaan").click()
    page.wait_for_selector("text=Taxatie en bod opgeslagen.")
    shot(page, "appraisal-phone")
    page.get_by_role("button", name="Bod van €\xa012.500,00 uitbrengen").click()
    page.wait_for_selector("text=Bod bijgewerkt.")
    appraisal.refresh_from_db()
    assert (appraisal.status, appraisal.offer) == ("offered", Decimal("12500"))
    assert lead.events.filter(kind=EventKind.NOTE, data__appraisal_id=appraisal.pk).exists()

    page.get_by_role("link", name="Afdrukbaar bod").click()
    page.wait_for_selector(".offer-amount")
    assert page.inner_text(".offer-amount") == "€\xa012.500,00"
    assert page.locator(".sheet-actions").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".sheet-actions").is_visible()  # no buttons or links on paper
    assert page.locator(".offer-amount").is_visible()
    shot(page, "appraisal-offer-print")
