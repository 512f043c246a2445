"""One conversation per lead: what went to the customer and what came back, by every channel, in
one thread by time. Read from the rows each app keeps already (nothing copied): the messages the
dispatcher sent (automation.OutboundMessage) and those still queued, the customer's messages
(the lead's "message received" events: SMS through automation.replies, e-mail replies through
the inbound webhook), the calls (calls.Call) and the calls logged by hand (contact attempts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from automation import whatsapp
from automation.consent import customer_address, customer_channels, why_not_to_customer
from automation.models import (
    ActionKind,
    ActionState,
    Channel,
    OutboundMessage,
    RecipientKind,
    ScheduledAction,
    WhatsAppTemplate,
)
from calls.models import Call
from calls.models import Direction as CallDirection
from leads.models import ContactChannel, EventKind, Lead, LeadEvent

IN, OUT = "in", "out"
# The newest entries a thread shows (a lead's conversation is read on a phone).
LIMIT = 200
# Channels whose contact attempts are conversation (a call, a visit); a logged "e-mail sent"
# attempt is not: the e-mail itself is there when the app sent it.
SPOKEN = (ContactChannel.PHONE, ContactChannel.IN_PERSON, ContactChannel.WHATSAPP)


@dataclass(frozen=True)
class Entry:
    at: datetime
    direction: str  # IN (from the customer) or OUT (to them)
    channel: str  # email, sms, phone, in_person, whatsapp
    channel_label: str
    text: str
    subject: str = ""
    by: str = ""  # who wrote or called, or "Automation"
    state: str = ""  # delivery state or call outcome, as shown
    state_key: str = ""  # the same, for the style (delivered, failed, queued…)
    detail: str = ""  # a call's length
    attachments: tuple[str, ...] = ()  # a WhatsApp message's media, by content type

    @property
    def is_inbound(self) -> bool:
        return self.direction == IN


def lead_ids(lead: Lead) -> list[int]:
    """The lead and the leads merged into it (leads.merge): one conversation."""
    return [lead.pk, *[i for i in lead.extra.get("merged_leads", []) if isinstance(i, int)]]


def conversation(lead: Lead) -> list[Entry]:
    """The thread, oldest first (the newest LIMIT entries: each source reads at most its newest
    LIMIT rows, so a long history costs no more than a short one)."""
    ids = lead_ids(lead)
    entries = [
        *_sent(ids),
        *_queued(ids),
        *_received(ids),
        *_calls(ids),
    ]
    entries += _logged_calls(ids, {e for e in _call_event_ids(ids)})
    entries.sort(key=lambda e: e.at)
    return entries[-LIMIT:]


def _channel_label(channel: str) -> str:
    return str(ContactChannel(channel).label) if channel in ContactChannel.values else channel


def _sent(ids: list[int]) -> list[Entry]:
    """Messages to the customer, the last attempt of each action (a retried one has several)."""
    latest: dict[object, OutboundMessage] = {}
    newest = (
        OutboundMessage.objects.filter(
            lead_id__in=ids, is_test=False, action__recipient_kind=RecipientKind.CUSTOMER
        )
        .select_related("action__created_by")
        .order_by("-created_at", "-id")[: LIMIT * 2]
    )
    for message in reversed(list(newest)):
        latest[message.action_id or f"m{message.pk}"] = message
    entries = []
    for message in latest.values():
        action = message.action
        by = (
            str(action.created_by)
            if action and action.created_by_id
            else _("Automation")
            if action and action.kind == ActionKind.RULE
            else ""
        )
        entries.append(
            Entry(
                at=message.created_at,
                direction=OUT,
                channel=message.channel,
                channel_label=_channel_label(message.channel),
                text=_without_footer(message.body),
                subject=message.subject,
                by=by,
                state=message.get_status_display(),
                state_key=message.status,
            )
        )
    return entries


def _without_footer(text: str) -> str:
    """The e-mail's text without the unsubscribe footer the dispatcher adds (automation.compose)."""
    body, separator, _footer = text.rpartition("\n\n--\n")
    return body if separator else text


def _queued(ids: list[int]) -> list[Entry]:
    """A person's message not handed to the provider yet: shown at once, as queued."""
    return [
        Entry(
            at=action.created_at,
            direction=OUT,
            channel=action.channel,
            channel_label=_channel_label(action.channel),
            text=action.body
            or (action.whatsapp_template.name if action.whatsapp_template_id else "")
            or (action.template.name if action.template_id else ""),
            subject=action.subject,
            by=str(action.created_by) if action.created_by_id else "",
            state=_("Queued"),
            state_key="queued",
        )
        for action in ScheduledAction.objects.filter(
            lead_id__in=ids,
            kind__in=[ActionKind.REPLY, ActionKind.MANUAL],
            recipient_kind=RecipientKind.CUSTOMER,
            state__in=[ActionState.PENDING, ActionState.SENDING],
            messages__isnull=True,
        ).select_related("created_by", "template", "whatsapp_template")
    ]


