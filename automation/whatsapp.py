"""WhatsApp through Twilio: the dealership's sender, the 24-hour customer-service window and the
approved templates.

WhatsApp lets a business write freely only within 24 hours after the customer's last message to
it; outside that window (or before the customer ever wrote) only a template WhatsApp approved may
go out. Twilio sends such a template by its content SID (HX…) with the values of its numbered
variables ({{1}}, {{2}}…) as JSON. The window is read from the customer's messages as they
arrived (InboundSms of channel whatsapp, to the dealership's current sender), never copied."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from automation import render
from automation.models import Channel, InboundSms, WhatsAppTemplate
from dealers.models import Dealership
from leads.models import Lead

WINDOW = timedelta(hours=24)
PREFIX = "whatsapp:"
# Our placeholders a WhatsApp template may fill: not {{ lead_url }}, a link into the app that a
# customer cannot open.
PLACEHOLDERS = tuple(name for name in render.PLACEHOLDERS if name != "lead_url")
_NUMBERED = re.compile(r"{{\s*(\d+)\s*}}")


class WindowClosed(ValueError):
    """Free text outside the 24-hour window: WhatsApp refuses it; only a template may go."""


def sender(dealership: Dealership) -> str:
    """The dealership's WhatsApp sender (E.164), '' when WhatsApp is off for it."""
    return dealership.whatsapp_number or ""


def is_on(dealership: Dealership) -> bool:
    return bool(sender(dealership))


def address(number: str) -> str:
    """Twilio's WhatsApp address of an E.164 number."""
    return f"{PREFIX}{number}"


def number_of(value: str) -> str:
    """The E.164 number of a Twilio WhatsApp address ('whatsapp:+31…' → '+31…')."""
    value = (value or "").strip()
    return value[len(PREFIX) :] if value.lower().startswith(PREFIX) else value


def last_inbound_at(dealership: Dealership, number: str) -> datetime | None:
    """When the customer at `number` last wrote to the dealership's WhatsApp sender."""
    if not number or not is_on(dealership):
        return None
    return InboundSms.objects.filter(
        channel=Channel.WHATSAPP, from_number=number, to_number=sender(dealership)
    ).aggregate(last=Max("received_at"))["last"]


@dataclass(frozen=True)
class Window:
    last_inbound_at: datetime | None
    closes_at: datetime | None  # None: closed (or never opened)

    @property
    def is_open(self) -> bool:
        return self.closes_at is not None


def window(dealership: Dealership, number: str, *, now: datetime | None = None) -> Window:
    last = last_inbound_at(dealership, number)
    now = now or timezone.now()
    closes = last + WINDOW if last is not None and last + WINDOW > now else None
    return Window(last_inbound_at=last, closes_at=closes)


def templates_for(dealership: Dealership, *, language: str = "") -> list[WhatsAppTemplate]:
    """The dealership's approved templates in use, those in `language` first."""
    found = list(WhatsAppTemplate.objects.filter(dealership=dealership, is_enabled=True))
    return sorted(found, key=lambda t: (t.language != language, t.name))


def numbered(body: str) -> set[int]:
    """The numbered variables the approved text uses ({{1}} → 1)."""
    return {int(n) for n in _NUMBERED.findall(body or "")}


def variables_problem(body: str, variables: list[str]) -> str:
    """'' when the text's variables {{1}}…{{n}} and the placeholders that fill them match, else
    what is wrong (Twilio refuses a template whose variables are not all given)."""
    unknown = [name for name in variables if name not in PLACEHOLDERS]
    if unknown:
        return _("Unknown placeholder: %(names)s. The placeholders are: %(all)s.") % {
            "names": ", ".join(unknown),
            "all": ", ".join(PLACEHOLDERS),
        }
    wanted = set(range(1, len(variables) + 1))
    used = numbered(body)
    if used != wanted:
        return _(
            "The text uses the variables %(used)s; the placeholders fill %(wanted)s. Give one "
            "placeholder for each of {{1}}, {{2}}… in order."
        ) % {
            "used": ", ".join(f"{{{{{n}}}}}" for n in sorted(used)) or "—",
            "wanted": ", ".join(f"{{{{{n}}}}}" for n in sorted(wanted)) or "—",
        }
    return ""


@dataclass(frozen=True)
class Filled:
    variables: dict[str, str]  # {"1": "Jan", …}: Twilio's ContentVariables
    text: str  # the approved text with the values: what the customer reads
    empty: tuple[str, ...] = ()  # placeholders without a value for this lead

    @property
    def content_variables(self) -> str:
        return json.dumps(self.variables, ensure_ascii=False)


def _value(text: str) -> str:
    # WhatsApp refuses a variable with new lines, tabs or more than four spaces in a row.
    return " ".join(str(text or "").split())


def fill(
    template: WhatsAppTemplate, lead: Lead, *, public_url: str = "", strict: bool = True
) -> Filled:
    """The template's variables with this lead's values. `strict` (sending): a variable without
    a value raises render.EmptyPlaceholder (WhatsApp refuses an empty one)."""
    context = render.lead_context(
        lead, language=template.language, recipient_name=str(lead.customer), public_url=public_url
    )
    values = {str(i): _value(context.get(name, "")) for i, name in enumerate(template.variables, 1)}
    empty = tuple(template.variables[int(i) - 1] for i, v in values.items() if not v)
    if empty and strict:
        raise render.EmptyPlaceholder(
            "no value for "
            + ", ".join("{{ %s }}" % name for name in empty)  # noqa: UP031
            + " for this lead; the WhatsApp template was not sent"
        )
    text = _NUMBERED.sub(lambda m: values.get(m.group(1)) or f"{{{{{m.group(1)}}}}}", template.body)
    return Filled(variables=values, text=text, empty=empty)


def empty_placeholders(template: WhatsAppTemplate, lead: Lead) -> list[str]:
    return list(fill(template, lead, strict=False).empty)
