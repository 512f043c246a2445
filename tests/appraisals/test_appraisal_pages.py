"""Every appraisal URL, per role: the salesperson who owns the lead, a colleague, BDC, a manager,
an admin, and a manager of another dealership. And the customer's signed link."""

import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from appraisals import links, services
from appraisals.models import Appraisal, AppraisalPhoto, ChecklistItem
from leads.models import LeadVehicle
from leads.services import assign_lead, soft_delete
from tests.appraisal_world import APPRAISAL_ACCESS
from tests.factories import DealershipFactory, LeadFactory, manager, person, salesperson
from tests.images import png_bytes, upload
from tests.urlwalk import PUBLIC, all_url_patterns


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Seven people per test: a fast hasher keeps the role matrix quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


@pytest.fixture
def world(dealership, seller):
    services.install_default_checklist(dealership=dealership)
    trade_in = LeadVehicle.objects.create(make="Ligier", model="JS50", year=2019)
    lead = assign_lead(lead=LeadFactory(dealership=dealership, trade_in=trade_in), to=seller)
    appraisal = services.start_appraisal(lead=lead, by=seller)
    services.set_offer(
        appraisal=appraisal,
        valuation=Decimal("9000"),
        offer=Decimal("8000"),
        valid_until=timezone.localdate() + timedelta(days=7),
    )
    (photo,) = services.add_photos(
        appraisal=appraisal, uploads=[upload("a.png", png_bytes(), "image/png")], by=seller
    )
    other_dealership = DealershipFactory()
    services.install_default_checklist(dealership=other_dealership)
    return {
        "appraisal": appraisal,
        "lead": lead,
        "photo": photo,
        "item": ChecklistItem.objects.filter(dealership=dealership).first(),
        "people": {
            "owner": seller,
            "colleague": salesperson(dealership),
            "bdc": person(Role.BDC_AGENT, dealership),
            "manager": manager(dealership),
            "admin": person(Role.ADMIN, dealership),
            "foreigner": manager(other_dealership),
        },
    }


