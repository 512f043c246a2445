"""A duplicate lead or customer record merged from the lead page: nothing lost, both timelines on
the lead kept, the duplicate out of the figures, consent's opt-out kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from followup.models import Task
from leads import merge, selectors, services
from leads.models import Customer, EventKind, Lead
from tests.factories import (
    CustomerFactory,
    CustomerPhoneFactory,
    DealershipFactory,
    LeadFactory,
    manager,
    salesperson,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(dealership):
    first = CustomerFactory(
        dealership=dealership, full_name="Joost de Vries", email="joost@example.nl"
    )
    second = CustomerFactory(
        dealership=dealership, full_name="Joost de Vries", email="", consent_sms=False
    )
    CustomerPhoneFactory(customer=second, number="+31655555555")
    keep = LeadFactory(dealership=dealership, customer=first, vehicle=None, comments="Golf 8?")
    dup = LeadFactory(dealership=dealership, customer=second, comments="Is de Golf er nog?")
    services.add_note(lead=dup, text="Belde gisteren al", by=None)
    return keep, dup


def test_a_duplicate_lead_is_merged_with_everything_it_knew(twins):
    keep, dup = twins
    boss = manager(keep.dealership)
    merged = merge.merge_leads(keep=keep, merge=dup, by=boss)
    assert merged.vehicle is not None  # taken from the duplicate
    assert "Is de Golf er nog?" in merged.comments and "Golf 8?" in merged.comments
    assert merged.customer.primary_phone == "+31655555555"
    assert merged.customer.consent_sms is False  # the opt-out holds
    assert Customer.objects.filter(dealership=keep.dealership).count() == 1
    assert not Lead.objects.filter(pk=dup.pk).exists()  # out of lists and figures
    assert Lead.all_objects.get(pk=dup.pk).extra["merged_into"] == keep.pk
    notes = [e.note for e in selectors.lead_timeline(merged)]
    assert "Belde gisteren al" in notes
    assert f"Lead #{dup.pk} merged into this one" in notes


def test_merging_twice_or_across_dealerships_is_refused(twins):
    keep, dup = twins
    boss = manager(keep.dealership)
    merge.merge_leads(keep=keep, merge=dup, by=boss)
    with pytest.raises(services.LeadError):
        merge.merge_leads(keep=keep, merge=dup, by=boss)
    with pytest.raises(services.LeadError):
        merge.merge_leads(keep=keep, merge=LeadFactory(dealership=DealershipFactory()), by=boss)


def test_a_manager_merges_from_the_lead_page(client, twins, django_capture_on_commit_callbacks):
    keep, dup = twins
    Task.objects.create(lead=dup, dealership=dup.dealership, kind="call", due_at=dup.received_at)
    client.force_login(manager(keep.dealership))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("leads:merge", args=[keep.pk]), {"other": f"#{dup.pk}"})
    assert Lead.all_objects.get(pk=dup.pk).deleted_at is not None
    assert not Task.objects.filter(lead=dup, state="open").exists()
    page = client.get(reverse("leads:detail", args=[keep.pk])).content.decode()
    assert "Belde gisteren al" in page


def test_a_salesperson_merges_only_leads_they_hold(client, twins):
    keep, dup = twins
    seller = salesperson(keep.dealership)
    services.assign_lead(lead=keep, to=seller)
    client.force_login(seller)
    client.post(reverse("leads:merge", args=[keep.pk]), {"other": dup.pk})
    assert Lead.objects.filter(pk=dup.pk).exists()  # not theirs: refused
    services.assign_lead(lead=dup, to=seller)
    client.post(reverse("leads:merge", args=[keep.pk]), {"other": dup.pk})
    assert not Lead.objects.filter(pk=dup.pk).exists()


def test_a_manager_merges_a_second_customer_record_shown_as_a_possible_twin(client, dealership):
    first = CustomerFactory(dealership=dealership, full_name="Anna Jansen", email="anna@example.nl")
    second = CustomerFactory(dealership=dealership, full_name="anna jansen", email="")
    keep, other = (
        LeadFactory(dealership=dealership, customer=first),
        LeadFactory(dealership=dealership, customer=second),
    )
    client.force_login(manager(dealership))
    page = client.get(reverse("leads:detail", args=[keep.pk])).content.decode()
    assert f'name="other_customer" value="{second.pk}"' in page
    client.post(reverse("leads:merge_customer", args=[keep.pk]), {"other_customer": second.pk})
    other.refresh_from_db()
    assert other.customer == first
    assert other.events.filter(kind=EventKind.MODIFIED, data__merged_customer=second.pk).exists()
    assert not Customer.objects.filter(pk=second.pk).exists()
    client.force_login(salesperson(dealership))
    third = CustomerFactory(dealership=dealership)
    client.post(reverse("leads:merge_customer", args=[keep.pk]), {"other_customer": third.pk})
    assert Customer.objects.filter(pk=third.pk).exists()
