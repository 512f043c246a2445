"""The dispatcher's step 2 for a claimed batch: check each action again, now that it is due
(rule, conditions, recipient, consent, opt-out, window), and compose its message.

Whatever the batch's actions share is read or worked out once per batch (`Batch`): the
opt-outs (one query), each rule's sources and window, each person's preference, each template's
version per language, the links' fixed parts and the unsubscribe footer per language. Per
message only the checks on its own rows and the rendering remain. The outcomes of actions that
are not sent are collected (`Batch.outcomes`) and written together (automation.outcomes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks

from automation import links, render, whatsapp
from automation import rules as rule_logic
from automation.consent import customer_address, normalize_address, why_not_to_customer
from automation.links import public_url
from automation.models import (
    ActionKind,
    ActionState,
    Channel,
    Direction,
    MessageTemplate,
    Notification,
    NotificationKind,
    OptOut,
    RecipientKind,
    Rule,
    ScheduledAction,
    Trigger,
)
from automation.outcomes import Outcomes
from automation.preferences import Preference, preference
from leads.reply_address import reply_address

FOOTER = "No more e-mails from us? Unsubscribe: %(url)s"


@dataclass
class Outgoing:
    action: ScheduledAction
    to: str
    subject: str
    text: str
    html: str
    language: str
    user_id: int | None
    reply_to: str = ""
    unsubscribe: str = ""
    # WhatsApp: the dealership's sender, and an approved template's SID and variables (JSON).
    sender: str = ""
    content_sid: str = ""
    content_variables: str = ""


class Batch:
    """What the actions of one batch share, read once."""

    def __init__(self, actions: list[ScheduledAction]) -> None:
        self.now = timezone.now()
        self.outcomes = Outcomes()
        self.public = public_url()
        self.opt_outs = _opt_outs(actions)
        self.notifications_link = f"{self.public}{reverse('notifications:list')}"
        self.unsubscribe_url = links.unsubscribe_url_maker()
        self._sources: dict[int, set[int]] = {}
        self._openings: dict[tuple[int, str], datetime] = {}
        self._preferences: dict[int, Preference] = {}
        self._versions: dict[tuple[int, tuple[str, ...]], tuple[str, str, str]] = {}
        self._footers: dict[str, str] = {}

    def finish(self, action: ScheduledAction, state: str, reason: str) -> None:
        self.outcomes.finish(action, state, reason, at=self.now)

    def sources(self, rule: Rule) -> set[int]:
        if rule.pk not in self._sources:
            self._sources[rule.pk] = {s.pk for s in rule.sources.all()}
        return self._sources[rule.pk]

    def opening(self, rule: Rule, tz) -> datetime:
        """The window's next opening from now (now itself inside the window)."""
        key = (rule.pk, str(tz))
        if key not in self._openings:
            self._openings[key] = rule_logic.next_opening(rule, self.now, tz)
        return self._openings[key]

    def preference(self, user) -> Preference:
        if user.pk not in self._preferences:
            self._preferences[user.pk] = preference(user, NotificationKind.AUTOMATION)
        return self._preferences[user.pk]

    def version(self, template: MessageTemplate, *preferred: str) -> tuple[str, str, str]:
        key = (template.pk, preferred)
        if key not in self._versions:
            self._versions[key] = template.version(*preferred)
        return self._versions[key]

    def footer(self, language: str, url: str) -> str:
        if language not in self._footers:
            with translation.override(language):
                self._footers[language] = translation.gettext(FOOTER)
        return self._footers[language] % {"url": url}


def _opt_outs(actions: list[ScheduledAction]) -> set[tuple[str, str]]:
    wanted = {
        (a.channel, normalize_address(a.channel, customer_address(a.lead, a.channel)))
        for a in actions
        if a.recipient_kind == RecipientKind.CUSTOMER and a.lead_id
    }
    if not wanted:
        return set()
    rows = OptOut.objects.filter(address__in={addr for _c, addr in wanted}).values_list(
        "channel", "address"
    )
    return set(rows) & wanted


def prepare(action: ScheduledAction, batch: Batch) -> Outgoing | None:
    """The message to send, or None when the action was finished (or put back) otherwise."""
    try:
        if action.kind == ActionKind.RULE and not _rule_still_applies(action, batch):
            return None
        if action.channel == Channel.WHATSAPP:
            return _whatsapp(action, batch)
        if action.kind == ActionKind.NOTIFICATION:
            return _notification_copy(action, batch)
        if action.kind == ActionKind.REPLY:
            return _written(action, batch)
        return _templated(action, batch)
    except render.EmptyPlaceholder as exc:
        batch.finish(action, ActionState.SKIPPED, str(exc))
        return None
    except render.TemplateProblem as exc:
        batch.finish(action, ActionState.FAILED, str(exc))
        return None