SEE_LEAD = {"owner", "manager", "admin"}
MANAGE = {"manager", "admin"}
ROLES = ["owner", "colleague", "bdc", "manager", "admin", "foreigner"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_appraisal_pages_per_role(client, world, role):
    client.force_login(world["people"][role])
    a, photo = world["appraisal"], world["photo"]
    allowed = role in SEE_LEAD
    pages = {
        reverse("appraisals:start", args=[a.lead_id]): 302,  # it exists: on to it
        reverse("appraisals:detail", args=[a.pk]): 200,
        reverse("appraisals:photo", args=[a.pk, photo.pk]): 200,
        reverse("appraisals:offer", args=[a.pk]): 200,
    }
    for url, ok in pages.items():
        assert client.get(url).status_code == (ok if allowed else 404), url
    page = client.get(reverse("leads:detail", args=[a.lead_id]))
    assert page.status_code == (200 if allowed else 404)

    # Every write: the outsiders get a 404 and change nothing.
    until = (timezone.localdate() + timedelta(days=5)).isoformat()
    answer = a.answers.filter(kind="check").first()
    car = {
        "car-make": "Ligier",
        "car-model": "JS50",
        "car-year": "2019",
        "car-registration": "AB-12-CD",
    }
    writes = [
        ("car", [a.pk], car),
        ("answers", [a.pk], {f"a{answer.pk}_result": "fail"}),
        ("save_offer", [a.pk], {"valuation": "9000", "offer": "7000", "offer_valid_until": until}),
        ("add_photos", [a.pk], {"photo": upload("b.png", png_bytes(), "image/png")}),
        ("delete_photo", [a.pk, photo.pk], {}),
        ("status", [a.pk], {"to": "offered"}),
        ("send", [a.pk], {}),
    ]
    for name, args, data in writes:
        response = client.post(reverse(f"appraisals:{name}", args=args), data)
        assert response.status_code == (302 if allowed else 404), name
    a.refresh_from_db()
    answer.refresh_from_db()
    assert a.lead.trade_in.registration == ("AB-12-CD" if allowed else "")
    if allowed:
        assert (a.offer, a.status, answer.result) == (Decimal("7000"), "offered", "fail")
        assert list(a.photos.values_list("caption", flat=True)) == [""]
        assert not AppraisalPhoto.objects.filter(pk=photo.pk).exists()
    else:
        assert (a.offer, a.status, answer.result) == (Decimal("8000"), "draft", "")
        assert list(a.photos.all()) == [photo]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_checklist_configuration_per_role(client, world, dealership, role):
    user = world["people"][role]
    client.force_login(user)
    item = world["item"]
    manages = role in MANAGE
    index = client.get(reverse("appraisals:checklist_index"))
    if role == "foreigner":  # their own dealership's checklist, not ours
        assert index.status_code == 302 and index.url != reverse(
            "appraisals:checklist", args=[dealership.pk]
        )
    else:
        assert index.status_code == (302 if manages else 404)
    assert client.get(reverse("appraisals:checklist", args=[dealership.pk])).status_code == (
        200 if manages else 404
    )
    label = item.label
    posts = [
        (
            reverse("appraisals:checklist", args=[dealership.pk]),
            {"label": "Trekhaak", "kind": "check", "enabled": "on"},
        ),
        (
            reverse("appraisals:checklist_item", args=[item.pk]),
            {f"i{item.pk}-label": "Lak", f"i{item.pk}-kind": "check"},
        ),
        (reverse("appraisals:checklist_move", args=[item.pk]), {"direction": "down"}),
        (reverse("appraisals:checklist_defaults", args=[dealership.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == (302 if manages else 404), url
    item.refresh_from_db()
    labels = list(
        ChecklistItem.objects.filter(dealership=dealership).values_list("label", flat=True)
    )
    if manages:
        assert (item.label, item.enabled, item.position) == ("Lak", False, 1)
        assert labels[-1] == "Trekhaak" and len(labels) == 11
    else:
        assert (item.label, item.enabled, item.position) == (label, True, 0)
        assert "Trekhaak" not in labels


@pytest.mark.django_db
def test_bdc_appraises_the_passive_leads_it_sees(client, dealership):
    bdc = person(Role.BDC_AGENT, dealership)
    lead = LeadFactory(
        dealership=dealership, is_passive=True, trade_in=LeadVehicle.objects.create(make="Aixam")
    )
    client.force_login(bdc)
    response = client.post(reverse("appraisals:start", args=[lead.pk]))
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200


@pytest.mark.django_db
def test_the_lead_panel_offers_to_appraise_and_then_links_the_offer(client, world, dealership):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    seller = world["people"]["owner"]
    request = RequestFactory().get("/")
    request.user = seller
    fresh = assign_lead(lead=LeadFactory(dealership=dealership), to=seller)
    panel = render_to_string(
        "appraisals/_lead_panel.html", {"lead": fresh, "user": seller}, request=request
    )
    assert reverse("appraisals:start", args=[fresh.pk]) in panel
    assert reverse("appraisals:checklist", args=[dealership.pk]) not in panel
    boss = manager(dealership)
    panel = render_to_string(
        "appraisals/_lead_panel.html", {"lead": fresh, "user": boss}, request=request
    )
    assert reverse("appraisals:checklist", args=[dealership.pk]) in panel
    panel = render_to_string(
        "appraisals/_lead_panel.html", {"lead": world["lead"]}, request=request
    )
    assert reverse("appraisals:offer", args=[world["appraisal"].pk]) in panel
    assert "8,000.00" in panel


def _offered(world) -> Appraisal:
    appraisal = world["appraisal"]
    return services.change_status(appraisal=appraisal, to="offered", by=world["people"]["owner"])


@pytest.mark.django_db
def test_the_customer_link_works_without_login(client, world):
    appraisal = _offered(world)
    url = reverse("appraisals:public_offer", args=[links.offer_token(appraisal)])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "8.000,00" in body  # the dealership's (and so the customer's) language: nl
    assert "<h1>Inruilbod</h1>" in body
    assert "9.000" not in body  # never the valuation
    assert f"/appraisals/{appraisal.pk}/photos/" not in body  # nor the photos
    assert page["Cache-Control"] == "private, no-store"
    assert client.get(reverse("appraisals:offer", args=[appraisal.pk])).status_code == 302


@pytest.mark.django_db
def test_an_altered_or_expired_customer_link_is_refused(client, world, monkeypatch):
    appraisal = _offered(world)
    token = links.offer_token(appraisal)
    other = LeadFactory(
        dealership=appraisal.lead.dealership, trade_in=LeadVehicle.objects.create(make="X")
    )
    other_appraisal = services.start_appraisal(lead=other, by=None)
    # Another appraisal's id under this token's signature.
    payload = signing.b64_encode(
        json.dumps({"a": other_appraisal.pk, "o": "8000.00"}, separators=(",", ":")).encode()
    ).decode()
    forged = payload + token[token.index(":") :]
    assert forged != token
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), forged, "x", token + "x"):
        assert client.get(reverse("appraisals:public_offer", args=[bad])).status_code == 404

    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 31 * 86400)
    old = links.offer_token(appraisal)
    monkeypatch.setattr(time, "time", real_time)
    assert client.get(reverse("appraisals:public_offer", args=[old])).status_code == 404
    assert client.get(reverse("appraisals:public_offer", args=[token])).status_code == 200


@pytest.mark.django_db
def test_the_customer_sees_when_the_offer_has_expired(client, world):
    appraisal = _offered(world)
    url = reverse("appraisals:public_offer", args=[links.offer_token(appraisal)])
    assert "Dit bod is verlopen." not in client.get(url).content.decode()
    Appraisal.objects.filter(pk=appraisal.pk).update(
        offer_valid_until=timezone.localdate() - timedelta(days=2)
    )
    assert "Dit bod is verlopen." in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_revised_or_withdrawn_offer_retires_the_old_link(client, world):
    seller = world["people"]["owner"]
    appraisal = _offered(world)
    token = links.offer_token(appraisal)
    url = reverse("appraisals:public_offer", args=[token])
    services.change_status(appraisal=appraisal, to="draft", by=seller)
    assert client.get(url).status_code == 404  # withdrawn: nothing to show
    services.set_offer(
        appraisal=appraisal,
        valuation=Decimal("9000"),
        offer=Decimal("8200"),
        valid_until=timezone.localdate() + timedelta(days=7),
    )
    services.change_status(appraisal=appraisal, to="offered", by=seller)
    assert client.get(url).status_code == 404  # a new amount needs a new link
    soft_delete(lead=appraisal.lead, by=seller, reason="test")
    new = links.offer_token(appraisal)
    assert client.get(reverse("appraisals:public_offer", args=[new])).status_code == 404


# --- The same walk the project's role walk does, over APPRAISAL_ACCESS ---


def test_every_appraisal_url_declares_who_may_use_it():
    names = {
        name
        for _route, name in all_url_patterns()
        if name and name.startswith("appraisals:") and name not in PUBLIC
    }
    assert names == set(APPRAISAL_ACCESS)


@pytest.fixture
def walk_world(dealership, seller):
    stranger_shop = DealershipFactory()
    return {
        "lead": assign_lead(lead=LeadFactory(dealership=dealership), to=seller),
        "owner": seller,
        "colleague": salesperson(dealership),
        "bdc": person(Role.BDC_AGENT, dealership),
        "manager": manager(dealership),
        "admin": person(Role.ADMIN, dealership),
        "stranger": manager(stranger_shop),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(APPRAISAL_ACCESS))
def test_the_role_walk_over_appraisal_urls(client, walk_world, name):
    allowed, args = APPRAISAL_ACCESS[name]
    url = reverse(name, args=args(walk_world) if args else None)
    for role in ("owner", "colleague", "bdc", "manager", "admin", "stranger"):
        client.force_login(walk_world[role])
        status = client.get(url).status_code
        if status == 405:
            status = client.post(url, {}).status_code
        assert status < 500, f"{name} as {role}: {status}"
        if role in allowed:
            assert status not in (403, 404), f"{name} refused {role} ({status})"
        else:
            assert status in (403, 404), f"{name} let {role} in ({status})"


def test_a_trade_in_mileage_beyond_any_car_is_refused():
    from appraisals.forms import TradeInForm

    form = TradeInForm({"make": "Ligier", "model": "JS50", "mileage_km": "48210000"})
    assert not form.is_valid() and "mileage_km" in form.errors
    assert TradeInForm({"make": "Ligier", "mileage_km": "48210"}).is_valid()
