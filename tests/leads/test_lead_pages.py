import pytest
from django.urls import reverse

from leads import services
from leads.models import EventKind
from tests.factories import CustomerPhoneFactory, LeadFactory, person, salesperson


@pytest.fixture
def leads_of(dealership, seller):
    mine = services.assign_lead(lead=LeadFactory(dealership=dealership), to=seller)
    colleague = salesperson(dealership)
    theirs = services.assign_lead(lead=LeadFactory(dealership=dealership), to=colleague)
    passive = LeadFactory(dealership=dealership, is_passive=True)
    return mine, theirs, passive


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees"),
    [("salesperson", {"mine"}), ("bdc", {"passive"}), ("manager", {"mine", "theirs", "passive"})],
)
def test_each_role_sees_only_its_leads(client, dealership, seller, leads_of, role, sees):
    mine, theirs, passive = leads_of
    named = {"mine": mine, "theirs": theirs, "passive": passive}
    user = seller if role == "salesperson" else person(role, dealership)
    client.force_login(user)
    listed = {lead.pk for lead in client.get(reverse("leads:list")).context["page"].object_list}
    assert listed == {named[n].pk for n in sees}
    for name, lead in named.items():
        expected = 200 if name in sees else 404
        assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == expected


@pytest.mark.django_db
def test_a_manager_of_another_dealership_sees_nothing(client, leads_of):
    from tests.factories import DealershipFactory, manager

    client.force_login(manager(DealershipFactory()))
    assert client.get(reverse("leads:detail", args=[leads_of[0].pk])).status_code == 404


@pytest.mark.django_db
def test_a_salesperson_logs_a_call_from_the_lead_page(client, seller, leads_of):
    lead = leads_of[0]
    CustomerPhoneFactory(customer=lead.customer, number="+31612345678")
    client.force_login(seller)
    page = client.get(reverse("leads:detail", args=[lead.pk]))
    assert 'href="tel:+31612345678"' in page.content.decode()
    client.post(
        reverse("leads:log_contact", args=[lead.pk]), {"channel": "phone", "outcome": "reached"}
    )
    lead.refresh_from_db()
    assert lead.status == "contacted"
    client.post(reverse("leads:add_note", args=[lead.pk]), {"text": "Comes Saturday"})
    client.post(reverse("leads:change_status", args=[lead.pk]), {"status": "lost"})  # no reason
    lead.refresh_from_db()
    assert lead.status == "contacted"
    assert lead.events.filter(kind=EventKind.NOTE, note="Comes Saturday").exists()


@pytest.mark.django_db
def test_a_salesperson_cannot_touch_a_colleagues_lead(client, seller, leads_of):
    client.force_login(seller)
    theirs = leads_of[1]
    response = client.post(
        reverse("leads:log_contact", args=[theirs.pk]), {"channel": "phone", "outcome": "reached"}
    )
    assert response.status_code == 404
    assert not theirs.events.filter(kind=EventKind.CONTACT_ATTEMPT).exists()


@pytest.mark.django_db
def test_presence_toggle(client, seller):
    client.force_login(seller)
    client.post(reverse("accounts:presence"), {"presence": "away"})
    seller.refresh_from_db()
    assert seller.presence == "away" and seller.presence_changed_at
    assert client.post(reverse("accounts:presence"), {"presence": "asleep"}).status_code == 400


@pytest.mark.django_db
def test_customer_text_is_escaped(client, dealership, seller):
    lead = LeadFactory(dealership=dealership, comments="<script>alert(1)</script>")
    services.assign_lead(lead=lead, to=seller)
    client.force_login(seller)
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