def _rule_still_applies(action: ScheduledAction, batch: Batch) -> bool:
    lead, rule = action.lead, action.rule
    if rule is None or not rule.is_enabled:
        batch.finish(action, ActionState.CANCELLED, "the rule was disabled or deleted")
        return False
    if lead is None:
        batch.finish(action, ActionState.SKIPPED, "the lead is gone")
        return False
    why = rule_logic.lead_meets(rule, lead, batch.sources(rule))
    if not why and rule.trigger == Trigger.APPOINTMENT:
        if lead.appointment_at != action.anchor_at:
            why = "the appointment moved"
        elif rule.direction == Direction.BEFORE and lead.appointment_at <= batch.now:
            why = "the appointment has passed"
    if why:
        batch.finish(action, ActionState.SKIPPED, f"conditions no longer met: {why}")
        return False
    opening = batch.opening(rule, lead.dealership.tz)
    if opening != batch.now:  # outside the window: back to pending, not counted as an attempt
        batch.outcomes.back_to_pending(action, opening, undo=True)
        return False
    return True


def _notification_copy(action: ScheduledAction, batch: Batch) -> Outgoing | None:
    """The e-mail or SMS copy of a staff notification."""
    note: Notification = action.notification
    user = action.recipient_user
    to = user.email if action.channel == Channel.EMAIL else user.phone
    if not to:
        batch.finish(action, ActionState.SKIPPED, "no address for this person")
        return None
    link = batch.notifications_link
    text = (
        f"{note.title}\n\n{note.body}\n\n{link}".strip()
        if action.channel == Channel.EMAIL
        else f"{note.title} {note.body}"[:320]
    )
    html = linebreaks(f"{note.title}\n\n{note.body}", autoescape=True)
    html += f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
    return Outgoing(action, to, note.title, text, html, user.language, user.pk)


def _templated(action: ScheduledAction, batch: Batch) -> Outgoing | None:
    """A rule's, manual or test message: its template rendered for the recipient."""
    lead, rule = action.lead, action.rule
    template = action.template or (rule.template if rule else None)
    if template is None:
        batch.finish(action, ActionState.FAILED, "the template was deleted")
        return None
    recipient = _recipient(action, template, batch)
    if recipient is None:
        return None
    to, name, preferred, user = recipient
    language, subject, body = batch.version(template, *preferred)
    if not body:
        batch.finish(action, ActionState.FAILED, "the template has no text")
        return None
    context = render.lead_context(
        lead, language=language, recipient_name=name, public_url=batch.public
    )
    rendered = render.render(subject, body, context, language=language)
    text, html, unsubscribe = rendered.text, rendered.html, ""
    if action.recipient_kind == RecipientKind.CUSTOMER and action.channel == Channel.EMAIL:
        text, html, unsubscribe = _customer_footer(batch, to, language, text, html)
    subject = f"[TEST] {rendered.subject}" if action.kind == ActionKind.TEST else rendered.subject
    reply_to = _reply_to(action)
    if action.kind == ActionKind.RULE and user is not None:
        _in_app(batch, user, lead, title=subject or template.name, body=text)
    return Outgoing(
        action, to, subject, text, html, language, user.pk if user else None, reply_to, unsubscribe
    )


def _reply_to(action: ScheduledAction) -> str:
    """A customer's reply comes back to the lead's conversation (leads.reply_address) through
    the inbound webhook; staff reply to the salesperson."""
    lead = action.lead
    if action.recipient_kind == RecipientKind.CUSTOMER and action.channel == Channel.EMAIL:
        address = reply_address(lead)
        if address:
            return address
    return lead.assigned_to.email if lead.assigned_to_id and lead.assigned_to.email else ""


def _customer_footer(batch: Batch, to: str, language: str, text: str, html: str) -> tuple:
    unsubscribe = batch.unsubscribe_url(Channel.EMAIL, to)
    footer = batch.footer(language, unsubscribe)
    text = f"{text}\n\n--\n{footer}"
    html = (
        f'{html}<hr><p style="font-size:small"><a href="{escape(unsubscribe)}">'
        f"{escape(footer.split(':')[0])}</a></p>"
    )
    return text, html, unsubscribe


