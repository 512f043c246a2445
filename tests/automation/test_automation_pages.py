"""The automation pages as a manager uses them in the browser, and the lead page's "send from a
template" as a salesperson does."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from automation import consent, dispatcher
from automation.models import MessageTemplate, Rule, ScheduledAction
from leads import services as leads
from leads.models import EventKind, LeadEvent
from tests.automation_helpers import new_lead, rule, template
from tests.factories import DealershipFactory, manager, salesperson


def flashed(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def rule_form(dealership, template, **changes) -> dict:
    data = {
        "dealership": dealership.pk,
        "name": "Sorry we missed you",
        "is_enabled": "on",
        "trigger": "no_contact",
        "offset_amount": "2",
        "offset_unit": "hours",
        "direction": "after",
        "statuses": ["new", "assigned"],
        "to_customer": "on",
        "channel": "email",
        "template": template.pk,
        "window_start": "08:00",
        "window_end": "20:00",
        "window_days": ["0", "1", "2", "3", "4", "5"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_a_manager_builds_a_rule_in_the_browser(client, dealership, boss):
    t = template(dealership)
    client.force_login(boss)
    page = client.get(reverse("automation:rule_new")).content.decode()
    assert "Sending window" in page and "No contact yet" in page
    response = client.post(reverse("automation:rule_new"), rule_form(dealership, t))
    assert response.status_code == 302, response.content.decode()[:2000]
    r = Rule.objects.get()
    assert (r.trigger, r.offset_amount, r.statuses, r.window_days) == (
        "no_contact",
        2,
        ["new", "assigned"],
        [0, 1, 2, 3, 4, 5],
    )
    listing = client.get(reverse("automation:rules")).content.decode()
    assert "Sorry we missed you" in listing


@pytest.mark.django_db
def test_a_rule_form_with_mistakes_says_what_and_keeps_nothing(client, dealership, boss):
    other = template(DealershipFactory())
    client.force_login(boss)
    response = client.post(
        reverse("automation:rule_new"),
        rule_form(dealership, other, trigger="created", direction="before", to_customer=None),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page  # another dealership's template is not on offer
    assert (
        "Only an appointment has a time to send before." in page
        or "Choose at least one recipient." in page
    )
    assert not Rule.objects.exists()


@pytest.mark.django_db
def test_editing_a_rule_says_how_many_pending_messages_it_touches(client, dealership, boss):
    r = rule(dealership, trigger="created", offset_amount=1, offset_unit="days")
    new_lead(dealership)
    new_lead(dealership)
    client.force_login(boss)
    page = client.get(reverse("automation:rule_edit", args=[r.pk])).content.decode()
    assert "This rule has 2 pending messages." in page
    form = rule_form(
        dealership,
        r.template,
        trigger="created",
        offset_amount="3",
        offset_unit="days",
        statuses=[],
    )
    impact = client.post(
        reverse("automation:rule_impact", args=[r.pk]), form, HTTP_HX_REQUEST="true"
    )
    assert "2 pending messages rescheduled" in impact.content.decode()
    assert ScheduledAction.objects.filter(
        rule=r
    ).first().due_at - r.actions.first().anchor_at == timedelta(days=1)
    response = client.post(reverse("automation:rule_edit", args=[r.pk]), form)
    assert "2 pending messages rescheduled" in flashed(response)
    action = ScheduledAction.objects.filter(rule=r).first()
    assert action.due_at - action.anchor_at >= timedelta(days=3)
    changed = rule_form(dealership, r.template, trigger="contact_attempt", statuses=[])
    response = client.post(reverse("automation:rule_edit", args=[r.pk]), changed)
    assert "2 pending messages cancelled" in flashed(response)


@pytest.mark.django_db
def test_switching_a_rule_off_cancels_its_pending_messages_and_says_so(client, dealership, boss):
    r = rule(dealership, offset_amount=1, offset_unit="days")
    new_lead(dealership)
    client.force_login(boss)
    listing = client.get(reverse("automation:rules")).content.decode()
    assert "switching off cancels 1 pending message" in listing
    response = client.post(reverse("automation:rule_toggle", args=[r.pk]))
    assert "1 pending message cancelled" in flashed(response)
    r.refresh_from_db()
    assert not r.is_enabled
    client.post(reverse("automation:rule_toggle", args=[r.pk]))
    r.refresh_from_db()
    assert r.is_enabled


@pytest.mark.django_db
def test_a_template_with_a_forbidden_tag_is_refused(client, dealership, boss):
    client.force_login(boss)
    response = client.post(
        reverse("automation:template_new"),
        {"dealership": dealership.pk, "name": "Bad", "subject_en": "Hi", "body_en": "{% debug %}"},
    )
    assert response.status_code == 200
    assert "The tag {% debug %} is not allowed" in response.content.decode()
    assert not MessageTemplate.objects.exists()


@pytest.mark.django_db
def test_preview_against_a_real_lead_and_test_send_to_myself(
    client, dealership, boss, django_capture_on_commit_callbacks
):
    t = template(dealership)
    lead = new_lead(dealership, language="nl")
    lead.customer.full_name = "Eva <b>Jansen</b>"
    lead.customer.save()
    client.force_login(boss)
    edit = client.get(reverse("automation:template_edit", args=[t.pk])).content.decode()
    assert f"#{lead.pk}" in edit  # the lead to preview with
    preview = client.get(
        reverse("automation:template_preview", args=[t.pk]),
        {"lead": lead.pk},
        HTTP_HX_REQUEST="true",
    )
    html = preview.content.decode()
    assert "Hallo Eva &lt;b&gt;Jansen&lt;/b&gt;" in html and "<b>Jansen" not in html
    english = client.get(
        reverse("automation:template_preview", args=[t.pk]), {"lead": lead.pk, "language": "en"}
    )
    assert "Dear Eva" in english.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("automation:template_test", args=[t.pk]), {"lead": lead.pk, "channel": "email"}
        )
    assert boss.email in flashed(response)
    (message,) = mail.outbox
    assert message.to == [boss.email] and message.subject.startswith("[TEST] Hallo Eva")
    assert not LeadEvent.objects.filter(kind=EventKind.MESSAGE_SENT).exists()


@pytest.mark.django_db
def test_ready_made_templates_from_the_page(client, dealership, boss):
    client.force_login(boss)
    response = client.post(reverse("automation:install_ready_made", args=[dealership.pk]))
    assert "4 ready-made templates added" in flashed(response)
    assert MessageTemplate.objects.filter(dealership=dealership).count() == 4
    assert Rule.objects.filter(dealership=dealership, is_enabled=False).count() == 4
    stranger = manager(DealershipFactory())
    client.force_login(stranger)
    assert (
        client.post(reverse("automation:install_ready_made", args=[dealership.pk])).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_salesperson_sends_a_template_from_the_lead_page(
    client, dealership, django_capture_on_commit_callbacks
):
    seller = salesperson(dealership)
    t = template(dealership)
    lead = new_lead(dealership)
    leads.assign_lead(lead=lead, to=seller)
    client.force_login(seller)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert (
        "E-mail or SMS from a template" in page and f"may be sent to {lead.customer.email}" in page
    )
    preview = client.get(
        reverse("automation:lead_message", args=[lead.pk]),
        {"message-template": t.pk, "message-channel": "email"},
    )
    assert f"Dear {lead.customer.full_name}" in preview.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("automation:lead_message", args=[lead.pk]),
            {"message-template": t.pk, "message-channel": "email"},
        )
    assert response.status_code == 302 and "queued" in flashed(response)
    assert [m.to for m in mail.outbox if m.to != [seller.email]] == [[lead.customer.email]]
    event = LeadEvent.objects.get(lead=lead, kind=EventKind.MESSAGE_SENT)
    assert event.actor == seller and event.channel == "email"
    timeline = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Message sent" in timeline and "Queued" in timeline


@pytest.mark.django_db
def test_the_lead_page_refuses_an_opted_out_channel_and_shows_why(client, dealership):
    seller = salesperson(dealership)
    t = template(dealership)
    lead = new_lead(dealership)
    leads.assign_lead(lead=lead, to=seller)
    consent.record_opt_out(channel="sms", address=lead.customer.primary_phone, origin="sms_stop")
    client.force_login(seller)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "the customer opted out of this channel" in page and "Replied STOP" in page
    preview = client.get(
        reverse("automation:lead_message", args=[lead.pk]),
        {"message-template": t.pk, "message-channel": "sms"},
    )
    assert "Cannot be sent" in preview.content.decode()
    response = client.post(
        reverse("automation:lead_message", args=[lead.pk]),
        {"message-template": t.pk, "message-channel": "sms"},
    )
    assert "Not sent: the customer opted out of this channel." in flashed(response)
    assert not ScheduledAction.objects.filter(kind="manual").exists()
    foreign = template(DealershipFactory())
    response = client.post(
        reverse("automation:lead_message", args=[lead.pk]),
        {"message-template": foreign.pk, "message-channel": "email"},
    )
    assert "Choose a template" in flashed(response)


@pytest.mark.django_db
def test_the_outbox_lists_what_was_planned_and_sent(client, dealership, boss):
    rule(dealership)
    lead = new_lead(dealership)
    dispatcher.dispatch_due()
    client.force_login(boss)
    page = client.get(reverse("automation:outbox")).content.decode()
    assert str(lead.customer) in page and "Sent" in page and "Queued" in page
    stranger = manager(DealershipFactory())
    client.force_login(stranger)
    assert str(lead.customer) not in client.get(reverse("automation:outbox")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "trigger"),
    [
        ("nl", "Automatiseringsregels", "Nog geen contact"),
        ("fr", "Règles d'automatisation", "Pas encore de contact"),
    ],
)
def test_the_automation_pages_speak_dutch_and_french(
    client, dealership, language, heading, trigger
):
    boss = manager(dealership, language=language)
    client.force_login(boss)
    assert heading in client.get(reverse("automation:rules")).content.decode()
    assert trigger in client.get(reverse("automation:rule_new")).content.decode()
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert {"nl": "0 ongelezen meldingen", "fr": "0 notification non lue"}[language] in bell
