"""WhatsApp as a conversation channel, through Twilio (faked only at its HTTP edge): the customer's
signed WhatsApp message on the lead's thread, a salesperson's free-text answer inside the 24-hour
window, an approved template (content SID and variables) outside it, read receipts, STOP, a new
lead for an unknown number, the channel off without a sender, and who may write."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from automation import dispatcher
from automation.errors import AutomationError
from automation.models import (
    InboundSms,
    Notification,
    OptOut,
    OutboundMessage,
    Rule,
    ScheduledAction,
    WhatsAppTemplate,
)
from conversations.services import send_reply
from followup import services as followup
from leads.models import EventKind, Lead, LeadEvent
from tests.automation_helpers import new_lead
from tests.conversation_world import held_lead
from tests.factories import DealershipFactory, manager, person, salesperson
from tests.twilio_edge import signed_post

HOOK = "/hooks/twilio/sms/"
SENDER = "+3197010520000"
HTMX = {"HTTP_HX_REQUEST": "true"}
SID = "HX" + "0123456789abcdef" * 2


@pytest.fixture
def shop(dealership, twilio):
    dealership.whatsapp_number = SENDER
    dealership.save()
    seller, lead = held_lead(dealership)
    lead.customer.first_name = "Jan"
    lead.customer.save()
    template = WhatsAppTemplate.objects.create(
        dealership=dealership,
        name="Follow-up",
        content_sid=SID,
        language="nl",
        body="Hallo {{1}}, heeft u nog vragen over de {{2}}? Groet, {{3}}",
        variables=["customer_first_name", "vehicle", "salesperson"],
    )
    return {"dealership": dealership, "seller": seller, "lead": lead, "template": template}


def whatsapp_in(client, number: str, body: str, *, to: str = SENDER, sid: str = "", **extra):
    data = {
        "MessageSid": sid or f"SM{timezone.now().timestamp():.6f}".replace(".", ""),
        "AccountSid": "AC" + "1" * 32,
        "From": f"whatsapp:{number}",
        "To": f"whatsapp:{to}",
        "Body": body,
        "ProfileName": extra.pop("ProfileName", "Klant"),
        "WaId": number.lstrip("+"),
        "NumMedia": "0",
        **extra,
    }
    return signed_post(client, HOOK, data)


def write(client, lead, text: str = "", template: WhatsAppTemplate | None = None):
    data = {"reply-channel": "whatsapp", "reply-text": text}
    if template is not None:
        data["reply-whatsapp_template"] = str(template.pk)
    return client.post(reverse("conversations:reply", args=[lead.pk]), data, **HTMX)


def thread(client, lead, **params) -> str:
    return client.get(reverse("conversations:thread", args=[lead.pk]), params).content.decode()


def number_of(lead: Lead) -> str:
    return lead.customer.primary_phone


@pytest.mark.django_db
def test_a_signed_whatsapp_message_lands_in_the_thread_and_the_customer_waits(client, shop):
    lead, seller = shop["lead"], shop["seller"]
    number = number_of(lead)
    unsigned = {"MessageSid": "SMx", "From": f"whatsapp:{number}", "To": f"whatsapp:{SENDER}"}
    assert client.post(HOOK, unsigned).status_code == 403
    answer = whatsapp_in(
        client,
        number,
        "Is de <b>Myli</b> er zaterdag?",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        MediaContentType0="image/jpeg",
    )
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/xml")
    stored = InboundSms.objects.get()
    assert (stored.channel, stored.from_number, stored.to_number) == ("whatsapp", number, SENDER)
    (event,) = LeadEvent.objects.filter(kind=EventKind.MESSAGE_RECEIVED)
    assert event.lead == lead and event.channel == "whatsapp"
    lead.refresh_from_db()
    assert lead.customer_waiting_since is not None
    assert Notification.objects.filter(user=seller, kind="reply", lead=lead).exists()
    client.force_login(seller)
    page = thread(client, lead)
    assert 'data-channel="whatsapp"' in page and "channel-whatsapp" in page
    assert "Is de &lt;b&gt;Myli&lt;/b&gt; er zaterdag?" in page  # escaped
    assert "1 attachment: image/jpeg" in page
    # The answer goes back the way the customer wrote: WhatsApp chosen, free text open.
    assert '<option value="whatsapp" selected>' in page and "free text until" in page
    # Twilio retries a webhook it thinks failed: kept once.
    whatsapp_in(client, number, "Is de Myli er zaterdag?", sid=stored.sid)
    assert InboundSms.objects.count() == 1


@pytest.mark.django_db
def test_a_free_text_reply_in_the_window_goes_to_twilio_with_whatsapp_addresses(
    client, shop, twilio
):
    lead, seller = shop["lead"], shop["seller"]
    whatsapp_in(client, number_of(lead), "Nog beschikbaar?")
    client.force_login(seller)
    answer = write(client, lead, "Ja, zaterdag om 10 uur staat hij klaar.")
    assert answer.status_code == 200 and "Reply queued" in answer.content.decode()
    dispatcher.dispatch_due()
    (call,) = twilio.calls
    data = call["data"]
    assert data["To"] == f"whatsapp:{number_of(lead)}" and data["From"] == f"whatsapp:{SENDER}"
    assert data["Body"] == "Ja, zaterdag om 10 uur staat hij klaar."
    assert "ContentSid" not in data and "/hooks/twilio/status/" in data["StatusCallback"]
    message = OutboundMessage.objects.get(channel="whatsapp")
    assert message.provider_id == call["sid"] and message.to == number_of(lead)
    (sent,) = LeadEvent.objects.filter(kind=EventKind.MESSAGE_SENT)
    assert sent.channel == "whatsapp" and sent.actor == seller
    lead.refresh_from_db()
    assert lead.customer_waiting_since is None  # answered


@pytest.mark.django_db
@pytest.mark.parametrize("wrote_hours_ago", [25, None], ids=["window-closed", "never-wrote"])
def test_outside_the_window_free_text_is_refused_and_a_template_goes_with_its_variables(
    client, shop, twilio, wrote_hours_ago
):
    lead, seller, template = shop["lead"], shop["seller"], shop["template"]
    if wrote_hours_ago:
        whatsapp_in(client, number_of(lead), "Hallo")
        InboundSms.objects.update(received_at=timezone.now() - timedelta(hours=wrote_hours_ago))
    client.force_login(seller)
    page = thread(client, lead, channel="whatsapp")
    assert "only an approved template" in page
    first_name, vehicle = lead.customer.first_name, str(lead.vehicle)
    assert f"Hallo {first_name}, heeft u nog vragen over de {vehicle}?" in page  # the preview
    answer = write(client, lead, "Zullen we bellen?")
    assert "WhatsApp refuses free text" in answer.content.decode()
    # The service says no as well, whoever calls it.
    with pytest.raises(AutomationError, match="only an approved template"):
        send_reply(lead=lead, channel="whatsapp", text="Zullen we bellen?", by=seller)
    assert not ScheduledAction.objects.filter(kind="reply").exists()
    answer = write(client, lead, template=template)
    assert "Reply queued" in answer.content.decode()
    dispatcher.dispatch_due()
    (call,) = twilio.calls
    data = call["data"]
    assert data["To"] == f"whatsapp:{number_of(lead)}" and data["From"] == f"whatsapp:{SENDER}"
    assert data["ContentSid"] == SID and "Body" not in data
    assert json.loads(data["ContentVariables"]) == {
        "1": first_name,
        "2": vehicle,
        "3": seller.get_full_name() or seller.username,
    }
    page = thread(client, lead)
    assert f"Hallo {first_name}, heeft u nog vragen" in page  # what the customer read


@pytest.mark.django_db
def test_a_template_with_an_empty_variable_is_not_sent(client, shop, twilio):
    lead, seller, template = shop["lead"], shop["seller"], shop["template"]
    Lead.objects.filter(pk=lead.pk).update(vehicle=None)
    lead.refresh_from_db()
    with pytest.raises(AutomationError, match="vehicle"):
        send_reply(lead=lead, channel="whatsapp", by=seller, whatsapp_template=template)
    assert not twilio.calls


@pytest.mark.django_db
def test_twilios_read_receipt_shows_in_the_thread(client, shop, twilio):
    lead, seller = shop["lead"], shop["seller"]
    whatsapp_in(client, number_of(lead), "Nog beschikbaar?")
    send_reply(lead=lead, channel="whatsapp", text="Ja!", by=seller)
    dispatcher.dispatch_due()
    message = OutboundMessage.objects.get(channel="whatsapp")
    path = reverse("hooks:twilio_status", args=[message.uid])
    for status in ("sent", "delivered", "read", "delivered"):  # out of order at the end
        data = {"MessageSid": message.provider_id, "MessageStatus": status}
        assert signed_post(client, path, data).status_code == 204
    message.refresh_from_db()
    assert message.status == "read"
    client.force_login(seller)
    assert 'class="delivery state-read">Read<' in thread(client, lead)


@pytest.mark.django_db
def test_stop_on_whatsapp_opts_the_customer_out_and_start_lets_them_back_in(client, shop, twilio):
    lead, seller = shop["lead"], shop["seller"]
    number = number_of(lead)
    whatsapp_in(client, number, "STOP")
    assert OptOut.objects.filter(channel="whatsapp", address=number).exists()
    assert not OptOut.objects.filter(channel="sms").exists()  # SMS is another channel
    lead.refresh_from_db()
    assert lead.customer_waiting_since is None  # an opt-out is no question
    client.force_login(seller)
    page = thread(client, lead)
    assert "WhatsApp: <span" in page and "opted out" in page
    assert '<option value="whatsapp"' not in page
    with pytest.raises(AutomationError, match="opted out"):
        send_reply(lead=lead, channel="whatsapp", text="Toch nog even…", by=seller)
    whatsapp_in(client, number, "START")
    assert not OptOut.objects.filter(channel="whatsapp").exists()


@pytest.mark.django_db
def test_a_whatsapp_message_from_an_unknown_number_is_a_new_lead_of_that_dealership(client, shop):
    other = DealershipFactory(whatsapp_number="+3197010520001")
    number = "+31687654321"
    whatsapp_in(client, number, "Hebben jullie een Ligier JS50?", ProfileName="Fatima el Amrani")
    lead = Lead.objects.get(customer__phones__number=number)
    assert lead.dealership == shop["dealership"] and lead.dealership != other
    assert lead.source.name == "WhatsApp" and "JS50" in lead.comments
    assert lead.customer.full_name == "Fatima el Amrani"
    assert lead.customer.phones.get().kind == "mobile"
    assert lead.events.filter(kind=EventKind.CREATED).exists()  # routed like any new lead
    (event,) = lead.events.filter(kind=EventKind.MESSAGE_RECEIVED)
    assert event.channel == "whatsapp" and lead.customer_waiting_since is not None
    # The next message joins that lead; a STOP from a stranger starts none.
    whatsapp_in(client, number, "Of een Myli?")
    assert Lead.objects.filter(customer__phones__number=number).count() == 1
    whatsapp_in(client, "+31611112222", "stop")
    assert not Lead.objects.filter(customer__phones__number="+31611112222").exists()
    # A number that is no dealership's WhatsApp sender: kept, on no lead.
    whatsapp_in(client, "+31633334444", "Hallo?", to="+3197010529999")
    assert InboundSms.objects.get(from_number="+31633334444").lead is None


@pytest.mark.django_db
def test_without_a_sender_whatsapp_is_off_and_the_pages_say_so(client, dealership, twilio):
    seller, lead = held_lead(dealership)
    boss = manager(dealership)
    client.force_login(seller)
    page = thread(client, lead)
    assert '<option value="whatsapp"' not in page and '<option value="sms"' in page
    write(client, lead, "Hallo")
    assert not ScheduledAction.objects.filter(kind="reply").exists()
    with pytest.raises(AutomationError, match="WhatsApp is not set up"):
        send_reply(lead=lead, channel="whatsapp", text="Hallo", by=seller)
    client.force_login(boss)
    settings_page = client.get(reverse("automation:whatsapp")).content.decode()
    assert "WhatsApp is off" in settings_page and "WhatsApp sender" in settings_page


@pytest.mark.django_db
def test_a_salesperson_cannot_reply_on_a_lead_not_theirs(client, shop):
    lead = shop["lead"]
    whatsapp_in(client, number_of(lead), "Nog beschikbaar?")
    colleague = salesperson(shop["dealership"])
    client.force_login(colleague)
    assert write(client, lead, "Ik neem het over").status_code == 404
    assert client.get(reverse("conversations:thread", args=[lead.pk])).status_code == 404
    assert not ScheduledAction.objects.filter(kind="reply").exists()


@pytest.mark.django_db
def test_an_admin_sets_the_sender_and_adds_an_approved_template(client, dealership):
    admin, boss = person(Role.ADMIN, dealership), manager(dealership)
    client.force_login(boss)  # a manager sees WhatsApp's state, an admin changes it
    assert client.get(reverse("automation:whatsapp_template_new")).status_code == 403
    sender = reverse("automation:whatsapp_sender", args=[dealership.pk])
    assert client.post(sender, {"whatsapp_number": SENDER}).status_code == 403
    client.force_login(admin)
    client.post(sender, {"whatsapp_number": "0313 47 22 00"})
    dealership.refresh_from_db()
    assert dealership.whatsapp_number == ""  # not E.164: refused
    client.post(sender, {"whatsapp_number": SENDER})
    dealership.refresh_from_db()
    assert dealership.whatsapp_number == SENDER
    page = client.get(reverse("automation:whatsapp")).content.decode()
    assert "WhatsApp is on" in page and SENDER in page
    new = reverse("automation:whatsapp_template_new")
    form = {
        "dealership": dealership.pk,
        "name": "Afspraak",
        "content_sid": "HX123",
        "language": "nl",
        "body": "Hallo {{1}}, uw afspraak is op {{2}}.",
        "variables": "customer_first_name",
        "is_enabled": "on",
    }
    page = client.post(new, form).content.decode()
    assert "HX followed by 32 hexadecimal characters" in page
    assert "{{1}}, {{2}}" in page  # the text's variables and the placeholders do not match
    form.update(content_sid=SID, variables="customer_first_name, nonsense")
    assert "Unknown placeholder: nonsense" in client.post(new, form).content.decode()
    form.update(variables="customer_first_name, appointment")
    assert client.post(new, form).status_code == 302
    saved = WhatsAppTemplate.objects.get()
    assert saved.variables == ["customer_first_name", "appointment"]


@pytest.mark.django_db
def test_an_automation_rule_sends_whatsapp_only_with_an_approved_template(client, shop, twilio):
    dealership = shop["dealership"]
    welcome = WhatsAppTemplate.objects.create(
        dealership=dealership,
        name="Welkom",
        content_sid="HX" + "f" * 32,
        language="nl",
        body="Welkom {{1}}! U hoort snel van ons.",
        variables=["customer_first_name"],
    )
    boss = manager(dealership)
    client.force_login(boss)
    form = {
        "dealership": dealership.pk,
        "name": "WhatsApp welkom",
        "is_enabled": "on",
        "trigger": "created",
        "offset_amount": 0,
        "offset_unit": "minutes",
        "direction": "after",
        "to_customer": "on",
        "channel": "whatsapp",
        "window_start": "00:00",
        "window_end": "23:59",
    }
    page = client.post(reverse("automation:rule_new"), form).content.decode()
    assert "approved WhatsApp template" in page and not Rule.objects.exists()
    form["whatsapp_template"] = welcome.pk
    assert client.post(reverse("automation:rule_new"), form).status_code == 302
    lead = new_lead(dealership)
    dispatcher.dispatch_due()
    (call,) = [c for c in twilio.calls if c["data"]["To"] == f"whatsapp:{number_of(lead)}"]
    assert call["data"]["ContentSid"] == welcome.content_sid and "Body" not in call["data"]
    assert json.loads(call["data"]["ContentVariables"]) == {"1": lead.customer.first_name}


@pytest.mark.django_db
def test_a_whatsapp_task_opens_the_reply_form_with_whatsapp_chosen(client, shop):
    lead, seller = shop["lead"], shop["seller"]
    followup.add_task(
        lead=lead, kind="whatsapp", due_at=timezone.now() + timedelta(hours=1), by=seller
    )
    client.force_login(seller)
    lead_page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    link = f"{reverse('conversations:thread', args=[lead.pk])}?channel=whatsapp#conversation"
    assert f'href="{link}"' in lead_page and "Write by WhatsApp" in lead_page
    page = thread(client, lead, channel="whatsapp")
    assert '<option value="whatsapp" selected>' in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_messages_of_a_new_number_at_once_make_one_lead(twilio):
    """Twilio posts a customer's first two messages side by side: one customer, one lead, both
    messages on it (two webhook requests, two threads, two database connections)."""
    import threading

    from django.db import connection, connections

    from automation.replies import receive_whatsapp

    if connection.vendor != "postgresql":
        pytest.skip("two writers at once: PostgreSQL")
    shop = DealershipFactory(whatsapp_number=SENDER)
    errors: list[BaseException] = []

    def message(number: str, n: int, start: threading.Barrier) -> None:
        try:
            start.wait()
            receive_whatsapp(
                sid=f"SM{number}{n}", from_number=number, to_number=SENDER, body=f"Vraag {n}"
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    for attempt in range(5):  # the race is narrow: several tries, a new number each
        number = f"+3161112223{attempt}"
        start = threading.Barrier(2)
        threads = [threading.Thread(target=message, args=(number, n, start)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        leads = Lead.objects.filter(dealership=shop, customer__phones__number=number)
        assert leads.count() == 1, number
        assert InboundSms.objects.filter(lead=leads.get()).count() == 2