def _written(action: ScheduledAction, batch: Batch) -> Outgoing | None:
    """A reply a person wrote on the lead's conversation: their text as it is (escaped in the
    HTML part), to the customer, consent and opt-outs checked again now. No sending window: a
    person answering a customer sends when they choose."""
    if action.lead is None:
        batch.finish(action, ActionState.SKIPPED, "the lead is gone")
        return None
    recipient = _recipient(action, None, batch)
    if recipient is None:
        return None
    to, _name, preferred, _user = recipient
    language = preferred[0] or preferred[1]
    text, html, unsubscribe = action.body, linebreaks(action.body, autoescape=True), ""
    if action.channel == Channel.EMAIL:
        text, html, unsubscribe = _customer_footer(batch, to, language, text, html)
    return Outgoing(
        action,
        to,
        action.subject,
        text,
        html,
        language,
        None,
        _reply_to(action),
        unsubscribe,
    )


def _whatsapp(action: ScheduledAction, batch: Batch) -> Outgoing | None:
    """A WhatsApp message to the customer, from the dealership's sender: a person's free text
    (only inside the 24-hour window after the customer's last WhatsApp message, read again now)
    or an approved template with this lead's values."""
    lead = action.lead
    if lead is None:
        batch.finish(action, ActionState.SKIPPED, "the lead is gone")
        return None
    if action.recipient_kind != RecipientKind.CUSTOMER:
        batch.finish(action, ActionState.SKIPPED, "WhatsApp messages go to the customer only")
        return None
    sender = whatsapp.sender(lead.dealership)
    if not sender:
        batch.finish(action, ActionState.SKIPPED, "WhatsApp is not set up for this dealership")
        return None
    recipient = _recipient(action, None, batch)
    if recipient is None:
        return None
    to, _name, preferred, _user = recipient
    rule = action.rule
    template = action.whatsapp_template or (rule.whatsapp_template if rule else None)
    if template is None:
        if action.kind != ActionKind.REPLY or not action.body.strip():
            batch.finish(action, ActionState.FAILED, "no approved WhatsApp template to send")
            return None
        if not whatsapp.window(lead.dealership, to, now=batch.now).is_open:
            batch.finish(
                action,
                ActionState.FAILED,
                "outside WhatsApp's 24-hour window: free text refused (send an approved template)",
            )
            return None
        body = action.body
        language = preferred[0] or preferred[1]
        html = linebreaks(body, autoescape=True)
        return Outgoing(action, to, "", body, html, language, None, sender=sender)
    if not template.is_enabled or template.dealership_id != lead.dealership_id:
        batch.finish(action, ActionState.FAILED, "the WhatsApp template is no longer in use")
        return None
    filled = whatsapp.fill(template, lead, public_url=batch.public)
    html = linebreaks(filled.text, autoescape=True)
    return Outgoing(
        action,
        to,
        "",
        filled.text,
        html,
        template.language,
        None,
        sender=sender,
        content_sid=template.content_sid,
        content_variables=filled.content_variables,
    )


def _recipient(
    action: ScheduledAction, template: MessageTemplate | None, batch: Batch
) -> tuple | None:
    """(address, name, preferred languages, staff user or None), or None when the action was
    skipped: no consent, opted out, nobody holds the lead, the person turned it off."""
    lead = action.lead
    if action.recipient_kind == RecipientKind.CUSTOMER:
        to = customer_address(lead, action.channel)
        why = why_not_to_customer(lead, action.channel, to, check_opt_out=False)
        if not why and (action.channel, normalize_address(action.channel, to)) in batch.opt_outs:
            why = "the customer opted out of this channel"
        if why:
            batch.finish(action, ActionState.SKIPPED, why)
            return None
        return to, str(lead.customer), (lead.customer.language, lead.dealership.language), None
    user = (
        lead.assigned_to
        if action.recipient_kind == RecipientKind.SALESPERSON
        else action.recipient_user
    )
    if user is None or not user.is_active:
        batch.finish(action, ActionState.SKIPPED, "nobody holds the lead")
        return None
    if action.kind == ActionKind.RULE:
        pref = batch.preference(user)
        wanted = pref.by_email if action.channel == Channel.EMAIL else pref.by_sms
        if not pref.enabled or not wanted:
            if pref.enabled:  # no e-mail/SMS copy wanted, the in-app one still is
                _in_app(batch, user, lead, title=template.name, body="")
            batch.finish(action, ActionState.SKIPPED, "the person turned this channel off")
            return None
    to = user.email if action.channel == Channel.EMAIL else user.phone
    if not to:
        batch.finish(action, ActionState.SKIPPED, "no address for this person")
        return None
    if action.kind == ActionKind.TEST:  # what the customer would get, unless asked otherwise
        preferred = (action.reason or lead.customer.language, lead.dealership.language)
    else:
        preferred = (user.language, lead.dealership.language)
    return to, str(user), preferred, user


def _in_app(batch: Batch, user, lead, *, title: str, body: str) -> None:
    batch.outcomes.notes.append(
        Notification(
            user=user, kind=NotificationKind.AUTOMATION, lead=lead, title=title[:200], body=body
        )
    )