def _received(ids: list[int]) -> list[Entry]:
    return [
        Entry(
            at=event.occurred_at,
            direction=IN,
            channel=event.channel or ContactChannel.SMS,
            channel_label=_channel_label(event.channel or ContactChannel.SMS),
            text=event.note,
            subject=(event.data or {}).get("subject", ""),
            by=(event.data or {}).get("from", ""),
            state=_("Opt-out") if (event.data or {}).get("keyword") == "stop" else "",
            state_key="received",
            attachments=_attachments(event.data or {}),
        )
        for event in LeadEvent.objects.filter(
            lead_id__in=ids, kind=EventKind.MESSAGE_RECEIVED
        ).order_by("-occurred_at", "-id")[:LIMIT]
    ]


def _attachments(data: dict) -> tuple[str, ...]:
    media = data.get("media") or []
    return tuple(str(m.get("type") or _("attachment")) for m in media if isinstance(m, dict))


def _calls(ids: list[int]) -> list[Entry]:
    entries = []
    calls = Call.objects.filter(lead_id__in=ids).select_related("agent")
    for call in calls.order_by("-created_at", "-id")[:LIMIT]:
        if call.dialed_at is None and call.direction != CallDirection.INBOUND:
            continue  # planned or cancelled before anyone was called: no conversation
        seconds = call.talk_seconds
        entries.append(
            Entry(
                at=call.dialed_at or call.created_at,
                direction=IN if call.direction == CallDirection.INBOUND else OUT,
                channel=ContactChannel.PHONE,
                channel_label=str(call.get_direction_display()),
                text="",
                by=str(call.agent) if call.agent_id else "",
                state=call.get_outcome_display() if call.outcome else call.get_state_display(),
                state_key=call.outcome or call.state,
                detail=f"{seconds // 60}:{seconds % 60:02d}" if seconds else "",
            )
        )
    return entries


def _call_event_ids(ids: list[int]) -> list[int]:
    return list(
        Call.objects.filter(lead_id__in=ids, logged_event_id__isnull=False).values_list(
            "logged_event_id", flat=True
        )
    )


def _logged_calls(ids: list[int], from_calls: set[int]) -> list[Entry]:
    """Calls and visits a person logged by hand (those the call bridge logged are its calls)."""
    return [
        Entry(
            at=event.occurred_at,
            direction=OUT,
            channel=event.channel,
            channel_label=_channel_label(event.channel),
            text=event.note,
            by=str(event.actor) if event.actor_id else "",
            state=event.get_outcome_display(),
            state_key=event.outcome,
        )
        for event in LeadEvent.objects.filter(
            lead_id__in=ids, kind=EventKind.CONTACT_ATTEMPT, channel__in=SPOKEN
        )
        .exclude(pk__in=from_calls)
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:LIMIT]
    ]


def last_email_subject(entries: list[Entry]) -> str:
    """The subject of the last e-mail in the thread, for a reply's "Re: …"."""
    for entry in reversed(entries):
        if entry.channel == ContactChannel.EMAIL and entry.subject:
            return entry.subject
    return ""


@dataclass(frozen=True)
class TemplateChoice:
    template: WhatsAppTemplate
    preview: str  # the approved text with this lead's values
    empty: tuple[str, ...]  # placeholders without a value for this lead (not sendable)

    @property
    def label(self) -> str:
        label = f"{self.template.name} ({self.template.language}): {self.preview}"
        if self.empty:
            missing = ", ".join("{{ %s }}" % n for n in self.empty)  # noqa: UP031
            label += " — " + _("no value for %(names)s") % {"names": missing}
        return label


@dataclass(frozen=True)
class ReplyOptions:
    """What the reply form may offer for this lead: the channels (WhatsApp once the dealership
    has a sender), why a channel is closed, and WhatsApp's window and approved templates."""

    lead: Lead
    channels: list[tuple[str, str]]
    blocked: dict[str, str]
    whatsapp_window: whatsapp.Window | None = None
    whatsapp_templates: tuple[TemplateChoice, ...] = ()

    @property
    def whatsapp_offered(self) -> bool:
        return any(v == Channel.WHATSAPP for v, _label in self.channels) and not self.blocked.get(
            Channel.WHATSAPP
        )

    @property
    def whatsapp_window_open(self) -> bool:
        return bool(self.whatsapp_window and self.whatsapp_window.is_open)


def reply_options(lead: Lead) -> ReplyOptions:
    channels = customer_channels(lead)
    blocked = {value: why_not_to_customer(lead, value) for value, _label in channels}
    if Channel.WHATSAPP not in blocked or blocked[Channel.WHATSAPP]:
        return ReplyOptions(lead=lead, channels=channels, blocked=blocked)
    window = whatsapp.window(lead.dealership, customer_address(lead, Channel.WHATSAPP))
    choices = ()
    if not window.is_open:
        language = lead.customer.language or lead.dealership.language
        choices = tuple(
            TemplateChoice(template=template, preview=filled.text, empty=filled.empty)
            for template in whatsapp.templates_for(lead.dealership, language=language)
            for filled in [whatsapp.fill(template, lead, strict=False)]
        )
    return ReplyOptions(
        lead=lead,
        channels=channels,
        blocked=blocked,
        whatsapp_window=window,
        whatsapp_templates=choices,
    )


def last_inbound_channel(entries: list[Entry]) -> str:
    """The channel the customer last wrote by: the reply goes back the same way by default."""
    for entry in reversed(entries):
        if entry.is_inbound and entry.channel in Channel.values:
            return entry.channel
    return ""
