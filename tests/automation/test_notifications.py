"""Staff notifications: who is told what, by which channel they chose, and the bell."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from automation import dispatcher, preferences
from automation.models import Notification, NotificationPreference, ScheduledAction
from leads import services as leads
from leads.models import EventKind
from tests.automation_helpers import new_lead, rule
from tests.factories import manager, person, salesperson


@pytest.mark.django_db
def test_an_assignment_notifies_the_assignee_at_once_and_mails_after_the_commit(
    dealership, django_capture_on_commit_callbacks
):
    seller = salesperson(dealership)
    lead = new_lead(dealership)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        leads.assign_lead(lead=lead, to=seller)
    note = Notification.objects.get(user=seller)
    assert note.kind == "assigned" and note.lead == lead and str(lead.customer) in note.title
    assert not mail.outbox  # nothing is sent inside the request's transaction
    for callback in callbacks:
        callback()  # the commit: the dispatcher task runs (eagerly in tests)
    assert [m.to for m in mail.outbox] == [[seller.email]]
    assert str(lead.customer) in mail.outbox[0].subject


@pytest.mark.django_db
def test_a_reassignment_notifies_the_new_assignee_but_not_the_one_who_took_it(dealership):
    first, second = salesperson(dealership), salesperson(dealership)
    lead = new_lead(dealership)
    leads.assign_lead(lead=lead, to=first)
    leads.assign_lead(lead=lead, to=second)
    leads.assign_lead(lead=lead, to=first, by=first)  # took it back themself
    assert list(Notification.objects.values_list("user", flat=True).order_by("pk")) == [
        first.pk,
        second.pk,
    ]


@pytest.mark.django_db
def test_an_escalation_notifies_the_people_it_names_else_the_managers(dealership):
    boss, other_boss, named = manager(dealership), manager(dealership), salesperson(dealership)
    lead = new_lead(dealership)
    leads.record_event(
        lead=lead,
        kind=EventKind.ESCALATED,
        note="Not contacted in 15 min",
        data={"notify_user_ids": [named.pk]},
    )
    assert list(Notification.objects.values_list("user", flat=True)) == [named.pk]
    leads.record_event(lead=lead, kind=EventKind.ESCALATED, data={})
    assert set(Notification.objects.filter(kind="escalated").values_list("user", flat=True)) == {
        named.pk,
        boss.pk,
        other_boss.pk,
    }
    assert "15 min" in Notification.objects.get(user=named).body


@pytest.mark.django_db
def test_each_person_chooses_what_and_how(dealership, twilio):
    seller = salesperson(dealership, phone="+31633333333")
    preferences.save_preferences(
        user=seller,
        choices={
            "assigned": preferences.Preference(enabled=True, by_email=False, by_sms=True),
            "escalated": preferences.Preference(enabled=False, by_email=True, by_sms=True),
        },
    )
    lead = new_lead(dealership)
    leads.assign_lead(lead=lead, to=seller)
    leads.record_event(lead=lead, kind=EventKind.ESCALATED, data={"notify_user_ids": [seller.pk]})
    dispatcher.dispatch_due()
    assert list(Notification.objects.values_list("kind", flat=True)) == ["assigned"]
    assert not mail.outbox
    (call,) = twilio.calls
    assert call["data"]["To"] == seller.phone and str(lead.customer) in call["data"]["Body"]


@pytest.mark.django_db
def test_notifications_are_written_in_the_persons_language(dealership):
    seller = salesperson(dealership, language="nl")
    lead = new_lead(dealership)
    leads.assign_lead(lead=lead, to=seller)
    assert Notification.objects.get().title.startswith("Nieuwe lead voor je")


@pytest.mark.django_db
def test_automation_messages_to_staff_follow_their_choice(dealership):
    seller = salesperson(dealership)
    rule(dealership, trigger="assigned", to_customer=False, to_salesperson=True)
    NotificationPreference.objects.create(user=seller, kind="assigned", enabled=False)
    NotificationPreference.objects.create(
        user=seller, kind="automation", enabled=True, by_email=False
    )
    lead = new_lead(dealership)
    leads.assign_lead(lead=lead, to=seller)
    dispatcher.dispatch_due()
    assert not mail.outbox  # the rule's e-mail: turned off by the person
    assert Notification.objects.get(user=seller).kind == "automation"  # but in the bell
    assert ScheduledAction.objects.get(kind="rule").state == "skipped"


@pytest.mark.django_db
def test_the_bell_counts_and_marking_read(client, dealership):
    seller = salesperson(dealership)
    colleague = salesperson(dealership)
    for _ in range(3):
        leads.assign_lead(lead=new_lead(dealership), to=seller)
    client.force_login(seller)
    bell = client.get(reverse("notifications:bell"), HTTP_HX_REQUEST="true").content.decode()
    assert '<span class="badge">3</span>' in bell and 'hx-trigger="every 20s"' in bell
    page = client.get(reverse("leads:inbox")).content.decode()
    assert '<span class="badge">3</span>' in page  # the header of every page
    first = Notification.objects.filter(user=seller).first()
    response = client.post(reverse("notifications:read", args=[first.pk]), {"open": "1"})
    assert response.url == reverse("leads:detail", args=[first.lead_id])
    assert (
        '<span class="badge">2</span>' in client.get(reverse("notifications:bell")).content.decode()
    )
    client.force_login(colleague)
    assert client.post(reverse("notifications:read", args=[first.pk])).status_code == 404
    client.force_login(seller)
    client.post(reverse("notifications:read_all"))
    assert "badge" not in client.get(reverse("notifications:bell")).content.decode()


@pytest.mark.django_db
def test_the_preferences_page_saves_the_choices(client, dealership):
    bdc = person(Role.BDC_AGENT, dealership)
    client.force_login(bdc)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "A customer replied" in page
    response = client.post(
        reverse("notifications:preferences"),
        {
            "assigned_enabled": "on",
            "assigned_sms": "on",
            "reply_enabled": "on",
            "reply_email": "on",
        },
    )
    assert response.status_code == 302
    assert preferences.preference(bdc, "assigned") == preferences.Preference(True, False, True)
    assert preferences.preference(bdc, "reply") == preferences.Preference(True, True, False)
    assert preferences.preference(bdc, "escalated").enabled is False
