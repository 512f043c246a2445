"""What a rule means: its trigger, its conditions, its template (sandboxed, in the customer's
language), the ready-made set, and what a rule may not say."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from automation import customer_rules, dispatcher, render
from automation.defaults import READY_MADE
from automation.models import MessageTemplate, Rule, ScheduledAction
from leads import services as leads
from leads.models import LeadVehicle
from tests.automation_helpers import new_lead, rule, template
from tests.factories import DealershipFactory, SourceFactory, manager, salesperson


def planned(r: Rule) -> int:
    return ScheduledAction.objects.filter(rule=r).count()


def walk_a_lead_through_everything(dealership):
    seller = salesperson(dealership)
    sold = new_lead(dealership)
    leads.update_lead(lead=sold, by=seller, comments="changed")
    leads.assign_lead(lead=sold, to=seller)
    leads.log_contact_attempt(lead=sold, channel="phone", outcome="reached", by=seller)
    leads.set_appointment(lead=sold, at=timezone.now() + timedelta(days=2), by=seller)
    leads.change_status(lead=sold, to="sold", by=seller)
    lost = new_lead(dealership)
    leads.change_status(lead=lost, to="lost", lost_reason="price")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("trigger", "extra", "expected"),
    [
        ("created", {}, 2),
        ("no_contact", {}, 2),
        ("modified", {}, 1),
        ("assigned", {}, 1),
        ("status_changed", {"trigger_status": "contacted"}, 1),
        ("status_changed", {"trigger_status": "assigned"}, 1),  # the assignment moved it there
        ("contact_attempt", {}, 1),
        ("appointment", {}, 1),
        ("sold", {}, 1),
        ("lost", {}, 1),
    ],
)
def test_each_trigger_starts_on_its_event_only(dealership, trigger, extra, expected):
    r = rule(dealership, trigger=trigger, offset_amount=5, offset_unit="minutes", **extra)
    walk_a_lead_through_everything(dealership)
    assert planned(r) == expected


@pytest.mark.django_db
def test_conditions_source_kind_condition_rating_activity_and_dealership(dealership):
    website = SourceFactory(dealership=dealership, kind="website")
    portal = SourceFactory(dealership=dealership, kind="portal")
    by_source = rule(dealership, sources=[website])
    by_kind = rule(dealership, source_kinds=["portal"])
    used_only = rule(dealership, condition="used")
    passive_only = rule(dealership, activity="passive")
    rated = rule(dealership, trigger="modified", min_rating=4)
    elsewhere = rule(DealershipFactory())
    new_lead(dealership, source=website)
    a_portal_lead = new_lead(dealership, source=portal)
    used = LeadVehicle.objects.create(condition="used", make="Ligier", model="JS50")
    leads.create_lead(
        dealership=dealership, customer=a_portal_lead.customer, vehicle=used, is_passive=True
    )
    leads.update_lead(lead=a_portal_lead, by=None, rating=3)
    leads.update_lead(lead=a_portal_lead, by=None, rating=5)
    assert [
        planned(r) for r in (by_source, by_kind, used_only, passive_only, rated, elsewhere)
    ] == [1, 1, 1, 1, 1, 0]


@pytest.mark.django_db
def test_several_recipients_each_get_their_message(dealership):
    from tests.factories import manager

    boss, seller = manager(dealership), salesperson(dealership)
    rule(dealership, trigger="assigned", to_customer=True, to_salesperson=True, to_managers=True)
    lead = new_lead(dealership)
    leads.assign_lead(lead=lead, to=seller)
    mail.outbox.clear()
    ScheduledAction.objects.filter(kind="notification").update(state="cancelled")
    dispatcher.dispatch_due()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [lead.customer.email, seller.email, boss.email]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "greeting"), [("nl", "Beste"), ("fr", "Bonjour"), ("en", "Dear"), ("de", "Beste")]
)
def test_the_ready_made_confirmation_speaks_the_customers_language(dealership, language, greeting):
    assert customer_rules.install_ready_made(dealership=dealership) == len(READY_MADE)
    assert customer_rules.install_ready_made(dealership=dealership) == 0  # twice adds nothing
    confirmation = Rule.objects.get(template__key="confirmation")
    assert not confirmation.is_enabled  # the manager switches it on after reading it
    customer_rules.set_rule_enabled(rule=confirmation, enabled=True)
    # Ready-made rules send 08:00–20:00, Monday to Saturday; this test may run at night.
    Rule.objects.update(window_start="00:00", window_end="23:59:59", window_days=[])
    lead = new_lead(dealership, language=language)  # "de": not written, the dealership's (nl)
    dispatcher.dispatch_due()
    (message,) = [m for m in mail.outbox if m.to == [lead.customer.email]]
    assert message.body.startswith(f"{greeting} {lead.customer.full_name}")
    assert lead.dealership.name in message.subject


@pytest.mark.django_db
def test_every_ready_made_template_renders_in_every_language(dealership):
    customer_rules.install_ready_made(dealership=dealership)
    seller = salesperson(dealership)
    lead = new_lead(dealership)
    leads.assign_lead(lead=lead, to=seller)
    leads.set_appointment(lead=lead, at=timezone.now() + timedelta(days=1), by=seller)
    lead.refresh_from_db()
    for t in MessageTemplate.objects.all():
        for code in ("nl", "fr", "en"):
            language, subject, body = t.version(code)
            assert language == code
            context = render.lead_context(
                lead, language=code, recipient_name="Sanne", public_url="https://crm.example"
            )
            out = render.render(subject, body, context, language=code)
            assert str(lead.customer) in out.text or seller.get_full_name() in out.text
            assert "{{" not in out.text and "{%" not in out.text


@pytest.mark.django_db
def test_the_appointment_is_written_in_the_recipients_language_and_the_dealers_zone(dealership):
    lead = new_lead(dealership)
    lead.appointment_at = timezone.make_aware(
        timezone.datetime(2026, 7, 3, 8, 30), timezone.get_fixed_timezone(0)
    )
    assert render.lead_context(lead, language="nl")["appointment"] == "3 juli 2026 10:30"
    assert render.lead_context(lead, language="fr")["appointment"].startswith(
        "3 juillet 2026 10:30"
    )


@pytest.mark.parametrize(
    "source",
    [
        "{% include 'base.html' %}",
        "{% load static %}",
        "{% debug %}",
        "{% url 'home' %}",
        "{% csrf_token %}",
        "{% if %}",
    ],
)
def test_templates_may_not_reach_beyond_their_placeholders(source):
    with pytest.raises(render.TemplateProblem):
        render.check_source(source)


@pytest.mark.django_db
def test_placeholders_are_plain_text_not_objects(dealership):
    lead = new_lead(dealership)
    context = render.lead_context(lead, language="en")
    out = render.render("", "{{ customer_name|upper }}|{{ dealership }}", context, language="en")
    assert out.text == f"{lead.customer.full_name.upper()}|{dealership.name}"
    assert all(isinstance(value, str) for value in context.values())
    for walk in ("{{ vehicle.stock_vehicle }}", "{{ customer_name.upper }}", "{{ x.__class__ }}"):
        with pytest.raises(render.TemplateProblem, match="Unknown placeholder|Template error"):
            render.render("", walk, context, language="en")


@pytest.mark.django_db
def test_a_rule_says_nothing_it_cannot_mean(dealership):
    t = template(dealership)
    cases = [
        ({"trigger": "created", "direction": "before", "to_customer": True}, "direction"),
        ({"trigger": "status_changed", "to_customer": True}, "trigger_status"),
        ({"trigger": "created"}, "to_customer"),
        (
            {
                "trigger": "created",
                "to_customer": True,
                "window_start": "20:00",
                "window_end": "08:00",
            },
            "window_end",
        ),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as caught:
            Rule(dealership=dealership, name="x", template=t, **fields).full_clean()
        assert field in caught.value.message_dict


@pytest.mark.django_db
def test_the_template_sandbox_refuses_loops_unsafe_filters_and_unknown_names(client, dealership):
    for source, problem in [
        ("{% for c in customer_name %}{{ c }}{% endfor %}", "tag"),
        ("{{ customer_name|safe }}", "filter |safe"),
        ("{% autoescape off %}{{ customer_name }}{% endautoescape %}", "tag"),
        ("{% if klant %}x{% endif %}", "Unknown placeholder"),
        ("{{ customer_name|default:'x'|slice:':2' }}", "filter |slice"),
    ]:
        with pytest.raises(render.TemplateProblem, match=problem):
            render.check_source(source)
    render.check_source("{% if vehicle and salesperson %}{{ vehicle|upper }}{% endif %}")
    client.force_login(manager(dealership))
    response = client.post(
        reverse("automation:template_new"),
        {"dealership": dealership.pk, "name": "Loop", "body_nl": "{{ customer_name|safe }}"},
    )
    assert "is not allowed in a message" in response.content.decode()


@pytest.mark.django_db
def test_an_empty_placeholder_stops_an_automatic_message_with_the_reason(dealership):
    from automation import dispatcher
    from automation.models import ActionState, ScheduledAction

    gap = template(dealership, subject_nl="Terugbellen", body_nl="Bel {{ salesperson_phone }}.")
    rule(dealership, template=gap)
    new_lead(dealership, language="nl")
    assert dispatcher.dispatch_due() == 1
    action = ScheduledAction.objects.get()
    assert action.state == ActionState.SKIPPED
    assert "{{ salesperson_phone }}" in action.reason
    guarded = "Bel {% if salesperson_phone %}{{ salesperson_phone }}{% else %}ons{% endif %}."
    out = render.render("", guarded, {"salesperson_phone": ""}, language="nl")
    assert out.text == "Bel ons."
    with pytest.raises(render.TemplateProblem, match="20000"):
        render.render("", "{{ customer_name }}", {"customer_name": "x" * 30_000}, language="nl")
